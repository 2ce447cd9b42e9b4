"""The remote back end: any SPARQL 1.1 Protocol + Update server (Virtuoso, Fuseki, GraphDB, an Oxigraph
server) in place of the embedded Oxigraph, with the semantics of :mod:`kg.store.embedded`.

How each guarantee is kept on a server kg does not control (which graphs are kg's, the default graph
as the union of the live graphs, atomic loads through hidden graphs, complete dumps) is
``docs/remote-store.md``; each operation here carries the recipe it needs.  The HTTP itself
(SPARQLWrapper for queries, one ``requests`` session for the rest, one table of what a server's
answers mean) is :mod:`kg.store.remote_http`.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from kg.config import Settings
from kg.iris import Minter
from kg.queries import iri, render, render_operation
from kg.sparql_text import QUERY_FORMS, has_dataset_clause, keywords, operation_form
from kg.store.base import (
    DumpFormat,
    GraphDiff,
    GraphInfo,
    Provenance,
    QueryResult,
    QuerySyntaxError,
    RdfSyntax,
    Store,
    StoreError,
    StoreUnavailable,
    prov_record_values,
    record_fields,
)
from kg.store.oxresults import media_of, write_boolean, write_graph, write_solutions
from kg.store.remote_http import RESULTS_XML, RemoteHttp, http_error
from kg.store.terms import OX_FORMATS, reading, serialize_counted, to_rdflib, value_of

#: The graph format kg asks servers for.
_NTRIPLES = "application/n-triples"
#: A graph that exists nowhere: the dataset of a query when no live graph is left to name.
_NO_GRAPH = "urn:x-kg:no-graph"
#: Triples per SPARQL Update request when uploading without the Graph Store Protocol.  Virtuoso
#: 7.2 compiles INSERT DATA in more than linear time (measured: 100 triples 0.13 s, 300 0.48 s,
#: 1,000 3.9 s; 5,000 exhausts its compiler's memory), so it gets small chunks.
_CHUNK_TRIPLES = {"virtuoso": 100}
_DEFAULT_CHUNK_TRIPLES = 5_000
#: Files up to this size go to the Graph Store in one PUT; larger ones as POSTs of _GSP_CHUNK_TRIPLES.
_GSP_ONE_REQUEST_BYTES = 64 * 1024 * 1024
_GSP_CHUNK_TRIPLES = 200_000
_BNODE_XML = re.compile(rb"<bnode>([^<]*)</bnode>")


# -- helpers without state -------------------------------------------------------
def _bnode_label(label: str) -> str:
    """A blank node label valid in N-Triples: Virtuoso writes ``nodeID://b10001`` in results."""
    label = label.removeprefix("nodeID://")
    return re.sub(r"[^A-Za-z0-9_]", "_", label) or "b"


def _clean_results_xml(body: bytes) -> bytes:
    return _BNODE_XML.sub(lambda m: b"<bnode>" + _bnode_label(m.group(1).decode()).encode() + b"</bnode>",
                          body)


# -- results -----------------------------------------------------------------------
class RemoteResult(QueryResult):
    """A server's answer, parsed, and written to kg's clients by Oxigraph in whatever format they ask for.

    Not the server's own bytes: Virtuoso's TSV header reads ``"x"`` instead of ``?x``, its CSV quotes the
    header, its JSON writes ``true`` as ``1`` and names blank nodes ``nodeID://…``, its JSON-LD and
    N-Triples differ in shape from Oxigraph's, and fetching another format would run the query twice.
    """

    def __init__(self, query_type: str, body: bytes, content_type: str, max_rows: int | None) -> None:
        media = media_of(content_type)
        if query_type in ("CONSTRUCT", "DESCRIBE"):
            self.kind = "graph"
            fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
            try:
                self._triples = [ox.Triple(q.subject, q.predicate, q.object)
                                 for q in ox.parse(body, format=fmt)]
            except SyntaxError as exc:
                raise StoreError(f"the remote store sent an unreadable {media} answer: {exc}") from None
        else:
            parsed = _parse_results(body, media)
            if isinstance(parsed, ox.QueryBoolean):
                self.kind = "boolean"
                self._boolean = parsed
            else:
                self.kind = "bindings"
                self.variables = [v.value for v in parsed.variables]
                rows: list[ox.QuerySolution] = []
                for row in parsed:
                    if max_rows is not None and len(rows) >= max_rows:
                        self.truncated = True
                        break
                    rows.append(row)
                self._rows = rows

    def serialize(self, media_type: str) -> bytes:
        if self.kind == "graph":
            return write_graph(self._triples, media_type)
        if self.kind == "boolean":
            return write_boolean(self._boolean, media_type)
        return write_solutions(self.variables, self._rows, media_type)

    def rows(self) -> list[dict[str, Node]]:
        return [{v: to_rdflib(row[v]) for v in self.variables if row[v] is not None} for row in self._rows]


def _parse_results(body: bytes, media: str) -> ox.QuerySolutions | ox.QueryBoolean:
    fmt = ox.QueryResultsFormat.from_media_type(media) or ox.QueryResultsFormat.XML
    if fmt == ox.QueryResultsFormat.XML:
        body = _clean_results_xml(body)
    try:
        return ox.parse_query_results(body, format=fmt)
    except SyntaxError as exc:
        raise StoreError(f"the remote store sent unreadable {media} results: {exc}") from None


# -- the store ---------------------------------------------------------------------
class RemoteStore(Store):
    """A SPARQL 1.1 Protocol + Update server (and optionally its Graph Store Protocol endpoint)."""

    def __init__(self, settings: Settings) -> None:
        if not settings.remote_query_url:
            raise StoreError("the remote store needs remote_query_url (KG_REMOTE_QUERY_URL)")
        self.base_iri = settings.base_iri.rstrip("/")
        self.minter = Minter(self.base_iri)
        self.meta = self.minter.meta_graph()
        self.query_url = settings.remote_query_url
        self.update_url = settings.remote_update_url or settings.remote_query_url
        self.gsp_url = settings.remote_gsp_url
        self.timeout = settings.remote_timeout
        self._http = RemoteHttp(self.query_url, self.update_url, settings.remote_auth, self.timeout)

    def _sparql(self, query: str, accept: str, params: list[tuple[str, str]] | None = None,
                timeout: float | None = None) -> tuple[bytes, str, str, dict[str, str]]:
        """Run a query; returns body, content type, query form (kg's tokenizer decides it) and headers."""
        form = operation_form(query)
        if form == "UPDATE":
            raise QuerySyntaxError("this is a SPARQL Update; send it as an update, not a query")
        answer = self._http.query(query, form or "SELECT", accept, params, timeout)
        return answer.body, answer.content_type, form or "SELECT", answer.headers

    # -- kg's own questions (explicit GRAPH patterns, so no dataset is needed) -------
    def _internal_rows(self, query: str) -> list[ox.QuerySolution]:
        body, ctype, _, _ = self._sparql(query, RESULTS_XML)
        parsed = _parse_results(body, media_of(ctype) or RESULTS_XML)
        return [] if isinstance(parsed, ox.QueryBoolean) else list(parsed)

    def _internal_ask(self, query: str) -> bool:
        body, ctype, _, _ = self._sparql(query, RESULTS_XML)
        return bool(_parse_results(body, media_of(ctype) or RESULTS_XML))

    def _hidden(self) -> set[str]:
        rows = self._internal_rows(render("store/hidden-graphs", meta=iri(self.meta)))
        return {row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode)}

    def _count(self, graph: str) -> int:
        rows = self._internal_rows(render("store/count-graph", graph=iri(graph)))
        return int(rows[0]["n"].value) if rows and rows[0]["n"] is not None else 0

    def _server_graphs(self) -> dict[str, int | None]:
        """Every named graph on the server, with its size when the server gives it for free."""
        if self._http.server().flavour == "virtuoso":
            rows = self._internal_rows(render("store/remote-graph-counts"))
            return {row["g"].value: int(row["n"].value) for row in rows if isinstance(row["g"], ox.NamedNode)}
        rows = self._internal_rows(render("store/remote-list-graphs"))
        return {row["g"].value: None for row in rows if isinstance(row["g"], ox.NamedNode)}

    def _exists(self, graph: str) -> bool:
        return self._internal_ask(render("store/remote-graph-exists", meta=iri(self.meta), graph=iri(graph)))

    # -- datasets ------------------------------------------------------------------
    def _dataset_params(self, query: str, default_graphs: list[str] | None,
                        named_graphs: list[str] | None) -> list[tuple[str, str]]:
        """Protocol parameters that make the default graph the union of the live graphs."""
        if default_graphs is None and named_graphs is None and has_dataset_clause(query):
            return []  # the query chose its own graphs; protocol parameters would override them
        hidden = self._hidden()
        flavour = self._http.server().flavour
        if default_graphs is None and named_graphs is None and not hidden:
            if flavour == "oxigraph":
                return [("union-default-graph", "true")]
            if flavour == "virtuoso":
                return []
        live: list[str] = []
        if default_graphs is None or named_graphs is None:
            live = sorted(g for g in self._server_graphs() if g not in hidden)
        defaults = live if default_graphs is None else [g for g in default_graphs if g not in hidden]
        named = live if named_graphs is None else [g for g in named_graphs if g not in hidden]
        return ([("default-graph-uri", g) for g in defaults or [_NO_GRAPH]]
                + [("named-graph-uri", g) for g in named or [_NO_GRAPH]])

    # -- reading ---------------------------------------------------------------------
    def _query(self, query: str, accept: str, default_graphs: list[str] | None = None,
               named_graphs: list[str] | None = None, timeout: float | None = None,
               ) -> tuple[bytes, str, str, dict[str, str], list[tuple[str, str]]]:
        params = self._dataset_params(query, default_graphs, named_graphs)
        body, ctype, form, headers = self._sparql(query, accept, params, timeout)
        return body, ctype, form, headers, params

    def select(self, query: str) -> list[dict[str, Node]]:
        body, ctype, form, headers, _ = self._query(query, RESULTS_XML)
        if form not in ("SELECT", None):
            raise StoreError("select() needs a SELECT query")
        if "x-sparql-maxrows" in headers:
            raise StoreError(f"the remote store cut the answer at {headers['x-sparql-maxrows']} rows "
                             "(Virtuoso's ResultSetMaxRows); raise that limit in its virtuoso.ini")
        parsed = _parse_results(body, media_of(ctype) or RESULTS_XML)
        if isinstance(parsed, ox.QueryBoolean):
            raise StoreError("select() needs a SELECT query")
        names = [v.value for v in parsed.variables]
        return [{n: to_rdflib(row[n]) for n in names if row[n] is not None} for row in parsed]

    def ask(self, query: str) -> bool:
        body, ctype, form, _, _ = self._query(query, RESULTS_XML)
        parsed = _parse_results(body, media_of(ctype) or RESULTS_XML)
        if form != "ASK" or not isinstance(parsed, ox.QueryBoolean):
            raise StoreError("ask() needs an ASK query")
        return bool(parsed)

    def construct(self, query: str) -> Graph:
        body, ctype, form, _, _ = self._query(query, _NTRIPLES)
        if form not in ("CONSTRUCT", "DESCRIBE"):
            raise StoreError("construct() needs a CONSTRUCT or DESCRIBE query")
        fmt = ox.RdfFormat.from_media_type(media_of(ctype)) or ox.RdfFormat.N_TRIPLES
        graph = Graph()
        try:
            for q in ox.parse(body, format=fmt):
                graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        except SyntaxError as exc:
            raise StoreError(f"the remote store sent an unreadable graph: {exc}") from None
        return graph

    def execute(self, query: str, default_graphs: list[str] | None = None,
                named_graphs: list[str] | None = None, max_rows: int | None = None,
                timeout: float | None = None) -> RemoteResult:
        accept = _NTRIPLES if operation_form(query) in ("CONSTRUCT", "DESCRIBE") else RESULTS_XML
        body, ctype, form, headers, _ = self._query(query, accept, default_graphs, named_graphs, timeout)
        result = RemoteResult(form, body, ctype or accept, max_rows)
        if "x-sparql-maxrows" in headers:
            result.truncated = True
        return result

    # -- writing -------------------------------------------------------------------
    def update(self, update: str) -> None:
        """Run a SPARQL Update; a query sent as one is refused here, as the embedded store's parser does.

        Virtuoso's update endpoint runs a query too and answers 200 (``ASK {}`` gives ``true``), so a
        client's query on ``/sparql/update`` would pass as a write and make kg refresh its derived graphs.
        """
        form = operation_form(update)
        if form in QUERY_FORMS:
            raise QuerySyntaxError(f"this is a SPARQL {form} query, not an update; send it as a query")
        if form is None and keywords(update) - {"BASE", "PREFIX"}:
            raise QuerySyntaxError("this is not a SPARQL Update: an update starts (after BASE and PREFIX) "
                                   "with INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY or WITH")
        self._http.update(update, syntax=True)

    @contextlib.contextmanager
    def _ntriples(self, source: str, syntax: RdfSyntax, base_iri: str, path: Path | None,
                  data: bytes | IO[bytes] | None) -> Iterator[Path]:
        """The source's triples as a local N-Triples file; a file that does not parse fails here,
        before any request (N-Quads/TriG: their triples, whatever graph they name)."""
        with tempfile.TemporaryDirectory(prefix="kg-upload-") as tmp:
            target = Path(tmp) / "graph.nt"
            with reading(source), target.open("wb") as out:
                quads = ox.parse(path=str(path), format=OX_FORMATS[syntax], base_iri=base_iri) \
                    if data is None else ox.parse(data, format=OX_FORMATS[syntax], base_iri=base_iri)
                ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), out,
                             format=ox.RdfFormat.N_TRIPLES)
            yield target

    def _upload(self, graph: str, ntriples: Path) -> None:
        """Fill an empty hidden graph: one Graph Store PUT, or chunked SPARQL Updates."""
        if self.gsp_url:
            self._http.server()
            if ntriples.stat().st_size <= _GSP_ONE_REQUEST_BYTES:
                with ntriples.open("rb") as body:
                    self._gsp_send("PUT", graph, body)
                return
            # Large files go as several POSTs (each adds its triples to the hidden graph): Virtuoso 7.2
            # stalled on one 1.4 GB PUT (lock waits, no progress in 20 minutes).  Each request scopes its
            # blank-node labels, so the chunks keep every blank node's triples together.
            for _, lines in _chunks(ntriples, _GSP_CHUNK_TRIPLES):
                self._gsp_send("POST", graph, ("\n".join(lines) + "\n").encode("utf-8"))
            return
        size = _CHUNK_TRIPLES.get(self._http.server().flavour, _DEFAULT_CHUNK_TRIPLES)
        for template, lines in _chunks(ntriples, size):
            try:
                self._http.update(render(template, graph=iri(graph), triples="\n".join(lines)))
            except StoreUnavailable:
                raise
            except StoreError as exc:
                raise StoreError(f"graph {graph}: the remote store refused the data: {exc}") from None

    def _gsp_send(self, method: str, graph: str, body: bytes | IO[bytes]) -> None:
        response = self._http.send(method, self.gsp_url, params={"graph": graph}, data=body,
                                   headers={"Content-Type": _NTRIPLES}, timeout=(self.timeout, None))
        if response.status_code >= 300:
            raise StoreError(f"graph {graph}: the remote store refused the data: "
                             f"{http_error(response.status_code, response.content, self.gsp_url)}")

    def _replace(self, graph: str, syntax: RdfSyntax, base_iri: str, provenance: Provenance,
                 path: Path | None = None, data: bytes | IO[bytes] | None = None,
                 diff: GraphDiff | None = None) -> int:
        source = provenance.source or graph
        with self._ntriples(source, syntax, base_iri, path, data) as ntriples:
            exists = self._exists(graph)
            target = graph
            if exists:
                target = self.minter.staging_graph(graph, secrets.token_hex(8))
                self._http.update(render("store/mark-staging", meta=iri(self.meta), staging=iri(target),
                                         graph=iri(graph)))
            else:
                self._http.update(render("store/mark-loading", meta=iri(self.meta), graph=iri(graph)))
            try:
                self._upload(target, ntriples)
                triples = self._count(target)
            except BaseException:
                with contextlib.suppress(StoreError):
                    self._discard(target)
                raise
        if diff is not None:
            diff.new = not exists
            diff.resources = None if not exists else {
                row["r"].value for row in self._internal_rows(
                    render("store/diff-resources", graph=iri(graph), staging=iri(target)))
                if row["r"] is not None}
        values = prov_record_values(self.meta, graph, provenance, triples)
        if exists:
            self._http.update(render("store/switch-graph", staging=iri(target), **values))
            self._discard(target)
        else:
            self._http.update(render("store/commit-new-graph", **values))
        return triples

    def _discard(self, hidden_graph: str) -> None:
        """Forget a hidden graph a failed load was filling."""
        self._http.update(render("store/forget-graph", meta=iri(self.meta), graph=iri(hidden_graph)))

    def drop_graph(self, graph: str) -> bool:
        existed = self._exists(graph)
        if existed:
            self._http.update(render("store/forget-graph", meta=iri(self.meta), graph=iri(graph)))
        return existed

    # -- administration --------------------------------------------------------------
    def _records(self) -> dict[str, dict[str, str]]:
        """kg's PROV record of each graph."""
        rows = self._internal_rows(render("store/graph-records", meta=iri(self.meta)))
        return record_fields((value_of(row["g"]), value_of(row["p"]), value_of(row["o"])) for row in rows)

    def _owned(self, name: str, records: dict[str, dict[str, str]]) -> bool:
        return name.startswith(self.base_iri + "/") or name in records

    def graphs(self) -> list[GraphInfo]:
        hidden = self._hidden()
        records = self._records()
        sizes = self._server_graphs()
        infos = []
        for name in sorted((set(sizes) | set(records)) - hidden):
            if not self._owned(name, records):
                continue
            record = records.get(name, {})
            size = sizes.get(name)
            recorded = record.get("triples")
            triples = int(recorded) if recorded else size if size is not None else self._count(name)
            infos.append(GraphInfo.of(name, triples, record))
        return infos

    def _graph_quads(self, name: str, hidden: set[str]) -> Iterator[ox.Quad]:
        query = render("store/remote-graph-triples", graph=iri(name))
        body, ctype, _, headers = self._sparql(query, _NTRIPLES)
        fmt = ox.RdfFormat.from_media_type(media_of(ctype)) or ox.RdfFormat.N_TRIPLES
        graph = ox.NamedNode(name)
        received = 0
        try:
            for q in ox.parse(body, format=fmt):
                received += 1
                if isinstance(q.subject, ox.NamedNode) and q.subject.value in hidden:
                    continue
                yield ox.Quad(q.subject, q.predicate, q.object, graph)
        except SyntaxError as exc:
            raise StoreError(f"the remote store sent an unreadable copy of {name}: {exc}") from None
        expected = self._count(name)
        if "x-sparql-maxrows" in headers or received < expected:
            raise StoreError(f"the remote store sent {received} of the {expected} triples of {name} "
                             "(Virtuoso's ResultSetMaxRows?); raise that limit and dump again")

    def _live_quads(self) -> Iterator[ox.Quad]:
        hidden = self._hidden()
        for info in self.graphs():
            yield from self._graph_quads(info.name, hidden)

    def dump(self, output: IO[bytes], syntax: DumpFormat = "nquads") -> int:
        return serialize_counted(self._live_quads(), output, syntax)

    def restore(self, source: Path, syntax: DumpFormat = "nquads") -> int:
        """Replace kg's graphs on the server with a dump: upload every graph hidden, then one
        update drops kg's graphs and moves the uploads in.  Other applications' graphs stay."""
        with tempfile.TemporaryDirectory(prefix="kg-restore-") as tmp:
            files, count = _split_dump(source, syntax, Path(tmp))
            staged: dict[str, str] = {}
            try:
                for name, path in files.items():
                    staging = self.minter.staging_graph(name, secrets.token_hex(8))
                    self._http.update(render("store/mark-staging", meta=iri(self.meta), staging=iri(staging),
                                             graph=iri(name)))
                    staged[name] = staging
                    self._upload(staging, path)
            except BaseException:
                with contextlib.suppress(StoreError):
                    for staging in staged.values():
                        self._discard(staging)
                raise
        current = {info.name for info in self.graphs()} | {self.meta}
        drops = " ;\n".join(render_operation("store/remote-drop-graph", graph=iri(g))
                            for g in sorted(current))
        moves = " ;\n".join(render_operation("store/remote-move-graph", graph=iri(g), staging=iri(s))
                            for g, s in sorted(staged.items()))
        self._http.update(render("store/remote-restore-switch", drops=drops,
                                 moves=(" ;\n" + moves) if moves else ""))
        return count

    def quads(self) -> Iterator[tuple[Node, Node, Node, Node]]:
        for q in self._live_quads():
            yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), to_rdflib(q.graph_name)

    def close(self) -> None:
        self._http.close()


def _split_dump(source: Path, syntax: DumpFormat, folder: Path) -> tuple[dict[str, Path], int]:
    """Parse a whole dump before touching the server, writing one N-Triples file per graph."""
    files: dict[str, Path] = {}
    handles: dict[str, IO[bytes]] = {}
    count = 0
    try:
        with reading(str(source)):
            for quad in ox.parse(path=str(source), format=OX_FORMATS[syntax]):
                if not isinstance(quad.graph_name, ox.NamedNode):
                    raise StoreError(f"{source}: has triples outside named graphs; a kg dump has none")
                name = quad.graph_name.value
                if name not in handles:
                    files[name] = folder / f"{len(files)}.nt"
                    handles[name] = files[name].open("wb")
                handles[name].write(f"{quad.subject} {quad.predicate} {quad.object} .\n".encode())
                count += 1
    finally:
        for handle in handles.values():
            handle.close()
    return files, count


def _chunks(ntriples: Path, size: int) -> Iterator[tuple[str, list[str]]]:
    """Chunks of SPARQL Update triples; each blank node's triples stay in one chunk (one request
    scopes its labels), so a graph's blank-node components are grouped with a union-find."""
    plain: list[str] = []
    with_bnodes: list[tuple[str, list[str]]] = []
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    for t in ox.parse(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES):
        line = f"{t.subject} {t.predicate} {t.object} ."
        labels = [term.value for term in (t.subject, t.object) if isinstance(term, ox.BlankNode)]
        if not labels:
            plain.append(line)
            if len(plain) >= size:
                yield "store/remote-insert-data", plain
                plain = []
            continue
        with_bnodes.append((line, labels))
        first = root(labels[0])
        for other in labels[1:]:
            parent[root(other)] = first
    if plain:
        yield "store/remote-insert-data", plain
    components: dict[str, list[str]] = {}
    for line, labels in with_bnodes:
        components.setdefault(root(labels[0]), []).append(line)
    chunk: list[str] = []
    for lines in components.values():
        if chunk and len(chunk) + len(lines) > size:
            yield "store/remote-insert-bnodes", chunk
            chunk = []
        chunk.extend(lines)
    if chunk:
        yield "store/remote-insert-bnodes", chunk


__all__ = ["RemoteResult", "RemoteStore"]
