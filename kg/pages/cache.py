"""Per-store caches that are only valid until the store changes.

Labels of vocabulary terms and the whole-graph summaries (counts, quality per dimension)
are the same for every request until the next load, and some summaries aggregate
millions of triples.  They are kept here keyed by the store's fingerprint (a hash of
the graphs' PROV records, cheap to read), so the first request after a load computes
them once and every later one reads them; a load anywhere (CLI, Graph Store endpoint)
changes the fingerprint and so empties the cache.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from kg.search import fingerprint
from kg.store.base import Store

T = TypeVar("T")
#: How long a fingerprint is trusted before the graphs' records are read again (seconds).
CHECK_EVERY = 1.0
#: Entries kept per store before the cache starts afresh (labels are small).
MAX_ENTRIES = 200_000

_lock = threading.Lock()
_state: dict[int, tuple[str, float, dict[Any, Any]]] = {}


def entries(store: Store) -> dict[Any, Any]:
    """The cache dict of ``store``'s current state (a new, empty one after any change)."""
    key = id(store)
    now = time.monotonic()
    with _lock:
        current = _state.get(key)
        if current is not None and now - current[1] < CHECK_EVERY and len(current[2]) < MAX_ENTRIES:
            return current[2]
    print_ = fingerprint(store)
    with _lock:
        current = _state.get(key)
        if current is not None and current[0] == print_ and len(current[2]) < MAX_ENTRIES:
            _state[key] = (print_, now, current[2])
            return current[2]
        fresh: dict[Any, Any] = {}
        _state[key] = (print_, now, fresh)
        return fresh


def memo(store: Store, key: Any, compute: Callable[[], T]) -> T:
    """``compute()`` once per state of the store."""
    cache = entries(store)
    if key not in cache:
        cache[key] = compute()
    return cache[key]  # type: ignore[no-any-return]
