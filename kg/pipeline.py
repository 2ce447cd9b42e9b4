"""What runs after sources change: the derived graphs and indexes, in order.

Work happens at load time so that requests only query.  After every load that
changed something — from the command line or through the HTTP write endpoints —
the same steps run, each switchable in the settings:

1. inference (OWL RL) into the inferred graph, when ``infer_after_load``;
2. quality (DQV) and the catalogue's page index, when ``quality_after_load``;
3. the search index, when ``search_after_load`` (otherwise the first search rebuilds it).

Validation is not run here: it is the secretariat's gate (``kg validate``), and
its report is stored when they run it.
"""

from __future__ import annotations

from collections.abc import Callable

from kg.config import Settings
from kg.store.base import Store

Report = Callable[[str], None]


def refresh_derived(store: Store, settings: Settings, report: Report | None = None) -> None:
    """Recompute every derived graph and index after a change to the asserted graphs."""
    say = report or (lambda _message: None)
    if settings.infer_after_load:
        from kg.reason import infer

        inferred = infer(store, settings)
        say(f"inferred {inferred.triples} triples -> {inferred.graph}")
    if settings.quality_after_load:
        from kg.quality import after_load

        results = after_load(store, settings)
        say(f"quality measured for {len(results)} datasets and services; catalogue index rebuilt")
    if settings.search_after_load:
        refresh_search(store, settings, say)


def refresh_search(store: Store, settings: Settings, report: Report | None = None) -> None:
    """Rebuild the search index, so that the first search after a load is fast."""
    from kg.search import refresh

    documents = refresh(store, settings)
    if report is not None:
        report(f"search index rebuilt ({documents} documents)")


def ensure_search(store: Store, settings: Settings) -> None:
    """Build the search index only if the store changed since it was built (at server start)."""
    from kg.search import search_index

    search_index(store, settings)
