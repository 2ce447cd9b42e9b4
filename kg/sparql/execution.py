"""Running a query under a time limit without stopping the server.

Oxigraph has no query timeout, and one call into it (an ``ORDER BY`` over a
cartesian product, say) can run for minutes holding no Python lock we could
interrupt.  So every query runs in a worker thread and the request thread waits
for it at most ``timeout`` seconds: past that the client gets a clear error at
once and the request thread is free again.  The worker is told the deadline too:
the back end checks it between result rows and triples and stops there; only
work inside one engine call (sorting, grouping) runs on to its end in the
background, and then its result is thrown away.

Such orphaned queries still use a core, so at most :data:`MAX_ORPHANS` may run
at once; while that many are still finishing, new queries are refused with 503
and ``Retry-After`` rather than piling more work onto a saturated machine.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from kg.store.base import QueryTimeout, StoreError

T = TypeVar("T")

#: Timed-out queries that may still be running in the background before new ones are refused.
MAX_ORPHANS = 4


class TooBusy(StoreError):
    """Too many timed-out queries are still finishing; try again shortly."""


class QueryCrashed(StoreError):
    """The query process died while answering (the engine crashed, or the query took too much memory)."""


class _Orphans:
    """Counts abandoned workers that have not finished yet."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.running = 0

    def add(self) -> None:
        with self._lock:
            self.running += 1

    def done(self) -> None:
        with self._lock:
            self.running -= 1


orphans = _Orphans()


class _Job(threading.Thread):
    def __init__(self, work: Callable[[float], T]) -> None:
        super().__init__(name="kg-query", daemon=True)
        self.work = work
        self.deadline = 0.0
        self.result: object = None
        self.error: BaseException | None = None
        self.finished = threading.Event()
        self.abandoned = False
        self._lock = threading.Lock()

    def run(self) -> None:
        try:
            self.result = self.work(self.deadline)
        except BaseException as exc:  # handed to the waiting thread, never lost
            # Without its traceback: the frames hold the engine's result objects, which some engines
            # (pyoxigraph) forbid dropping on another thread than the one that made them.
            exc.__traceback__ = exc.__context__ = exc.__cause__ = None
            self.error = exc
        finally:
            with self._lock:
                self.finished.set()
                if self.abandoned:
                    orphans.done()

    def abandon(self) -> bool:
        """Mark the job as orphaned; False if it finished in the meantime."""
        with self._lock:
            if self.finished.is_set():
                return False
            self.abandoned = True
            orphans.add()
            return True


def run_with_deadline(work: Callable[[float], T], timeout: float) -> T:
    """Run ``work(deadline)`` in a worker thread; its answer, or :class:`QueryTimeout` after ``timeout`` s.

    ``deadline`` is a :func:`time.monotonic` instant the work should check and stop at.
    """
    if orphans.running >= MAX_ORPHANS:
        raise TooBusy(f"{orphans.running} timed-out queries are still finishing; try again shortly")
    job = _Job(work)
    job.deadline = time.monotonic() + timeout
    job.start()
    if not job.finished.wait(timeout) and job.abandon():
        raise QueryTimeout(f"the query was stopped after the time limit of {timeout:g} s; "
                           "narrow it (bind resources first, add LIMIT) or page it")
    if job.error is not None:
        raise job.error
    return job.result  # type: ignore[return-value]
