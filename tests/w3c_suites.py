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

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from tests.w3c_answers import (
    RDF_FORMATS,
    RDF_MEDIA,
    RESULT_MEDIA,
    Answer,
    dataset_files,
    expected_answer,
    is_ordered,
    query_text,
    read_results,
    same_answer,
    same_graph,
)
from tests.w3c_manifest import NO_GRAPH, NOT_RUN, ROOT_MANIFESTS, Case, iri_of, load_cases

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
    return Graph().parse(path, format=RDF_FORMATS[path.suffix], publicID=iri_of(root, path))


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


__all__ = [
    "NOT_RUN",
    "ROOT_MANIFESTS",
    "Answer",
    "Case",
    "KgRunner",
    "Outcome",
    "engine_answer",
    "expected_answer",
    "is_ordered",
    "load_cases",
    "query_text",
    "same_answer",
]
