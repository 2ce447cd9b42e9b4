"""The store: one interface, two back ends, chosen by the settings.

``open_store(settings)`` is the only place that decides which back end serves a
process; everything else holds a :class:`Store`.
"""

from __future__ import annotations

from kg.config import Settings
from kg.store.base import (
    SYNTAX_BY_SUFFIX,
    EvaluationError,
    GraphInfo,
    ParseError,
    Provenance,
    QueryResult,
    QuerySyntaxError,
    Store,
    StoreError,
    StoreUnavailable,
    UnwritableAnswer,
)


def open_store(settings: Settings) -> Store:
    """Open the store the settings name (creating an embedded one on first use)."""
    if settings.store == "remote":
        from kg.store.remote import RemoteStore

        return RemoteStore(settings)
    from kg.store.embedded import EmbeddedStore

    if settings.store == "memory":
        return EmbeddedStore(settings.base_iri)
    settings.store_path.mkdir(parents=True, exist_ok=True)
    return EmbeddedStore(settings.base_iri, settings.store_path)


__all__ = [
    "SYNTAX_BY_SUFFIX", "EvaluationError", "GraphInfo", "ParseError", "Provenance", "QueryResult",
    "QuerySyntaxError", "Store", "StoreError", "StoreUnavailable", "UnwritableAnswer", "open_store",
]
