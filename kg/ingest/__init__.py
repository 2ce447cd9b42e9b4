"""Ingest: source documents (agendas, minutes, concept lists) into rdflib graphs for the store.

Every ingest kind offers the same face to the write path (:mod:`kg.loading`): it turns one file
into a :class:`Prepared` graph and never writes.  A prepared graph names its own identity
(``graph_path``): a meeting's agenda is the same graph whatever the file is called or where it lies,
and so is a concept scheme.  The write path names the graph from it, warns when a newer document
replaces one from another file, and keeps the PROV of both versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph


@dataclass
class Prepared:
    """One source document turned into a graph, ready for the write path."""

    #: The triples to store.
    graph: Graph
    #: The graph's identity under ``<base>/graph/`` (e.g. ``agendas/it-arkitekturraadet/2023-11-30``,
    #: ``conceptlists/ladeinfrastruktur``); None names the graph after the file's path instead.
    graph_path: str | None = None
    #: What could not be placed, with its file line; loading goes on.
    warnings: list[str] = field(default_factory=list)
    #: What makes the document unusable: nothing is loaded.
    errors: list[str] = field(default_factory=list)
    #: What a reader of the report should know that is not a problem ("products not in the catalogue: …").
    notes: list[str] = field(default_factory=list)
    #: What changed against the version in the store, one line each (kept in the graph's PROV).
    changes: list[str] = field(default_factory=list)
    #: One line for the command line: what the document holds ("meeting …, 9 items").
    summary: str = ""
