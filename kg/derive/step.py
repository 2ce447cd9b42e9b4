"""What a step of the pipeline is: the context it runs in, the outcome it reports, its declaration."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kg import graphs
from kg.config import Settings
from kg.derive.change import Change
from kg.publication import Publication
from kg.store.base import Store

log = logging.getLogger("kg.derive")
Report = Callable[[str], None]


def now() -> str:
    """An ISO 8601 UTC instant to the second, as the status document writes them."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class Context:
    """What a step gets: the store, the settings, the publication, the change so far, a reporter."""

    store: Store
    settings: Settings
    publication: Publication
    change: Change
    report: Report
    #: What this step recorded after its last successful run (see :attr:`Outcome.record`).
    previous: dict[str, object] = field(default_factory=dict)


def resources(ctx: Context, kinds: tuple[str, ...]) -> set[str] | None:
    """The IRIs the change touched in the graphs of ``kinds`` (as :attr:`Step.reads` names them);
    None when the change is to everything.  A graph whose resources the write path did not know (a
    new graph) contributes everything it holds now."""
    if ctx.change.full:
        return None
    probe = Step("probe", kinds, lambda _ctx: Outcome())
    found: set[str] = set()
    for graph, touched in ctx.change.graphs.items():
        if not probe.reads_graph(graph, ctx.settings.base_iri):
            continue
        found |= touched if touched is not None else ctx.store.graph_resources(graph)
    return found


@dataclass
class Outcome:
    """What a step did: one line for the terminal, and the derived graphs it rewrote."""

    message: str = ""
    wrote: Change = field(default_factory=Change)
    #: Kept in the step's status for its next run (e.g. the T-box inference last used).
    record: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One derived product: its name, what it reads and how it is made.

    ``reads`` names kinds of graph: ``asserted`` (every source graph), a derived graph's name
    (``links``, ``inferred`` …), or ``*`` for everything (the dump).
    """

    name: str
    reads: tuple[str, ...]
    run: Callable[[Context], Outcome]

    def reads_graph(self, graph: str, base_iri: str) -> bool:
        if "*" in self.reads:
            return True
        kind = graphs.kind_of(graph, base_iri)
        if kind == "asserted":
            return "asserted" in self.reads
        return kind == "derived" and graph.rsplit("/graph/", 1)[-1] in self.reads

    def due(self, change: Change, base_iri: str) -> bool:
        """Whether ``change`` touches what this step reads."""
        return change.full or any(self.reads_graph(g, base_iri) for g in change.graphs)
