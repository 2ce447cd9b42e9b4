"""A pool of query processes for one HTTP worker: borrow one, send a query, kill it at the deadline.

Oxigraph cannot be interrupted inside a query, and some queries crash it (a stack overflow on a
deep pattern, a panic in a sort).  So queries run in processes of their own
(:mod:`kg.procs.executor`), one query each at a time, and the pool enforces the time limit by
killing the process: the client gets a clear 503 at the deadline, the core is free at once (no
abandoned thread keeps computing), and a fresh process takes the place of the killed or crashed
one.  One warm spare is kept so that a replacement costs no waiting.

The pool works the same under threads and under gevent (it only uses sockets, queues and
subprocesses, which gevent makes cooperative).
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from kg.config import Settings, settings_environment
from kg.procs import ipc
from kg.sparql.execution import QueryCrashed, QueryTimeout, TooBusy
from kg.store.base import StoreError, StoreUnavailable

log = logging.getLogger("kg.pool")

#: Seconds a request may wait for a free query process before it is told the server is busy.
WAIT_FOR_PROCESS = 10.0


class _Executor:
    """One query process and the socket to it."""

    def __init__(self, settings: Settings) -> None:
        parent, child = socket.socketpair()
        env = {**os.environ, **settings_environment(settings), "KG_EXECUTOR_FD": str(child.fileno())}
        self.process = subprocess.Popen([sys.executable, "-m", "kg.procs.executor"], env=env,
                                        pass_fds=[child.fileno()], stdin=subprocess.DEVNULL)
        child.close()
        self.sock = parent
        self.started = time.monotonic()

    def call(self, header: dict[str, Any], body: bytes,
             timeout: float | None) -> tuple[dict[str, Any], bytes]:
        self.sock.settimeout(timeout)
        ipc.send(self.sock, header, body)
        return ipc.recv(self.sock)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, OSError):
            self.process.send_signal(signal.SIGKILL)
        with contextlib.suppress(OSError):
            self.sock.close()
        with contextlib.suppress(Exception):
            self.process.wait(timeout=5)

    def how_it_ended(self) -> str:
        with contextlib.suppress(Exception):
            self.process.wait(timeout=1)
        code = self.process.returncode
        if code is None:
            return "it stopped answering"
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            return f"it ended with {name}"
        return f"it exited with status {code}"


class ExecutorPool:
    """``size`` query processes for this worker (and one spare), replaced when killed or crashed."""

    def __init__(self, settings: Settings, size: int | None = None) -> None:
        self.settings = settings
        self.size = size or settings.query_processes
        self._idle: queue.Queue[_Executor] = queue.Queue()
        self._spares: queue.Queue[_Executor] = queue.Queue()
        self._closed = False
        self._lock = threading.Lock()
        self._all: set[_Executor] = set()
        for _ in range(self.size):
            self._idle.put(self._start())
        self._spares.put(self._start())

    def _start(self) -> _Executor:
        executor = _Executor(self.settings)
        with self._lock:
            self._all.add(executor)
        return executor

    def _replace(self, dead: _Executor) -> None:
        """Put the spare in the dead process's place, and start a new spare."""
        dead.kill()
        with self._lock:
            self._all.discard(dead)
        if self._closed:
            return
        try:
            self._idle.put(self._spares.get_nowait())
        except queue.Empty:
            self._idle.put(self._start())
        threading.Thread(target=lambda: self._spares.put(self._start()), daemon=True,
                         name="kg-spare").start()

    def call(self, header: dict[str, Any], body: bytes = b"", timeout: float | None = None
             ) -> tuple[dict[str, Any], bytes]:
        """Send one request to a free query process and return its answer.

        Raises :class:`QueryTimeout` at ``timeout`` seconds (the process is killed), :class:`TooBusy`
        when no process becomes free in time, :class:`QueryCrashed` when the process died, and the
        store's own error when the query failed.
        """
        if self._closed:
            raise StoreUnavailable("the server is stopping")
        deadline = None if timeout is None else time.monotonic() + timeout
        wait = WAIT_FOR_PROCESS if timeout is None else min(WAIT_FOR_PROCESS, timeout)
        try:
            executor = self._idle.get(timeout=wait)
        except queue.Empty:
            raise TooBusy("every query process is busy; try again shortly") from None
        left = None if deadline is None else max(deadline - time.monotonic(), 0.001)
        try:
            reply, data = executor.call(header, body, left)
        except TimeoutError:
            self._replace(executor)
            raise QueryTimeout(f"the query was stopped after the time limit of {timeout:g} s; narrow it "
                               "(bind resources first, add LIMIT) or page it") from None
        except (ipc.Closed, OSError):
            how = executor.how_it_ended()
            self._replace(executor)
            log.warning("a query process died while answering (%s): %.200s", how, header.get("query", ""))
            raise QueryCrashed(f"the query stopped the process answering it ({how}); nothing else was "
                               "affected. The engine cannot answer this query: simplify it, or "
                               "report it if it is an ordinary query") from None
        self._idle.put(executor)
        if not reply.get("ok"):
            raise _error(reply)
        return reply, data

    def close(self) -> None:
        """Stop every query process (on the worker's way out)."""
        self._closed = True
        with self._lock:
            every = list(self._all)
            self._all.clear()
        for executor in every:
            with contextlib.suppress(OSError):
                executor.sock.close()   # the process reads end-of-file and exits
        for executor in every:
            try:
                executor.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                executor.kill()


def _error(reply: dict[str, Any]) -> StoreError:
    """The store's exception, by its class name, as the process raised it (kg's error classes keep
    their class, so they map to the same answers as in one process; anything else is the engine's
    complaint about the query)."""
    import importlib

    name, message = str(reply.get("error")), str(reply.get("message"))
    if name == "PanicException":
        return QueryCrashed(f"the engine failed on this query ({message}); simplify it")
    for module in ("kg.store.base", "kg.sparql.execution", "kg.store.errors"):
        try:
            kind = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if isinstance(kind, type) and issubclass(kind, StoreError):
            return kind(message)
    return StoreError(message)
