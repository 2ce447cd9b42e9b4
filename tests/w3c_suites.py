"""A runner for the W3C SPARQL 1.0 and 1.1 test suites, through kg's HTTP endpoints.

The suites (``w3c-rdf-tests/sparql/`` in the reference folder) are read from their
manifests, never from a hand-kept list: ``sparql10/manifest.ttl`` and
``sparql11/manifest-all.ttl`` with everything they include.  Each test becomes a
:class:`Case` of one kind (query or update syntax, query or update evaluation, result
format) and is run as a client would run it:

* **Syntax tests** are sent to ``/sparql`` or ``/sparql/update`` with ``Accept:
  application/problem+json``; the answer's status and problem type say whether kg (and
  its engine) took the text as SPARQL.  A positive test passes when the request is run
  or refused for what it asks (an ``evaluation`` problem: the graph to drop does not
  exist), a negative one when it is refused as a ``syntax`` error.
* **Query evaluation tests** load their data files through the Graph Store Protocol
  (``PUT /sparql/graph?graph=<the file's IRI>``, so relative IRIs in a file resolve
  against its own IRI, as the suites mean), then send the query with ``BASE <the query
  file's IRI>`` in front (the client's ``BASE`` wins over kg's) and the test's dataset
  as ``default-graph-uri``/``named-graph-uri``, unless the query names its own with
  ``FROM``.  Answers are fetched in the format of the expected result (XML, JSON, CSV,
  TSV; RDF for CONSTRUCT) and compared as the suites define: solution multisets with a
  blank-node mapping (sequences when the query orders them), graphs by isomorphism,
  numbers by value.
* **Update evaluation tests** start from an empty store, load the test's default graph
  (``PUT ?default``) and named graphs (``PUT ?graph=<label>``), run the update and read
  the store back over HTTP (``GET ?default`` and a ``GRAPH ?g`` query); the graphs are
  compared by isomorphism (a graph with no triples counts as absent, the rule kg keeps).

Every answer's status is recorded, so a test can assert that nothing in the suites is
answered 5xx.  :func:`engine_answer` runs the same test on a bare pyoxigraph store: where
kg differs from the suite because its engine does, kg must give exactly the engine's answer.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urljoin

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.query import Result
from rdflib.term import Node

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")

#: Where the suites are published: the IRIs their files have, so that relative IRIs resolve as intended.
PUBLISHED = "https://w3c.github.io/rdf-tests/sparql/"
#: The manifests that include every other one.
ROOT_MANIFESTS = ("sparql10/manifest.ttl", "sparql11/manifest-all.ttl")
#: A graph that exists nowhere: the default graph of a test without data.
NO_GRAPH = "urn:x-kg-test:no-graph"

KINDS = {
    MF.PositiveSyntaxTest: "query-syntax", MF.NegativeSyntaxTest: "query-syntax",
    MF.PositiveSyntaxTest11: "query-syntax", MF.NegativeSyntaxTest11: "query-syntax",
    MF.PositiveUpdateSyntaxTest11: "update-syntax", MF.NegativeUpdateSyntaxTest11: "update-syntax",
    MF.QueryEvaluationTest: "query-evaluation", MF.UpdateEvaluationTest: "update-evaluation",
    MF.CSVResultFormatTest: "result-format",
}
#: Folders of the suites kg does not run here, and why (the runner counts them, nothing is silently lost).
NOT_RUN = {
    "entailment": "needs an entailment regime (RDFS, OWL, D-entailment); kg's endpoint answers under simple "
                  "entailment and keeps OWL RL inferences in their own graph instead",
    "service": "needs mock SPARQL endpoints at example.org, and kg refuses SERVICE by policy (it never calls "
               "other servers; tested in tests/test_sparql_safety.py)",
    "protocol": "HTTP request/response pairs run by tests/test_sparql_w3c.py from the Protocol manifest",
    "graph-store-protocol": "described in prose, not machine-readable; the Graph Store Protocol is tested in "
                            "tests/test_sparql_clients.py",
    "service-description": "described in prose, not machine-readable; the service description is tested in "
                           "tests/test_sparql_protocol.py",
}
_NUMERIC = {str(t) for t in (XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.int, XSD.long, XSD.short,
                             XSD.byte, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.negativeInteger,
                             XSD.nonPositiveInteger, XSD.unsignedInt, XSD.unsignedLong, XSD.unsignedShort,
                             XSD.unsignedByte)}
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)  # ill-typed literals are what some tests test
_FROM = re.compile(r"\bFROM\s+(?:NAMED\s+)?<([^>]*)>", re.IGNORECASE)


@dataclass
class Case:
    """One test of the suites, as its manifest states it."""

    name: str               # e.g. "sparql11/functions#strbefore01a"
    kind: str               # a value of KINDS
    positive: bool          # syntax tests: whether the text is valid SPARQL
    folder: str             # the test's folder, e.g. "functions"
    action: Path            # the query or update file
    data: list[Path] = field(default_factory=list)            # default graph (query and update tests)
    graph_data: list[tuple[str, Path]] = field(default_factory=list)  # named graphs: (name, file)
    result: Path | None = None
    result_data: Path | None = None                          # update tests: the expected default graph
    result_graphs: list[tuple[str, Path]] = field(default_factory=list)

    @property
    def suite(self) -> str:
        """The counting unit of ``docs/sparql.md``: e.g. ``sparql11 query-evaluation``."""
        return f"{self.name.split('/', 1)[0]} {self.kind}"


def iri_of(root: Path, path: Path) -> str:
    """The published IRI of a file of the suites."""
    return PUBLISHED + path.resolve().relative_to(root.resolve()).as_posix()


def path_of(root: Path, iri: str) -> Path:
    """The file of the suites a published IRI names."""
    if not iri.startswith(PUBLISHED):
        raise ValueError(f"not a file of the suites: {iri}")
    return root / iri[len(PUBLISHED):]


def load_cases(root: Path) -> tuple[list[Case], Counter[str]]:
    """Every test the root manifests include, and the tests left out per folder (see :data:`NOT_RUN`)."""
    cases: list[Case] = []
    skipped: Counter[str] = Counter()
    seen: set[Path] = set()

    def walk(manifest: Path) -> None:
        if manifest in seen:
            return
        seen.add(manifest)
        graph = Graph().parse(manifest, format="turtle", publicID=iri_of(root, manifest))
        for head in graph.subjects(RDF.type, MF.Manifest):
            for included in graph.objects(head, MF.include):
                for item in Collection(graph, included):
                    walk(path_of(root, str(item)))
            for entries in graph.objects(head, MF.entries):
                for entry in Collection(graph, entries):
                    folder = manifest.parent.name
                    if folder in NOT_RUN:
                        skipped[folder] += 1
                        continue
                    case = _case(root, graph, entry, manifest)
                    if case is not None:
                        cases.append(case)

    for name in ROOT_MANIFESTS:
        walk(root / name)
    return cases, skipped


def _case(root: Path, graph: Graph, entry: Node, manifest: Path) -> Case | None:
    kind_iri = graph.value(entry, RDF.type)
    kind = KINDS.get(kind_iri)  # type: ignore[call-overload]
    if kind is None:
        raise ValueError(f"{manifest}: a test of a kind this runner does not know: {kind_iri}")
    relative = manifest.parent.resolve().relative_to(root.resolve()).as_posix()
    name = f"{relative}#{str(entry).rsplit('#', 1)[-1]}"
    positive = "Negative" not in str(kind_iri)
    action = graph.value(entry, MF.action)
    file = lambda node: path_of(root, str(node))  # noqa: E731
    if kind in ("query-syntax", "update-syntax"):
        path = file(action)
        # the update suites type some of their syntax tests as query syntax tests: the file says which
        return Case(name, "update-syntax" if path.suffix == ".ru" else "query-syntax", positive,
                    manifest.parent.name, path)
    result = graph.value(entry, MF.result)
    if kind == "update-evaluation":
        case = Case(name, kind, True, manifest.parent.name, file(graph.value(action, UT.request)))
        case.data = [file(d) for d in graph.objects(action, UT.data)]
        case.graph_data = [(str(graph.value(g, RDFS.label)), file(graph.value(g, UT.graph)))
                           for g in graph.objects(action, UT.graphData)]
        if result is not None:
            found = list(graph.objects(result, UT.data))
            case.result_data = file(found[0]) if found else None
            case.result_graphs = [(str(graph.value(g, RDFS.label)), file(graph.value(g, UT.graph)))
                                  for g in graph.objects(result, UT.graphData)]
        return case
    case = Case(name, kind, True, manifest.parent.name, file(graph.value(action, QT.query)))
    case.data = sorted(file(d) for d in graph.objects(action, QT.data))
    case.graph_data = sorted((iri_of(root, file(g)), file(g)) for g in graph.objects(action, QT.graphData))
    case.result = file(result) if result is not None else None
    return case


# -- terms and answers ------------------------------------------------------------------------------

def _value(term: Node) -> Node | tuple[str, object]:
    """A term as the suites compare it: numbers by value (with their datatype), ``xsd:string`` literals as
    the simple literals they are (RDF 1.1), the rest as themselves."""
    if isinstance(term, Literal) and term.datatype is not None and str(term.datatype) == str(XSD.string):
        return Literal(str(term))
    if isinstance(term, Literal) and term.datatype is not None and str(term.datatype) in _NUMERIC:
        text = str(term).strip()
        try:
            number: object = Decimal(text) if str(term.datatype) != str(XSD.double) and \
                str(term.datatype) != str(XSD.float) else float(text)
        except (InvalidOperation, ValueError):
            return term
        return (str(term.datatype), number)
    return term


Row = dict[str, Node]


@dataclass
class Answer:
    """A query's answer in a form the suites' comparisons work on."""

    kind: str                                     # "bindings", "boolean", "graph"
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    variables: list[str] = field(default_factory=list)

    def describe(self, limit: int = 6) -> str:
        if self.kind == "boolean":
            return str(self.boolean).lower()
        if self.kind == "graph":
            assert self.graph is not None
            return f"{len(self.graph)} triples"
        shown = "; ".join(" ".join(f"{k}={v.n3()}" for k, v in sorted(r.items())) for r in self.rows[:limit])
        return f"{len(self.rows)} rows: {shown}" + (" …" if len(self.rows) > limit else "")


def _bnodes(row: Row) -> bool:
    return any(isinstance(v, BNode) for v in row.values())


def _signature(row: Row) -> tuple[tuple[str, object], ...]:
    return tuple(sorted((k, "_:" if isinstance(v, BNode) else _value(v)) for k, v in row.items()))


def same_rows(expected: list[Row], actual: list[Row], ordered: bool | list[str]) -> bool:
    """Solution sequences equal as the suites define: a multiset equal up to a consistent renaming of
    blank nodes, numbers compared by value; when ``ordered``, also in the same order.

    ``ordered`` may list the variables the query orders by (``ORDER BY ?a DESC(?b)``): then rows that
    tie on them may come in any order, as the spec allows; ``True`` compares the whole rows in order.
    """
    if len(expected) != len(actual):
        return False
    if ordered is True:
        return _match_in_order(expected, actual, {})
    if ordered:
        keys = lambda rows: [tuple("_:" if isinstance(r.get(v), BNode) else  # noqa: E731
                                   _value(r[v]) if v in r else None for v in ordered) for r in rows]
        if keys(expected) != keys(actual):
            return False
    if Counter(map(_signature, expected)) != Counter(map(_signature, actual)):
        return False
    if not any(map(_bnodes, expected)) and not any(map(_bnodes, actual)):
        return True
    return _match_unordered(sorted(expected, key=lambda r: -sum(isinstance(v, BNode) for v in r.values())),
                            list(actual), {}, set())


def _bind(expected: Row, actual: Row, mapping: dict[BNode, BNode]) -> dict[BNode, BNode] | None:
    if set(expected) != set(actual):
        return None
    new = dict(mapping)
    used = set(new.values())
    for var, value in expected.items():
        other = actual[var]
        if isinstance(value, BNode) and isinstance(other, BNode):
            if value in new:
                if new[value] != other:
                    return None
            elif other in used:
                return None
            else:
                new[value] = other
                used.add(other)
        elif isinstance(value, BNode) or isinstance(other, BNode) or _value(value) != _value(other):
            return None
    return new


def _match_in_order(expected: list[Row], actual: list[Row], mapping: dict[BNode, BNode]) -> bool:
    for e, a in zip(expected, actual, strict=True):
        found = _bind(e, a, mapping)
        if found is None:
            return False
        mapping = found
    return True


def _match_unordered(expected: list[Row], actual: list[Row], mapping: dict[BNode, BNode],
                     taken: set[int]) -> bool:
    if len(taken) == len(expected):
        return True
    row = expected[len(taken)]
    for i, candidate in enumerate(actual):
        if i in taken:
            continue
        found = _bind(row, candidate, mapping)
        if found is not None and _match_unordered(expected, actual, found, taken | {i}):
            return True
    return False


def same_graph(expected: Graph, actual: Graph) -> bool:
    """Graphs equal by isomorphism, numbers compared by value (lexical forms normalised first)."""
    return isomorphic(_normal(expected), _normal(actual))


def _normal(graph: Graph) -> Graph:
    out = Graph()
    for s, p, o in graph:
        value = _value(o)
        if isinstance(value, tuple):
            o = Literal(str(value[1]), datatype=URIRef(value[0]))
        out.add((s, p, o))
    return out


def same_answer(expected: Answer, actual: Answer, ordered: bool | list[str]) -> bool:
    if expected.kind != actual.kind:
        return False
    if expected.kind == "boolean":
        return expected.boolean == actual.boolean
    if expected.kind == "graph":
        assert expected.graph is not None and actual.graph is not None
        return same_graph(expected.graph, actual.graph)
    return same_rows(expected.rows, actual.rows, ordered)


# -- reading answers --------------------------------------------------------------------------------

RESULT_MEDIA = {".srx": "application/sparql-results+xml", ".srj": "application/sparql-results+json",
                ".csv": "text/csv", ".tsv": "text/tab-separated-values"}
_RDFLIB_RESULTS = {"application/sparql-results+xml": "xml", "application/sparql-results+json": "json",
                   "text/tab-separated-values": "tsv"}
_RDF_FORMATS = {".ttl": "turtle", ".rdf": "xml", ".nt": "nt", "text/turtle": "turtle",
                "application/n-triples": "nt"}


def read_results(body: bytes, media: str, base: str | None = None) -> Answer:
    """A SELECT/ASK answer in a results format, or a graph, as an :class:`Answer`."""
    if media == "text/csv":
        return _read_csv(body)
    if media in _RDF_FORMATS:
        graph = Graph().parse(data=body, format=_RDF_FORMATS[media], publicID=base)
        return _as_answer(graph)
    result = Result.parse(io.BytesIO(body), format=_RDFLIB_RESULTS[media])
    if result.type == "ASK":
        return Answer("boolean", boolean=bool(result.askAnswer))
    variables = [str(v) for v in result.vars or []]
    rows = [{str(k): v for k, v in row.items() if v is not None} for row in result.bindings]
    return Answer("bindings", rows=rows, variables=variables)


def _as_answer(graph: Graph) -> Answer:
    """A graph, or the SELECT/ASK answer it encodes in the result-set vocabulary."""
    if (None, RDF.type, RS.ResultSet) in graph:
        return _from_result_set(graph)
    return Answer("graph", graph=graph)


def _read_csv(body: bytes) -> Answer:
    """CSV results keep no term types: every value is compared as its text (blank nodes as ``_:`` labels)."""
    reader = csv.reader(io.StringIO(body.decode("utf-8")))
    header = next(reader, [])
    rows = []
    for record in reader:
        row: Row = {}
        for name, text in zip(header, record, strict=False):
            if text == "":
                continue
            row[name] = BNode(text[2:]) if text.startswith("_:") else Literal(text)
        rows.append(row)
    return Answer("bindings", rows=rows, variables=header)


def _from_result_set(graph: Graph) -> Answer:
    """The DAWG result-set vocabulary (``rs:ResultSet``) some SPARQL 1.0 tests use for expected results."""
    head = next(graph.subjects(RDF.type, RS.ResultSet))
    boolean = graph.value(head, RS.boolean)
    if boolean is not None:
        return Answer("boolean", boolean=boolean.toPython() in (True, "true"))
    variables = [str(v) for v in graph.objects(head, RS.resultVariable)]
    indexed: list[tuple[int, Row]] = []
    for solution in graph.objects(head, RS.solution):
        row: Row = {}
        for binding in graph.objects(solution, RS.binding):
            row[str(graph.value(binding, RS.variable))] = graph.value(binding, RS.value)  # type: ignore[assignment]
        index = graph.value(solution, RS["index"])  # RS.index is str.index
        indexed.append((int(index) if index is not None else 0, row))
    indexed.sort(key=lambda pair: pair[0])
    return Answer("bindings", rows=[row for _, row in indexed], variables=variables)


def expected_answer(case: Case, root: Path) -> Answer:
    assert case.result is not None
    suffix = case.result.suffix
    media = RESULT_MEDIA.get(suffix) or {".ttl": "text/turtle", ".nt": "application/n-triples"}.get(suffix)
    if suffix == ".rdf":
        return _as_answer(Graph().parse(case.result, format="xml", publicID=iri_of(root, case.result)))
    return read_results(case.result.read_bytes(), media, iri_of(root, case.result))


_ORDER_BY = re.compile(r"\bORDER\s+BY\s+(.*?)(?:\bLIMIT\b|\bOFFSET\b|\}|$)", re.IGNORECASE | re.DOTALL)
_ORDER_KEY = re.compile(r"(?:ASC|DESC)?\s*\(\s*\?(\w+)\s*\)|\?(\w+)", re.IGNORECASE)


def is_ordered(query: str) -> bool | list[str]:
    """Whether a query's answer is a sequence: the variables it is ordered by when they are plain
    variables (ties may come in any order), True when it orders by an expression, False when unordered.
    Only the outermost ``ORDER BY`` orders an answer; one inside a sub-select does not count."""
    matches = list(_ORDER_BY.finditer(query))
    if not matches or query[matches[-1].start():].count("}") > query[matches[-1].start():].count("{"):
        return False
    clause = matches[-1].group(1).strip()
    keys = _ORDER_KEY.findall(clause)
    rebuilt = _ORDER_KEY.sub("", clause).strip()
    if not keys or rebuilt:
        return True
    return [a or b for a, b in keys]


def query_text(case: Case, root: Path) -> str:
    """The query or update as a client sends it: ``BASE <its file's IRI>`` first, as the suites resolve it."""
    return f"BASE <{iri_of(root, case.action)}>\n" + case.action.read_text(encoding="utf-8")


def dataset_files(case: Case, root: Path) -> list[Path]:
    """Every file a query test needs loaded as a graph: its data, its named graphs, what ``FROM`` names."""
    files = [*case.data, *(p for _, p in case.graph_data)]
    if case.kind in ("query-evaluation", "result-format"):
        base = iri_of(root, case.action)
        for match in _FROM.finditer(case.action.read_text(encoding="utf-8")):
            iri = urljoin(base, match.group(1))
            if iri.startswith(PUBLISHED) and path_of(root, iri).is_file():
                files.append(path_of(root, iri))
    return files


RDF_MEDIA = {".ttl": "text/turtle", ".rdf": "application/rdf+xml", ".nt": "application/n-triples"}


# -- the bare engine ---------------------------------------------------------------------------------

def engine_answer(case: Case, root: Path) -> Answer | str:
    """The same query evaluation test on a bare pyoxigraph store: its answer, or its error message."""
    store = ox.Store()
    for path in dataset_files(case, root):
        store.load(path=str(path), format=ox.RdfFormat.from_extension(path.suffix[1:]),
                   base_iri=iri_of(root, path), to_graph=ox.NamedNode(iri_of(root, path)))
    text = case.action.read_text(encoding="utf-8")
    options: dict[str, object] = {}
    if not re.search(r"\bFROM\b", text, re.IGNORECASE):
        options["default_graph"] = [ox.NamedNode(iri_of(root, p)) for p in case.data] or [ox.DefaultGraph()]
        options["named_graphs"] = [ox.NamedNode(name) for name, _ in case.graph_data]
    try:
        result = store.query(text, base_iri=iri_of(root, case.action), **options)  # type: ignore[arg-type]
        media = RESULT_MEDIA.get(case.result.suffix if case.result else ".srx", RESULT_MEDIA[".srx"])
        if isinstance(result, ox.QueryTriples):
            body = ox.serialize(result, format=ox.RdfFormat.N_TRIPLES) or b""
            return Answer("graph", graph=Graph().parse(data=body, format="nt"))
        if isinstance(result, ox.QueryBoolean):
            media = "application/sparql-results+xml" if media in ("text/csv", "text/tab-separated-values") \
                else media
        return read_results(result.serialize(format=ox.QueryResultsFormat.from_media_type(media)), media)
    except (SyntaxError, RuntimeError, ValueError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"


def engine_update_state(case: Case, root: Path) -> dict[str, Graph] | str:
    """An update evaluation test on a bare pyoxigraph store: the graphs after the update, or its error."""
    store = ox.Store()
    for path in case.data:
        store.load(path=str(path), format=ox.RdfFormat.from_extension(path.suffix[1:]),
                   base_iri=iri_of(root, path), to_graph=ox.DefaultGraph())
    for name, path in case.graph_data:
        store.load(path=str(path), format=ox.RdfFormat.from_extension(path.suffix[1:]),
                   base_iri=iri_of(root, path), to_graph=ox.NamedNode(name))
    try:
        store.update(case.action.read_text(encoding="utf-8"), base_iri=iri_of(root, case.action))
    except (SyntaxError, RuntimeError, ValueError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"
    body = ox.serialize(store, format=ox.RdfFormat.N_QUADS) or b""
    return quads_to_graphs(body)


def quads_to_graphs(nquads: bytes) -> dict[str, Graph]:
    """N-Quads as a graph per name (``""`` for the default graph); empty graphs are absent."""
    graphs: dict[str, Graph] = {}
    for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        name = "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        line = ox.serialize([ox.Triple(quad.subject, quad.predicate, quad.object)],
                            format=ox.RdfFormat.N_TRIPLES) or b""
        graphs.setdefault(name, Graph()).parse(data=line, format="nt")
    return graphs


def expected_state(case: Case, root: Path) -> dict[str, Graph]:
    """The graphs an update test expects afterwards (``""`` the default graph); empty ones are absent."""
    graphs: dict[str, Graph] = {}
    if case.result_data is not None:
        graphs[""] = _graph_file(case.result_data, root)
    for name, path in case.result_graphs:
        graphs[name] = _graph_file(path, root)
    return {name: g for name, g in graphs.items() if len(g)}


def _graph_file(path: Path, root: Path) -> Graph:
    return Graph().parse(path, format=_RDF_FORMATS[path.suffix], publicID=iri_of(root, path))


def same_state(expected: dict[str, Graph], actual: dict[str, Graph]) -> bool:
    """Two stores equal graph by graph (by isomorphism; blank nodes are not shared between graphs in
    the suites' update tests)."""
    return set(expected) == set(actual) and all(same_graph(expected[n], actual[n]) for n in expected)


# -- outcomes ---------------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What running one test gave: whether it passed, what was wrong, and every HTTP status seen."""

    name: str
    passed: bool
    detail: str = ""
    statuses: list[int] = field(default_factory=list)
    answer: Answer | dict[str, Graph] | None = None


Send = Callable[..., tuple[int, dict[str, str], bytes]]


def problem_kind(status: int, headers: dict[str, str], body: bytes) -> str:
    """The problem type's short name of an error answer in ``application/problem+json``."""
    if status < 300:
        return "ok"
    if headers.get("content-type", "").startswith("application/problem+json"):
        return str(json.loads(body).get("type", "")).rsplit("/", 1)[-1]
    return f"status {status}"


def files_by_suffix(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    for path in paths:
        yield path, RDF_MEDIA[path.suffix]


# -- running through kg's endpoints ------------------------------------------------------------------

class KgRunner:
    """Runs cases through a kg app's endpoints (a Flask test client), loading each data file once.

    Query tests share one store: every data file is a graph named by its IRI, and each query gets
    its dataset through the Protocol.  Update tests empty the store first (``DROP ALL``).
    """

    def __init__(self, client: object, token: str, root: Path,
                 excluded_graphs: Callable[[str], bool]) -> None:
        self.client, self.token, self.root = client, token, root
        self.excluded = excluded_graphs
        self.loaded: set[str] = set()
        self.statuses: Counter[int] = Counter()

    # -- HTTP ----------------------------------------------------------------------------------------
    def request(self, method: str, path: str, **kwargs: object) -> tuple[int, dict[str, str], bytes]:
        response = getattr(self.client, method.lower())(path, **kwargs)
        self.statuses[response.status_code] += 1
        headers = {k.lower(): v for k, v in response.headers.items()}
        return response.status_code, headers, response.data

    def _auth(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def put(self, path: Path, graph: str | None) -> int:
        target = "/sparql/graph?default" if graph is None else "/sparql/graph?" + _query_string(graph=graph)
        status, _, body = self.request("PUT", target, data=path.read_bytes(), headers=self._auth({
            "Content-Type": RDF_MEDIA[path.suffix], "Content-Location": iri_of(self.root, path)}))
        if status >= 300:
            raise AssertionError(f"PUT {path.name} answered {status}: {body[:300]!r}")
        return status

    def load(self, path: Path) -> None:
        iri = iri_of(self.root, path)
        if iri not in self.loaded:
            self.put(path, iri)
            self.loaded.add(iri)

    # -- syntax tests --------------------------------------------------------------------------------
    def syntax(self, case: Case) -> Outcome:
        text = query_text(case, self.root)
        headers = {"Accept": "application/problem+json, application/sparql-results+json;q=0.9, */*;q=0.1"}
        if case.kind == "query-syntax":
            status, got, body = self.request("POST", "/sparql", headers=headers,
                                             data={"query": text, "default-graph-uri": NO_GRAPH})
        else:
            status, got, body = self.request("POST", "/sparql/update", data={"update": text},
                                             headers=self._auth(headers))
        kind = problem_kind(status, got, body)
        passed = kind in ("ok", "evaluation") if case.positive else kind == "syntax"
        verdict = "valid" if case.positive else "invalid"
        detail = "" if passed else f"{verdict} text answered {status} ({kind}): {_detail(got, body)}"
        return Outcome(case.name, passed, detail, [status])

    # -- query evaluation ----------------------------------------------------------------------------
    def query(self, case: Case, expected: Answer | None) -> Outcome:
        from kg.sparql_text import has_dataset_clause, operation_form

        for path in dataset_files(case, self.root):
            self.load(path)
        text = query_text(case, self.root)
        form = operation_form(text)
        data: dict[str, object] = {"query": text}
        if not has_dataset_clause(text):
            data["default-graph-uri"] = [iri_of(self.root, p) for p in case.data] or [NO_GRAPH]
            data["named-graph-uri"] = [name for name, _ in case.graph_data]
        if form in ("CONSTRUCT", "DESCRIBE"):
            media = "application/n-triples"
        else:
            media = RESULT_MEDIA.get(case.result.suffix if case.result else "", RESULT_MEDIA[".srx"])
            if form == "ASK" and media in ("text/csv", "text/tab-separated-values"):
                media = "application/sparql-results+xml"
        status, headers, body = self.request("POST", "/sparql", data=data, headers={
            "Accept": f"{media}, application/problem+json;q=0.5"})
        if status != 200:
            return Outcome(case.name, False, f"answered {status}: {_detail(headers, body)}", [status])
        actual = read_results(body, media)
        if expected is None:
            return Outcome(case.name, False, "the test names no result", [status], actual)
        if same_answer(expected, actual, is_ordered(text)):
            return Outcome(case.name, True, "", [status], actual)
        return Outcome(case.name, False, f"expected {expected.describe()}; got {actual.describe()}", [status],
                       actual)

    # -- update evaluation ---------------------------------------------------------------------------
    def update(self, case: Case) -> Outcome:
        statuses = []
        status, headers, body = self.request("POST", "/sparql/update", data={"update": "DROP ALL"},
                                             headers=self._auth())
        statuses.append(status)
        for i, path in enumerate(case.data):
            if i == 0:
                statuses.append(self.put(path, None))
            else:
                headers = self._auth({"Content-Type": RDF_MEDIA[path.suffix],
                                      "Content-Location": iri_of(self.root, path)})
                status, _, body = self.request("POST", "/sparql/graph?default", data=path.read_bytes(),
                                               headers=headers)
                statuses.append(status)
        for name, path in case.graph_data:
            statuses.append(self.put(path, name))
        status, headers, body = self.request("POST", "/sparql/update",
                                             data={"update": query_text(case, self.root)},
                                             headers=self._auth({"Accept": "application/problem+json"}))
        statuses.append(status)
        if status != 200:
            return Outcome(case.name, False, f"answered {status}: {_detail(headers, body)}", statuses)
        actual = self.state()
        if same_state(expected_state(case, self.root), actual):
            return Outcome(case.name, True, "", statuses, actual)
        return Outcome(case.name, False, f"the store differs: {describe_state(actual)}", statuses, actual)

    def state(self) -> dict[str, Graph]:
        """The store as the update tests see it, read over HTTP: default graph and named graphs."""
        graphs: dict[str, Graph] = {}
        status, _, body = self.request("GET", "/sparql/graph?default",
                                       headers=self._auth({"Accept": "application/n-triples"}))
        assert status == 200, body
        default = Graph().parse(data=body, format="nt")
        if len(default):
            graphs[""] = default
        status, _, body = self.request("POST", "/sparql", data={
            "query": "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"})
        assert status == 200, body
        for row in read_results(body, "application/sparql-results+json").rows:
            name = str(row["g"])
            if not self.excluded(name):
                graphs.setdefault(name, Graph()).add((row["s"], row["p"], row["o"]))
        return graphs


def describe_state(graphs: dict[str, Graph]) -> str:
    parts = [f"{name or 'default'}: {len(g)} triples" for name, g in sorted(graphs.items())]
    return ", ".join(parts) or "empty"


def _detail(headers: dict[str, str], body: bytes) -> str:
    if headers.get("content-type", "").startswith("application/problem+json"):
        return str(json.loads(body).get("detail", ""))[:300]
    return body[:300].decode("utf-8", "replace").strip()


def _query_string(**params: str) -> str:
    from urllib.parse import urlencode

    return urlencode(params)
