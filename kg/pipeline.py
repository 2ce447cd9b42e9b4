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

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from kg.config import Settings
from kg.store.base import Store, StoreError

if TYPE_CHECKING:
    from kg.quality_changes import Snapshot

Report = Callable[[str], None]


def watch_load(store: Store, settings: Settings, paths: Iterable[Path],
               graph: str | None = None) -> Snapshot | None:
    """Before loading ``paths``: the quality's inputs in the graphs the load may replace, so that
    :func:`refresh_derived` can measure again only what changed.  None when the quality is not
    refreshed after loads, or the sources cannot be listed (the load itself will say why)."""
    if not settings.quality_after_load:
        return None
    from kg.loading import discover, graph_for
    from kg.quality_changes import snapshot, watched_graphs

    try:
        targets = [graph] if graph is not None else [graph_for(p, settings) for p in discover(paths)]
    except (StoreError, OSError):
        return None
    return snapshot(store, watched_graphs(settings, targets))


def refresh_derived(store: Store, settings: Settings, report: Report | None = None,
                    before: Snapshot | None = None, loaded: Iterable[str] | None = None) -> None:
    """Recompute every derived graph and index after a change to the asserted graphs.

    ``before`` (from :func:`watch_load`) and ``loaded`` (the graphs the load replaced) let the
    quality be refreshed incrementally; without them it is measured in full.
    """
    say = report or (lambda _message: None)
    if settings.infer_after_load:
        from kg.reason import infer

        inferred = infer(store, settings)
        say(f"inferred {inferred.triples} triples -> {inferred.graph}")
    if settings.quality_after_load:
        from kg.quality import after_load
        from kg.quality_changes import watched_graphs

        changed = watched_graphs(settings, loaded) if before is not None and loaded is not None else None
        results = after_load(store, settings, before, changed)
        say(f"quality measured for {len(results)} datasets; catalogue index rebuilt")
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
