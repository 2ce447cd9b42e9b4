"""What a process running untrusted work does to itself first: no network, bounded memory, no orphans.

* **No network**: a new network namespace with no interface but a loopback that is down
  (``unshare(CLONE_NEWNET)``).  ``SERVICE``, ``LOAD`` or a dataset IRI then cannot reach any
  host, whatever a query or an engine does.  It needs CAP_SYS_ADMIN, or unprivileged user
  namespaces; where neither is allowed the process says so once and relies on the deployment
  (``docs/deploy.md``: systemd's ``PrivateNetwork=`` and ``RestrictAddressFamilies=``).
* **Bounded memory**: ``RLIMIT_DATA`` (the process's heap, not the store files it maps); past it an
  allocation fails and the process dies, costing only its own query.
* **Dies with its parent**: ``PR_SET_PDEATHSIG`` so that no query process outlives its HTTP worker.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import resource
import signal

log = logging.getLogger("kg.isolation")

_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_PR_SET_PDEATHSIG = 1


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def without_network() -> bool:
    """Move this process into a network namespace of its own, with no way out; True when it worked.

    Call it before any thread starts (a namespace change applies to the calling thread).
    """
    libc = _libc()
    if libc.unshare(_CLONE_NEWNET) == 0:
        return True
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0:  # unprivileged: map ourselves into it
        try:
            with open("/proc/self/setgroups", "w") as handle:
                handle.write("deny")
            with open("/proc/self/uid_map", "w") as handle:
                handle.write(f"{uid} {uid} 1")
            with open("/proc/self/gid_map", "w") as handle:
                handle.write(f"{gid} {gid} 1")
        except OSError:
            pass
        return True
    log.warning("this kernel lets kg not drop network access for its query processes (%s); run kg with "
                "PrivateNetwork=yes (docs/deploy.md)", os.strerror(ctypes.get_errno()))
    return False


def limit_memory(megabytes: int) -> None:
    """Cap the process's data segment (heap and anonymous mappings) at ``megabytes``."""
    if megabytes <= 0:
        return
    limit = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent exits (no query process is ever orphaned)."""
    _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the parent died before we could ask
        os._exit(0)
