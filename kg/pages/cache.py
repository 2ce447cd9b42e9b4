"""Per-store caches that are only valid until the store changes.

Labels of vocabulary terms are the same for every request until the next write.  They
are kept here keyed by the store's version token (:meth:`kg.store.Store.version`), so a
write anywhere empties the cache.  The cache lives on the store object itself.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from kg.store.base import Store

#: How long a version token that costs a query is trusted before it is read again (seconds).
CHECK_EVERY = 1.0
#: Entries kept per store before the cache starts afresh (labels are small).
MAX_ENTRIES = 200_000

_lock = threading.Lock()


def entries(store: Store) -> dict[Any, Any]:
    """The cache dict of ``store``'s current state (a new, empty one after any change)."""
    now = time.monotonic()
    with _lock:
        current = store.state.get("page-cache")
        fresh_enough = (store.version_is_cheap is False and current is not None
                        and now - current[1] < CHECK_EVERY)
        if fresh_enough and len(current[2]) < MAX_ENTRIES:  # type: ignore[index]
            return current[2]  # type: ignore[no-any-return]
    token = store.version()
    with _lock:
        current = store.state.get("page-cache")
        if current is not None and current[0] == token and len(current[2]) < MAX_ENTRIES:
            store.state["page-cache"] = (token, now, current[2])
            return current[2]  # type: ignore[no-any-return]
        fresh: dict[Any, Any] = {}
        store.state["page-cache"] = (token, now, fresh)
        return fresh
