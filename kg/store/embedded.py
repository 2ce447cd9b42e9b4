"""The embedded back end: Oxigraph through pyoxigraph, on disk or in memory.

Atomic replacement of a named graph is built on two facts about Oxigraph:
bulk loading is several times faster than a transactional load on disk but is
not atomic, and a SPARQL Update is one transaction.  So a load bulk-loads into
a *hidden* graph and then makes it visible in one transaction:

* a graph that does not exist yet is bulk-loaded in place while marked
  ``loading`` in the metadata graph, then unmarked together with its PROV record;
* a graph that exists is bulk-loaded into a staging graph, then switched in by
  one update that deletes the triples the new version lacks, inserts the ones it
  adds and rewrites PROV; the staging graph, still hidden, is removed afterwards.
  Writing only the difference keeps reloads of mostly unchanged sources cheap:
  transactional writes on disk are several times slower than bulk loading.

Queries never see hidden graphs: while any exist, the dataset of a query lists
the live graphs explicitly.  After a crash, :meth:`EmbeddedStore.recover` (run
on open) drops whatever a dead load left hidden, so every graph is either fully
the old or fully the new version.
"""

from __future__ import annotations

import contextlib
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TypeVar

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from kg.iris import Minter
from kg.namespaces import sparql_prologue
from kg.queries import iri, render, render_operation
from kg.sparql_text import has_dataset_clause
from kg.store.base import (
    DumpFormat,
    EvaluationError,
    GraphDiff,
    GraphInfo,
    Provenance,
    QueryResult,
    QueryTimeout,
    RdfSyntax,
    Store,
    StoreError,
    StoreUnavailable,
    UnwritableAnswer,
    prov_record_values,
    record_fields,
)
from kg.store.oxresults import write_boolean, write_graph, write_solutions
from kg.store.terms import (
    OX_FORMATS,
    evaluating,
    reading,
    serialize_counted,
    to_oxigraph,
    to_rdflib,
    value_of,
)

#: Sources smaller than this load in one transaction instead of through the bulk loader.
SMALL_SOURCE_BYTES = 1 << 20


class OxigraphResult(QueryResult):
    """An Oxigraph answer, written by Oxigraph's serialisers (graphs) or row by row (solutions).

    Nothing is evaluated past what is written: rows and triples are pulled one at
    a time, so the answer stops at ``max_rows`` (setting :attr:`truncated`) and at
    ``deadline`` (a :func:`time.monotonic` instant; :class:`QueryTimeout` is raised
    there).  What was pulled is kept, so :meth:`serialize` may be called again.
    """

    def __init__(self, result: object, max_rows: int | None = None, deadline: float | None = None) -> None:
        self._result = result
        self._max_rows = max_rows
        self._deadline = deadline
        self._rows: list[ox.QuerySolution] | None = None
        self._triples: list[ox.Triple] | None = None
        if isinstance(result, ox.QuerySolutions):
            self.kind = "bindings"
            self.variables = [v.value for v in result.variables]
        elif isinstance(result, ox.QueryBoolean):
            self.kind = "boolean"
        else:
            self.kind = "graph"

    def _check(self) -> None:
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise QueryTimeout("the query was stopped at its time limit")

    def _solutions(self) -> list[ox.QuerySolution]:
        if self._rows is None:
            rows: list[ox.QuerySolution] = []
            limit = self._max_rows
            for row in self._result:  # type: ignore[attr-defined]
                if limit is not None and len(rows) >= limit:
                    self.truncated = True  # one row more than the limit exists
                    break
                self._check()
                rows.append(row)
            self._rows = rows
        return self._rows

    def _graph(self) -> Iterator[ox.Triple]:
        if self._triples is not None:
            yield from self._triples
            return
        kept: list[ox.Triple] = []
        for triple in self._result:  # type: ignore[attr-defined]
            self._check()
            kept.append(triple)
            yield triple
        self._triples = kept

    def serialize(self, media_type: str) -> bytes:
        """The answer in ``media_type``; an error the engine meets while producing it is the query's
        (:class:`EvaluationError`), one its writer meets is the format's (:class:`UnwritableAnswer`)."""
        try:
            return self._serialize(media_type)
        except RuntimeError as exc:
            raise EvaluationError(str(exc)) from None
        except ValueError as exc:
            if str(exc).startswith("cannot write"):  # a format kg's negotiation should never have offered
                raise
            raise UnwritableAnswer(f"the answer cannot be written as {media_type}: {exc}") from None

    def _serialize(self, media_type: str) -> bytes:
        if self.kind == "graph":
            return write_graph(self._graph(), media_type)
        if self.kind == "boolean":
            return write_boolean(self._result, media_type)  # type: ignore[arg-type]
        if self._max_rows is None and self._deadline is None and self._rows is None:
            # Nothing to cut short: Oxigraph's own writer is several times faster than kg's (validation
            # reads millions of rows this way).
            fmt = ox.QueryResultsFormat.from_media_type(media_type)
            if fmt is not None:
                return self._result.serialize(format=fmt)  # type: ignore[attr-defined, no-any-return]
        return write_solutions(self.variables, self._solutions(), media_type)

    def rows(self) -> list[dict[str, Node]]:
        return [{v: to_rdflib(row[v]) for v in self.variables if row[v] is not None}
                for row in self._solutions()]


_T = TypeVar("_T")
_PROLOGUE = sparql_prologue()


class EmbeddedStore(Store):
    """Oxigraph on disk (``path``) or in memory (``path=None``).

    A reader takes two snapshots: the hidden graphs, then its query (or, for a
    dump, one snapshot per graph).  Writes readers can see are bracketed by
    counters that are odd while the write runs (a seqlock), so a reader whose
    snapshots straddle one retries instead of mixing two states: queries watch
    only the marking of graphs as hidden (short writes), dumps every write.
    """

    def __init__(self, base_iri: str, path: Path | None = None, readonly: bool = False) -> None:
        self.base_iri = base_iri.rstrip("/")
        self.path = path
        self.readonly = readonly
        self.minter = Minter(self.base_iri)
        self.meta = self.minter.meta_graph()
        self._write_lock = threading.RLock()
        self._writes = 0   # odd while a write readers can see is running
        self._marks = 0    # odd while a load marks a graph hidden
        try:
            if readonly and path is not None:
                self._ox = ox.Store.read_only(str(path))
            else:
                self._ox = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreUnavailable(
                    f"the store at {path} is open in another kg process (is `kg serve` running?); "
                    "stop it, or load through the server's Graph Store endpoint") from None
            raise StoreUnavailable(f"cannot open the store at {path}: {exc}") from None
        if not readonly:
            self.recover()

    def publish(self) -> int | None:
        """Publish the store's state as a new generation for readers in other processes (on disk only).

        Returns the generation's number (see :mod:`kg.store.snapshots`).
        """
        if self.path is None or self.readonly:
            return None
        from kg.store.snapshots import publish

        with self._write_lock:
            return publish(self._ox, self.path)

    def _writable(self) -> None:
        if self.readonly:
            raise StoreError("this store is open for reading only (a published generation); "
                             "write through the process that holds the store")

    version_is_cheap = True

    def version(self) -> str:
        """Counts this object's visible writes (a write by another process is seen through a new snapshot)."""
        return f"{self.path}:{self._writes}"

    # -- consistency between snapshots ------------------------------------------
    @contextlib.contextmanager
    def _visible_write(self, marking: bool = False) -> Iterator[None]:
        """Bracket a write that changes what readers see (``marking``: it hides a graph)."""
        with self._write_lock:
            self._writes += 1
            self._marks += marking
            try:
                yield
            finally:
                self._marks += marking
                self._writes += 1

    def _stable(self, counter: str, read: Callable[[], _T]) -> _T:
        """``read()`` again until no write watched by ``counter`` ran while it took its snapshots."""
        while True:
            before = getattr(self, counter)
            if before % 2 == 0:
                result = read()
                if getattr(self, counter) == before:
                    return result
            time.sleep(0.001)

    # -- datasets ----------------------------------------------------------------
    def _hidden(self) -> set[str]:
        rows = self._ox.query(render("store/hidden-graphs", meta=iri(self.meta)))
        return {row["g"].value for row in rows}  # type: ignore[union-attr, index]

    def _dataset(self, default_graphs: list[str] | None = None,
                 named_graphs: list[str] | None = None) -> dict[str, object]:
        """Query options: the union of live graphs, unless the caller names graphs."""
        hidden = self._hidden()
        live = None
        if hidden or default_graphs is not None or named_graphs is not None:
            live = [g for g in self._ox.named_graphs() if g.value not in hidden]
        options: dict[str, object] = {}
        if default_graphs is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs
                                        if g not in hidden] or [ox.DefaultGraph()]
        elif hidden:
            options["default_graph"] = live or [ox.DefaultGraph()]
        else:
            options["use_default_graph_as_union"] = True
        if named_graphs is not None:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs if g not in hidden]
        elif hidden:
            options["named_graphs"] = live
        return options

    def _query(self, query: str, **dataset: object) -> object:
        with evaluating("query"):
            return self._stable("_marks", lambda: self._ox.query(  # type: ignore[arg-type]
                query, **self._dataset(**dataset)))

    # -- reading ---------------------------------------------------------------
    def select(self, query: str) -> list[dict[str, Node]]:
        result = self._query(query)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        return [{n: to_rdflib(row[n]) for n in names if row[n] is not None} for row in result]

    def ask(self, query: str) -> bool:
        result = self._query(query)
        if not isinstance(result, ox.QueryBoolean):
            raise StoreError("ask() needs an ASK query")
        return bool(result)

    def construct(self, query: str) -> Graph:
        result = self._query(query)
        if not isinstance(result, ox.QueryTriples):
            raise StoreError("construct() needs a CONSTRUCT or DESCRIBE query")
        graph = Graph()
        for t in result:
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return graph

    def execute(self, query: str, default_graphs: list[str] | None = None,
                named_graphs: list[str] | None = None, max_rows: int | None = None,
                timeout: float | None = None) -> OxigraphResult:
        """Run any query form; see :meth:`Store.execute` for the contract.

        A query that names its own dataset (``FROM``/``FROM NAMED``) and gets none
        from the caller is run without dataset options, because Oxigraph lets
        options override the query's own clauses; Oxigraph looks those graphs up
        in the store and never dereferences them.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        if default_graphs is None and named_graphs is None and has_dataset_clause(query):
            with evaluating("query"):
                result = self._ox.query(query)
        else:
            result = self._query(query, default_graphs=default_graphs, named_graphs=named_graphs)
        if deadline is not None and time.monotonic() > deadline:
            raise QueryTimeout("the query was stopped at its time limit")
        return OxigraphResult(result, max_rows=max_rows, deadline=deadline)

    # -- writing ---------------------------------------------------------------
    def update(self, update: str, marking: bool = False) -> None:
        self._writable()
        with evaluating("update"), self._visible_write(marking):
            self._ox.update(update)

    def forget_empty_graphs(self) -> list[str]:
        """Oxigraph keeps a named graph after its last triple is deleted; kg forgets it (hidden graphs,
        which loads are filling, are left alone)."""
        hidden = self._hidden()
        empty = [g for g in self._ox.named_graphs() if g.value not in hidden
                 and next(iter(self._ox.quads_for_pattern(None, None, None, g)), None) is None]
        if empty:
            with self._visible_write():
                for graph in empty:
                    self._ox.remove_graph(graph)
        return [g.value for g in empty]

    def _count(self, graph: str) -> int:
        row = next(iter(self._ox.query(render("store/count-graph", graph=iri(graph)))))  # type: ignore[call-overload]
        return int(row["n"].value)

    def _bulk(self, source: str, graph: str, syntax: RdfSyntax, base_iri: str,
              path: Path | None = None, data: bytes | IO[bytes] | None = None) -> None:
        fmt = OX_FORMATS[syntax]
        target = ox.NamedNode(graph)
        size = path.stat().st_size if path is not None else len(data) if isinstance(data, bytes) else None
        # Bulk loading writes new files to disk whatever the size: a transaction is cheaper for small sources.
        loader = self._ox.load if size is not None and size < SMALL_SOURCE_BYTES else self._ox.bulk_load
        with reading(source):
            if path is not None:
                loader(path=str(path), format=fmt, base_iri=base_iri, to_graph=target)
            else:
                loader(data, format=fmt, base_iri=base_iri, to_graph=target)

    def _replace(self, graph: str, syntax: RdfSyntax, base_iri: str, provenance: Provenance,
                 path: Path | None = None, data: bytes | IO[bytes] | None = None,
                 diff: GraphDiff | None = None) -> int:
        self._writable()
        source = provenance.source or graph
        if syntax in {"nquads", "trig"}:
            return self._replace_from_dataset(graph, syntax, base_iri, provenance, path, data, diff)
        exists = self._ox.contains_named_graph(ox.NamedNode(graph)) or self.graph_info(graph) is not None
        target = graph
        if exists:
            target = self.minter.staging_graph(graph, secrets.token_hex(8))
            self.update(render("store/mark-staging", meta=iri(self.meta), staging=iri(target),
                               graph=iri(graph)), marking=True)
        else:
            self.update(render("store/mark-loading", meta=iri(self.meta), graph=iri(graph)), marking=True)
        try:
            self._bulk(source, target, syntax, base_iri, path=path, data=data)
            triples = self._count(target)
        except BaseException:
            self._discard(target)
            raise
        if diff is not None:
            diff.new = not exists
            diff.resources = self._diff_resources(graph, target) if exists else None
        values = prov_record_values(self.meta, graph, provenance, triples)
        if exists:
            self.update(render("store/switch-graph", staging=iri(target), **values))
            self._discard(target)
        else:
            self.update(render("store/commit-new-graph", **values))
        return triples

    def _diff_resources(self, graph: str, staging: str) -> set[str]:
        """The IRIs of the triples a switch of ``staging`` into ``graph`` adds or removes."""
        rows = self._ox.query(render("store/diff-resources", graph=iri(graph), staging=iri(staging)))
        return {row["r"].value for row in rows}  # type: ignore[union-attr, index]

    def _replace_from_dataset(self, graph: str, syntax: RdfSyntax, base_iri: str, provenance: Provenance,
                              path: Path | None, data: bytes | IO[bytes] | None,
                              diff: GraphDiff | None = None) -> int:
        """N-Quads/TriG sources: their triples, whatever graph they name, go into ``graph``."""
        source = provenance.source or graph
        with reading(source):
            quads = ox.parse(path=str(path), format=OX_FORMATS[syntax], base_iri=base_iri) if path \
                else ox.parse(data, format=OX_FORMATS[syntax], base_iri=base_iri)
            ntriples = ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads),
                                    format=ox.RdfFormat.N_TRIPLES) or b""
        return self._replace(graph, "ntriples", base_iri, provenance, data=ntriples, diff=diff)

    def _discard(self, hidden_graph: str) -> None:
        """Forget a hidden graph a failed load was filling."""
        with self._visible_write():
            if self._ox.contains_named_graph(ox.NamedNode(hidden_graph)):
                self._ox.remove_graph(ox.NamedNode(hidden_graph))
        self.update(render("store/forget-graph", meta=iri(self.meta), graph=iri(hidden_graph)))

    def drop_graph(self, graph: str) -> bool:
        self._writable()
        # a graph loaded with 0 triples exists only as its PROV record: that must be droppable too
        record = self._ox.quads_for_pattern(ox.NamedNode(graph), None, None, ox.NamedNode(self.meta))
        existed = self._ox.contains_named_graph(ox.NamedNode(graph)) or next(iter(record), None) is not None
        if existed:
            self.update(render("store/forget-graph", meta=iri(self.meta), graph=iri(graph)))
            with self._visible_write():
                if self._ox.contains_named_graph(ox.NamedNode(graph)):
                    self._ox.remove_graph(ox.NamedNode(graph))
        return existed

    # -- administration --------------------------------------------------------
    def graphs(self) -> list[GraphInfo]:
        hidden = self._hidden()
        rows = self._ox.query(render("store/graph-records", meta=iri(self.meta)))
        records = record_fields((value_of(row["g"]), value_of(row["p"]), value_of(row["o"]))  # type: ignore[index]
                                for row in rows)  # type: ignore[union-attr]
        infos = []
        for node in self._ox.named_graphs():
            name = node.value
            if name in hidden:
                continue
            record = records.get(name, {})
            triples = int(record["triples"]) if "triples" in record else self._count(name)
            infos.append(GraphInfo.of(name, triples, record))
        return sorted(infos, key=lambda g: g.name)

    def _live_quads(self) -> Iterator[ox.Quad]:
        """Every live quad, from snapshots no write fell between (a dump during a load is consistent)."""
        def snapshots() -> tuple[set[str], list[Iterator[ox.Quad]]]:
            hidden = self._hidden()
            graphs = sorted(self._ox.named_graphs(), key=lambda n: n.value)
            return hidden, [self._ox.quads_for_pattern(None, None, None, node) for node in graphs
                            if node.value not in hidden]

        hidden, iterators = self._stable("_writes", snapshots)
        for quads in iterators:
            for quad in quads:
                if self._is_hidden_record(quad, hidden):
                    continue
                yield quad

    @staticmethod
    def _is_hidden_record(quad: ox.Quad, hidden: set[str]) -> bool:
        return isinstance(quad.subject, ox.NamedNode) and quad.subject.value in hidden

    def dump(self, output: IO[bytes], syntax: DumpFormat = "nquads") -> int:
        return serialize_counted(self._live_quads(), output, syntax)

    def restore(self, source: Path, syntax: DumpFormat = "nquads") -> int:
        """Replace the store's content with a dump, all or nothing, even if the process is killed.

        Like a load, but for every graph at once: the dump is parsed before anything is written
        (a broken dump changes nothing); its graphs are bulk-loaded while hidden (in place for a
        graph the store lacks, into a staging graph for one it holds, the metadata graph among
        them); one transaction then writes the difference into each held graph, rewrites the
        metadata graph (which unhides the new graphs) and hides the graphs the dump lacks; the
        staging and dropped graphs, hidden, are removed last.  Killed before that transaction,
        recovery on open leaves the old store; after it, the restored one.
        """
        self._writable()
        live = {info.name for info in self.graphs()}
        held = live | {node.value for node in self._ox.named_graphs()}
        token = secrets.token_hex(8)
        staged: dict[str, str] = {self.meta: self.minter.staging_graph(self.meta, token)}
        with tempfile.TemporaryDirectory(prefix="kg-restore-") as tmp:
            hidden_copy = Path(tmp) / "restore.nq"
            count, in_place = self._stage_dump(source, syntax, hidden_copy, held, staged, token)
            marks = [render_operation("store/mark-staging", meta=iri(self.meta), staging=iri(s), graph=iri(g))
                     for g, s in staged.items()]
            marks += [render_operation("store/mark-loading", meta=iri(self.meta), graph=iri(g))
                      for g in in_place]
            self.update(_PROLOGUE + " ;\n".join(marks), marking=True)
            try:
                small = hidden_copy.stat().st_size < SMALL_SOURCE_BYTES
                loader = self._ox.load if small else self._ox.bulk_load
                loader(path=str(hidden_copy), format=ox.RdfFormat.N_QUADS)
            except BaseException:
                for graph in [*staged.values(), *in_place]:
                    self._discard(graph)
                raise
        dropped = sorted(live - set(staged) - set(in_place))
        leftovers = [*staged.values(), *dropped]
        commit = [render_operation("store/restore-switch-graph", graph=iri(g), staging=iri(s))
                  for g, s in sorted(staged.items())]
        commit += [render_operation("store/mark-discard", meta=iri(self.meta), graph=iri(g))
                   for g in leftovers]
        self.update(_PROLOGUE + " ;\n".join(commit), marking=True)
        for graph in leftovers:
            self._discard(graph)
        return count

    def _stage_dump(self, source: Path, syntax: DumpFormat, target: Path, held: set[str],
                    staged: dict[str, str], token: str) -> tuple[int, list[str]]:
        """Parse the whole dump into ``target`` as N-Quads, renaming each graph the store holds to a
        staging graph (recorded in ``staged``); returns the quad count and the graphs loaded in place."""
        in_place: list[str] = []
        seen: dict[str, ox.NamedNode] = {}

        def renamed(quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
            nonlocal count
            for quad in quads:
                if not isinstance(quad.graph_name, ox.NamedNode):
                    raise StoreError(f"{source}: has triples outside named graphs; a kg dump has none")
                name = quad.graph_name.value
                node = seen.get(name)
                if node is None:
                    if name in held or name == self.meta:
                        staged.setdefault(name, self.minter.staging_graph(name, token))
                        node = ox.NamedNode(staged[name])
                    else:
                        in_place.append(name)
                        node = quad.graph_name
                    seen[name] = node
                count += 1
                yield ox.Quad(quad.subject, quad.predicate, quad.object, node)

        count = 0
        with reading(str(source)), target.open("wb") as out:
            ox.serialize(renamed(ox.parse(path=str(source), format=OX_FORMATS[syntax])), out,
                         format=ox.RdfFormat.N_QUADS)
        return count, in_place

    def quads(self) -> Iterator[tuple[Node, Node, Node, Node]]:
        for q in self._live_quads():
            yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), to_rdflib(q.graph_name)

    def add_quads(self, quads: list[tuple[Node, Node, Node, Node]]) -> None:
        """Add quads in one transaction (tests and small derived graphs)."""
        self._writable()
        with self._visible_write():
            self._ox.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o),  # type: ignore[arg-type]
                                    to_oxigraph(g)) for s, p, o, g in quads)  # type: ignore[arg-type]

    def close(self) -> None:
        if self.path is not None and not self.readonly:
            with contextlib.suppress(OSError):
                self._ox.flush()
        self._ox = None  # type: ignore[assignment]


__all__ = ["EmbeddedStore", "OxigraphResult"]
