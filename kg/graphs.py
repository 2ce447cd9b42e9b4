"""The kinds of named graph kg keeps, in one place: which are sources, which are derived, which are kg's own.

Every step that reads "the data" reads the *asserted* graphs (one per source: a file, an
agenda, a concept list, a graph written over HTTP); the derivation pipeline writes the
*derived* graphs from them; the *meta* graph holds one PROV record per graph and the
marks of unfinished loads.  Rules that used to spell graph names as string suffixes in
several modules ask this module instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from kg.iris import Minter

Kind = Literal["asserted", "derived", "meta"]

#: Derived graphs by step name, each written only by its step of the pipeline (:mod:`kg.derive`).
DERIVED = ("links", "inferred", "validation", "quality", "void")
#: Derived graphs the reasoner reads beside the asserted ones: links between sources are data too.
REASONER_INPUTS = ("links",)


def derived_graph(base_iri: str, name: str) -> str:
    """The IRI of a derived graph (``<base>/graph/<name>``)."""
    if name not in DERIVED:
        raise ValueError(f"no derived graph named {name!r}")
    return f"{base_iri.rstrip('/')}/graph/{name}"


def kind_of(graph: str, base_iri: str) -> Kind:
    """Whether a graph holds a source's triples, a derived step's, or kg's own bookkeeping."""
    minter = Minter(base_iri)
    if graph == minter.meta_graph() or graph.startswith(minter.base + "/graph/staging/"):
        return "meta"
    if graph in derived_graphs(base_iri):
        return "derived"
    return "asserted"


def derived_graphs(base_iri: str) -> frozenset[str]:
    return frozenset(derived_graph(base_iri, name) for name in DERIVED)


def asserted(graphs: Iterable[str], base_iri: str) -> list[str]:
    """The asserted graphs among ``graphs``, in their order."""
    return [g for g in graphs if kind_of(g, base_iri) == "asserted"]


def asserted_graphs(store: object) -> list[str]:
    """Every live asserted graph of a store (sorted)."""
    base = store.base_iri  # type: ignore[attr-defined]
    return sorted(asserted((g.name for g in store.graphs()), base))  # type: ignore[attr-defined]


def reasoner_graphs(store: object) -> list[str]:
    """What inference reads: the asserted graphs and the links between them (never its own output)."""
    base = store.base_iri  # type: ignore[attr-defined]
    names = [g.name for g in store.graphs()]  # type: ignore[attr-defined]
    extra = {derived_graph(base, n) for n in REASONER_INPUTS}
    return sorted(set(asserted(names, base)) | (extra & set(names)))
