"""The Store interface: everything above the store talks to this, and only this.

Two back ends implement it: :mod:`kg.store.embedded` (Oxigraph on disk or in
memory) and :mod:`kg.store.remote` (any SPARQL 1.1 Protocol + Update server).
Terms cross the interface as rdflib terms, because rdflib is kg's working
library for parsing, SHACL and OWL RL; the SPARQL endpoint instead asks for
:class:`QueryResult` objects that serialise themselves, so that answers are
written by the back end's own fast serialiser and never pass through rdflib.
"""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Literal

from rdflib import Graph
from rdflib.term import Node

from kg import __version__
from kg.iris import Minter
from kg.namespaces import DCTERMS, KG, PROV
from kg.queries import iri, literal, render, render_operation

RdfSyntax = Literal["turtle", "ntriples", "nquads", "trig", "rdfxml", "jsonld"]
DumpFormat = Literal["nquads", "trig"]
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"

#: File name endings and the syntax each one means.
SYNTAX_BY_SUFFIX: dict[str, RdfSyntax] = {
    ".ttl": "turtle", ".turtle": "turtle", ".nt": "ntriples", ".ntriples": "ntriples",
    ".nq": "nquads", ".nquads": "nquads", ".trig": "trig", ".rdf": "rdfxml", ".owl": "rdfxml",
    ".xml": "rdfxml", ".jsonld": "jsonld", ".json-ld": "jsonld",
}

#: Syntaxes that carry named graphs of their own.
DATASET_SYNTAXES = frozenset({"nquads", "trig"})


class StoreError(Exception):
    """The store could not do what was asked; the message is for the user."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or opened (locked, remote down); worth retrying later."""


class QueryTimeout(StoreError):
    """The query ran past its time limit and was stopped (or abandoned)."""


class ParseError(StoreError):
    """A source did not parse; names the source, line and column where known."""

    def __init__(self, source: str, message: str, line: int | None = None, column: int | None = None):
        self.source, self.line, self.column = source, line, column
        where = source + (f", line {line}" if line else "") + (f", column {column}" if column else "")
        super().__init__(f"{where}: {message}")

    @classmethod
    def from_message(cls, text: str) -> ParseError:
        """The error as another process reported it (its whole one-line message)."""
        error = cls.__new__(cls)
        Exception.__init__(error, text)
        error.source, error.line, error.column = text.split(":", 1)[0], None, None
        return error


class QuerySyntaxError(StoreError):
    """A SPARQL query or update is not valid SPARQL; the message says where."""


class EvaluationError(StoreError):
    """Valid SPARQL the engine refuses to evaluate: the client's request, not the store's fault.

    An unknown function, ``CREATE`` of a graph that exists, ``DROP``/``CLEAR``/``MOVE`` of one that
    does not (without ``SILENT``), a value of the wrong type; the message is the engine's.
    """


class UnwritableAnswer(StoreError):
    """The answer exists but cannot be written in the format asked for (RDF/XML without a usable
    predicate name, say); another format will do."""


@dataclass
class GraphDiff:
    """What replacing a graph changed, filled in by the store when asked.

    ``resources``: the IRIs of the triples added or removed; None for a graph that did not exist
    before (then everything in it is new).
    """

    new: bool = False
    resources: set[str] | None = None


@dataclass(frozen=True)
class GraphInfo:
    """One named graph as ``kg graphs`` lists it."""

    name: str
    triples: int
    source: str | None = None
    sha256: str | None = None
    loaded_at: str | None = None
    version: str | None = None

    @staticmethod
    def of(name: str, triples: int, record: dict[str, str]) -> GraphInfo:
        """The graph with its PROV record as :func:`record_fields` reads it."""
        return GraphInfo(name, triples, record.get("source"), record.get("sha256"), record.get("loaded_at"),
                         record.get("version"))


#: A graph's PROV record in kg's metadata graph: each property and the field it fills (the fields of
#: :class:`GraphInfo`).  Every reader of the record (the stores, the pages' sources) goes by this table.
RECORD_FIELDS = {str(KG.tripleCount): "triples", str(DCTERMS.source): "source", str(KG.sha256): "sha256",
                 str(PROV.generatedAtTime): "loaded_at", str(KG.softwareVersion): "version"}


def record_fields(rows: Iterable[tuple[str | None, str | None, str | None]]) -> dict[str, dict[str, str]]:
    """PROV records read one row per property, ``(graph, property, value)`` (the form Virtuoso's cost
    estimator accepts, see ``store/graph-records.rq``), as each graph's fields."""
    records: dict[str, dict[str, str]] = {}
    for graph, prop, value in rows:
        field = RECORD_FIELDS.get(prop or "")
        if field and graph is not None and value is not None:
            records.setdefault(graph, {})[field] = value
    return records


@dataclass(frozen=True)
class Provenance:
    """Where a graph's content came from; recorded in the metadata graph."""

    source: str | None = None
    sha256: str | None = None
    loaded_at: str = ""
    version: str = __version__

    @staticmethod
    def now(source: str | None = None, sha256: str | None = None) -> Provenance:
        stamp = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        return Provenance(source=source, sha256=sha256, loaded_at=stamp)


def prov_record_values(meta: str, graph: str, provenance: Provenance, triples: int) -> dict[str, str]:
    """The terms of a PROV record for the ``kg/queries/store`` templates: one shape for all back ends."""
    extra = ""
    if provenance.source:
        extra += f" ; dct:source {literal(provenance.source)}"
    if provenance.sha256:
        extra += f" ; kg:sha256 {literal(provenance.sha256)}"
    return {
        "meta": iri(meta), "graph": iri(graph), "triples": str(triples),
        "loaded_at": literal(provenance.loaded_at, XSD_DATETIME),
        "version": literal(f"kg {provenance.version}"), "extra": extra,
    }


class QueryResult(abc.ABC):
    """A query answer that serialises itself in a SPARQL results or RDF format.

    ``kind`` is ``"bindings"`` (SELECT), ``"boolean"`` (ASK) or ``"graph"``
    (CONSTRUCT/DESCRIBE).  Formats are media types (``application/sparql-results+json``,
    ``text/turtle``, …); :meth:`serialize` raises ``ValueError`` for one it cannot write.
    """

    kind: str
    truncated: bool = False

    @abc.abstractmethod
    def serialize(self, media_type: str) -> bytes: ...


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in chunks so that large sources use little memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Store(abc.ABC):
    """A quad store with atomic named-graph replacement and PROV per graph."""

    #: Base IRI under which graph and meta IRIs are minted.
    base_iri: str
    #: Whether :meth:`version` costs nothing (no query), so caches may check it on every use.
    version_is_cheap: bool = False

    # -- reading ---------------------------------------------------------------
    @abc.abstractmethod
    def select(self, query: str) -> list[dict[str, Node]]:
        """Rows of a SELECT as rdflib terms; unbound variables are absent from the row."""

    @abc.abstractmethod
    def ask(self, query: str) -> bool: ...

    @abc.abstractmethod
    def construct(self, query: str) -> Graph:
        """The triples of a CONSTRUCT or DESCRIBE as an rdflib graph."""

    @abc.abstractmethod
    def execute(self, query: str, default_graphs: list[str] | None = None,
                named_graphs: list[str] | None = None, max_rows: int | None = None,
                timeout: float | None = None) -> QueryResult:
        """Run any query form for the SPARQL endpoint; the answer serialises itself."""

    # -- writing ---------------------------------------------------------------
    @abc.abstractmethod
    def update(self, update: str) -> None:
        """Run a SPARQL 1.1 Update, all or nothing."""

    def client_update(self, update: str) -> None:
        """Run a client's SPARQL Update (the endpoint's, through the write path), then keep the rule that
        a named graph exists while it holds a triple: graphs the update left empty (``DELETE DATA`` of
        their last triple, ``CLEAR``, ``CREATE``) are forgotten, so no listing (the service description,
        ``kg graphs``, ``GRAPH ?g``) shows an empty graph and ``CREATE GRAPH`` of one succeeds again."""
        self.update(update)
        self.forget_empty_graphs()

    def forget_empty_graphs(self) -> list[str]:
        """Forget named graphs that hold no triple; returns them.  Back ends whose server drops empty
        graphs itself (Virtuoso) need nothing here."""
        return []

    @abc.abstractmethod
    def _replace(self, graph: str, syntax: RdfSyntax, base_iri: str, provenance: Provenance,
                 path: Path | None = None, data: bytes | IO[bytes] | None = None,
                 diff: GraphDiff | None = None) -> int:
        """Fill a hidden graph from ``path`` or ``data``, then switch it in as ``graph`` with its PROV.

        With ``diff``, also say what the switch changed (see :class:`GraphDiff`).
        """

    @abc.abstractmethod
    def _hidden(self) -> set[str]:
        """Graphs a load is filling or left behind: never visible to queries."""

    @abc.abstractmethod
    def _discard(self, hidden_graph: str) -> None:
        """Remove a hidden graph and its marker."""

    def load_file(self, graph: str, path: Path, syntax: RdfSyntax, base_iri: str,
                  provenance: Provenance, progress: IO[bytes] | None = None,
                  diff: GraphDiff | None = None) -> int:
        """Replace ``graph`` with the triples of a file, atomically; returns the triple count.

        A file that does not parse raises :class:`ParseError` and changes nothing.  ``progress``
        is the file opened through a reader that reports progress; it is read instead of ``path``.
        """
        if progress is not None:
            return self._replace(graph, syntax, base_iri, provenance, data=progress, diff=diff)
        return self._replace(graph, syntax, base_iri, provenance, path=path, diff=diff)

    def replace_graph_data(self, graph: str, data: bytes, syntax: RdfSyntax, base_iri: str,
                           provenance: Provenance, diff: GraphDiff | None = None) -> int:
        """Replace ``graph`` with serialised triples, atomically; returns the triple count."""
        return self._replace(graph, syntax, base_iri, provenance, data=data, diff=diff)

    def patch_graph(self, graph: str, update: str, provenance: Provenance, triples: int) -> None:
        """Change ``graph`` in place with a SPARQL Update that touches only it, and rewrite its PROV
        record (``triples``: its size afterwards, which the caller works out) in the same request.

        For derived graphs refreshed a little at a time (the quality graph): much cheaper than a
        replacement when the change is small, and as atomic as the back end makes one request.
        """
        values = prov_record_values(Minter(self.base_iri).meta_graph(), graph, provenance, triples)
        record = render_operation("store/rewrite-record", **values)
        self.update(update + " ;\n" + record)

    def recover(self) -> list[str]:
        """Drop what interrupted loads left hidden; returns the graphs dropped."""
        hidden = sorted(self._hidden())
        for graph in hidden:
            self._discard(graph)
        return hidden

    def replace_graph(self, graph: str, content: Graph, source: str | None = None,
                      sha256: str | None = None, diff: GraphDiff | None = None) -> int:
        """Replace ``graph`` with an rdflib graph's triples, atomically, recording PROV."""
        data = content.serialize(format="nt", encoding="utf-8")
        return self.replace_graph_data(graph, data, "ntriples", self.base_iri + "/",
                                       Provenance.now(source, sha256), diff=diff)

    def replace_if_changed(self, graph: str, ntriples: bytes, source: str,
                           diff: GraphDiff | None = None) -> int:
        """Replace a derived graph with N-Triples unless it already holds exactly them; returns its size.

        The content's hash (of its sorted lines) is kept as the graph's ``kg:sha256``, so deriving the
        same thing again writes nothing: no new PROV record, no change for the steps after it.  A graph
        patched in place since (no hash recorded) is compared by its content.  (Blank node labels
        differ between runs, so a graph with blank nodes from a new load is always written.)
        """
        lines = sorted({line for line in ntriples.split(b"\n") if line.strip()})
        digest = hashlib.sha256(b"\n".join(lines)).hexdigest()
        info = self.graph_info(graph)
        if not lines and info is None:
            # nothing derived and no graph: nothing to write (a graph exists while it holds a triple,
            # so an empty one would not survive a dump and restore, and its record would be rewritten)
            if diff is not None:
                diff.new, diff.resources = False, set()
            return 0
        same = info is not None and info.sha256 == digest
        if info is not None and info.sha256 is None and info.triples == len(lines):
            current = self.execute(render("store/graph-triples", graph=iri(graph)), max_rows=None) \
                .serialize("application/n-triples")
            found = sorted({line for line in current.split(b"\n") if line.strip()})
            same = hashlib.sha256(b"\n".join(found)).hexdigest() == digest
        if info is not None and same:
            if diff is not None:
                diff.new, diff.resources = False, set()
            return info.triples
        return self.replace_graph_data(graph, b"\n".join(lines) + b"\n", "ntriples", self.base_iri + "/",
                                       Provenance.now(source, digest), diff=diff)

    def graph_resources(self, graph: str) -> set[str]:
        """The IRIs a graph mentions as subject or object (what dropping it changes)."""
        return {str(row["r"]) for row in self.select(render("store/graph-resources", graph=iri(graph)))}

    @abc.abstractmethod
    def drop_graph(self, graph: str) -> bool:
        """Remove a graph and its PROV record; False when there was no such graph."""

    # -- administration --------------------------------------------------------
    @abc.abstractmethod
    def graphs(self) -> list[GraphInfo]:
        """Every live named graph with its triple count and PROV (metadata graph included)."""

    def graph_info(self, graph: str) -> GraphInfo | None:
        return next((g for g in self.graphs() if g.name == graph), None)

    @abc.abstractmethod
    def dump(self, output: IO[bytes], syntax: DumpFormat = "nquads") -> int:
        """Write every live graph (and its PROV) to ``output``; returns the quad count."""

    @abc.abstractmethod
    def restore(self, source: Path, syntax: DumpFormat = "nquads") -> int:
        """Replace the whole store's content with a dump, all or nothing; returns the quad count."""

    @abc.abstractmethod
    def quads(self) -> Iterator[tuple[Node, Node, Node, Node]]:
        """Every live quad as rdflib terms (for tests and small exports)."""

    def version(self) -> str:
        """A token that changes whenever the store's content may have changed (for caches of what it holds).

        This default hashes the graphs' PROV records; back ends that see their own writes count them.
        """
        digest = hashlib.sha256()
        for info in self.graphs():
            digest.update(f"{info.name}\t{info.triples}\t{info.sha256}\t{info.loaded_at}\n".encode())
        return digest.hexdigest()

    @property
    def state(self) -> dict[str, object]:
        """Room for what is kept per store object (its publication, label caches): never module globals."""
        found = self.__dict__.get("_kg_state")
        if found is None:
            found = self.__dict__["_kg_state"] = {}
        return found  # type: ignore[no-any-return]

    def close(self) -> None:  # noqa: B027 - optional for back ends that hold nothing
        """Release files and connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

