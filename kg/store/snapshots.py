"""Published generations of the embedded store: read-only checkpoints that other processes open.

Only one process may open an Oxigraph store for writing, and opening it read-only while another
process writes is undefined behaviour.  So the process that writes (``kg load``, or the server's
writer process) publishes, after each write and after each refresh of the derived graphs, a
*generation*: a RocksDB checkpoint of the store (hard links to its immutable files: no copy,
whatever the size) in ``<store>-generations/<n>``, named by ``CURRENT``.  Query
processes, and ``kg query`` beside a running server, open the newest generation read-only and
move to a newer one between queries.  A generation is a consistent state: a reader sees the
store as it was after one write, never during one.

Readers hold a shared lock on their generation's ``.readers`` file; the writer removes an old
generation only when it can take that lock exclusively (nobody reads it), and keeps the newest
:data:`KEEP` whatever happens.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from pathlib import Path

#: Generations kept besides those in use.
KEEP = 2
_CURRENT = "CURRENT"
_READERS = ".readers"


def generations_dir(store_path: Path) -> Path:
    """Where the generations of the store at ``store_path`` are published."""
    return store_path.with_name(store_path.name + "-generations")


def current(store_path: Path) -> tuple[int, Path] | None:
    """The newest published generation (number and folder), or None when none is published yet."""
    folder = generations_dir(store_path)
    try:
        number = int((folder / _CURRENT).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None
    path = folder / str(number)
    return (number, path) if path.is_dir() else None


def publish(store: object, store_path: Path) -> int:
    """Checkpoint the store (``pyoxigraph.Store``) as the next generation and name it current."""
    folder = generations_dir(store_path)
    folder.mkdir(parents=True, exist_ok=True)
    found = current(store_path)
    number = (found[0] if found else 0) + 1
    while (folder / str(number)).exists():  # a checkpoint an earlier run left unnamed
        number += 1
    target = folder / str(number)
    store.backup(str(target))  # type: ignore[attr-defined]
    (target / _READERS).touch()
    pointer = folder / f".{_CURRENT}.{os.getpid()}"
    pointer.write_text(f"{number}\n", encoding="ascii")
    os.replace(pointer, folder / _CURRENT)
    collect(store_path, number)
    return number


def collect(store_path: Path, newest: int) -> list[int]:
    """Remove old generations nobody reads (keeping the newest :data:`KEEP`); returns those removed."""
    folder = generations_dir(store_path)
    removed = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.isdigit() or int(entry.name) > newest - KEEP:
            continue
        lock = entry / _READERS
        try:
            with lock.open("rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(int(entry.name))
        except FileNotFoundError:  # an unfinished checkpoint without its lock file
            shutil.rmtree(entry, ignore_errors=True)
        except BlockingIOError:
            continue  # a reader still has it open
    return removed


class Reading:
    """A reader's hold on one generation: a shared lock, released when it moves on."""

    def __init__(self, number: int, path: Path) -> None:
        self.number, self.path = number, path
        self._handle = (path / _READERS).open("rb")
        fcntl.flock(self._handle, fcntl.LOCK_SH)

    def release(self) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()


__all__ = ["KEEP", "Reading", "collect", "current", "generations_dir", "publish"]
