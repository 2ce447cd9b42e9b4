"""Meeting documents read into one store in turn, each stored in its own graph before the next is read.

Minutes are read against what the store already holds (their meeting's agenda, an earlier version of
themselves), so tests of what a second document says must store the first as the write path would.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kg.config import Settings
from kg.ingest import Prepared
from kg.iris import Minter
from kg.store import Store

#: An ingest's ``prepare`` (``kg.ingest.agenda.prepare``, ``kg.ingest.minutes.prepare``).
Prepare = Callable[[Path, Settings, Store], Prepared]


def read_and_store(prepare: Prepare, path: Path, settings: Settings, store: Store) -> Prepared:
    """Read ``path`` against the store and put the result in the document's graph."""
    prepared = prepare(path, settings, store)
    assert prepared.graph_path, f"{path}: a meeting document names its own graph ({prepared.errors})"
    store.replace_graph(Minter(settings.base_iri).graph(prepared.graph_path), prepared.graph)
    return prepared
