"""A server's process tree and its memory, read from ``/proc``.

A server under measurement is more than one process (gunicorn's master and workers, a shell and
the program it starts), so its memory is the sum over the whole tree, and stopping it by force
must reach every process.
"""

from __future__ import annotations

from pathlib import Path


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, parents before their children."""
    out = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for child in children:
        out.extend(tree(int(child)))
    return out


def memory_mib(pid: int, field: str) -> float:
    """The sum of one ``/proc/PID/status`` memory field (``VmRSS``, ``VmHWM``) over the tree, MiB.

    A process that ends while it is read counts as nothing, as it no longer holds memory.
    """
    total = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024
