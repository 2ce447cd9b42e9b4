"""What a write changed, as the derivation pipeline needs to know it.

A change names the graphs a write touched and, where the write path knows them, the
resources (subjects and objects of the triples added or removed) in each; ``None`` means
"every resource of that graph, before and after".  A change to everything (a restore, a
store of unknown history) is ``full``.  Changes merge: while the pipeline works, the
writes that arrive are merged into one pending change, which the next run takes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Change:
    """The graphs (and, where known, the resources) a write changed."""

    graphs: dict[str, set[str] | None] = field(default_factory=dict)
    full: bool = False

    @staticmethod
    def of(graphs: Iterable[str], resources: set[str] | None = None) -> Change:
        """A change to these graphs (each with the same resources, or unknown ones)."""
        return Change({g: None if resources is None else set(resources) for g in graphs})

    @staticmethod
    def everything() -> Change:
        return Change(full=True)

    def merge(self, other: Change) -> Change:
        """Both changes in one (unknown resources stay unknown)."""
        graphs: dict[str, set[str] | None] = {
            g: (None if r is None else set(r)) for g, r in self.graphs.items()}
        for graph, resources in other.graphs.items():
            if graph in graphs:
                mine = graphs[graph]
                graphs[graph] = None if mine is None or resources is None else mine | resources
            else:
                graphs[graph] = None if resources is None else set(resources)
        return Change(graphs, self.full or other.full)

    def touches(self, graphs: Iterable[str]) -> bool:
        """Whether any of ``graphs`` changed."""
        return self.full or any(g in self.graphs for g in graphs)

    def __bool__(self) -> bool:
        return self.full or bool(self.graphs)

    def describe(self) -> str:
        if self.full:
            return "everything"
        return ", ".join(sorted(self.graphs)) or "nothing"
