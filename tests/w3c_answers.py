"""Answers of the W3C SPARQL tests, read and compared as the suites define: solution multisets with a
blank-node mapping (sequences when the query orders them), graphs by isomorphism, numbers by value."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urljoin

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD
from rdflib.query import Result
from rdflib.term import Node

from tests.w3c_manifest import FROM_CLAUSE, NUMERIC, PUBLISHED, RS, Case, iri_of, path_of

# -- terms and answers ------------------------------------------------------------------------------

def _value(term: Node) -> Node | tuple[str, object]:
    """A term as the suites compare it: numbers by value (with their datatype), ``xsd:string`` literals as
    the simple literals they are (RDF 1.1), the rest as themselves."""
    if isinstance(term, Literal) and term.datatype is not None and str(term.datatype) == str(XSD.string):
        return Literal(str(term))
    if isinstance(term, Literal) and term.datatype is not None and str(term.datatype) in NUMERIC:
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
RDF_FORMATS = {".ttl": "turtle", ".rdf": "xml", ".nt": "nt", "text/turtle": "turtle",
                "application/n-triples": "nt"}


def read_results(body: bytes, media: str, base: str | None = None) -> Answer:
    """A SELECT/ASK answer in a results format, or a graph, as an :class:`Answer`."""
    if media == "text/csv":
        return _read_csv(body)
    if media in RDF_FORMATS:
        graph = Graph().parse(data=body, format=RDF_FORMATS[media], publicID=base)
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
        for match in FROM_CLAUSE.finditer(case.action.read_text(encoding="utf-8")):
            iri = urljoin(base, match.group(1))
            if iri.startswith(PUBLISHED) and path_of(root, iri).is_file():
                files.append(path_of(root, iri))
    return files


RDF_MEDIA = {".ttl": "text/turtle", ".rdf": "application/rdf+xml", ".nt": "application/n-triples"}
