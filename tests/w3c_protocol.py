"""A runner for the W3C SPARQL 1.1 Protocol tests, and a small live server for endpoint tests.

The manifest (``w3c-sparql11-protocol/manifest.ttl`` in the shared reference
folder) encodes each test as HTTP requests with expected status codes, formats
and ASK answers.  :func:`load_manifest` reads it with rdflib; :func:`run_test`
replays a test's requests against a running endpoint and says whether every
response met its expectations.  Request paths start with ``/sparql/``; the runner
sends update requests to the update endpoint and the rest to the query endpoint,
as the manifest allows.

The manifest names its data files (``data1.nt`` …) by their graph labels but the
files are not in the reference folder; when a file is missing, the runner
gives the graph the one triple the tests ask of it, ``<label> a foaf:Document``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from werkzeug.serving import make_server

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/Document"

_TABULAR = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv",
            "text/tab-separated-values"}
_BOOLEAN = {"application/sparql-results+json", "application/sparql-results+xml"}
_RDF = {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
        "application/trig", "application/n-quads"}


@contextmanager
def serve(app: object) -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]
    expected_boolean: bool | None
    expected_format: str | None


@dataclass
class ProtocolTest:
    name: str
    title: str
    requests: list[Request]
    graphs: dict[str, bytes] = field(default_factory=dict)

    @property
    def is_update(self) -> bool:
        return "update" in self.name

    @property
    def is_negative(self) -> bool:
        return self.name.startswith("bad_")


def _items(graph: Graph, head: object) -> list[object]:
    return list(Collection(graph, head)) if head is not None else []


def load_manifest(path: Path) -> list[ProtocolTest]:
    """The manifest's tests, in manifest order."""
    graph = Graph()
    graph.parse(path, format="turtle", publicID=path.as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in _items(graph, graph.value(manifest, MF.entries)):
        name = str(entry).rsplit("#", 1)[-1]
        action = graph.value(entry, MF.action)
        reqs = []
        for req in _items(graph, graph.value(action, HT.requests)):
            headers = {str(graph.value(h, HT.fieldName)): str(graph.value(h, HT.fieldValue))
                       for h in _items(graph, graph.value(req, HT.headers))}
            body_node = graph.value(req, HT.body)
            body = None
            if body_node is not None:
                encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(graph.value(body_node, CNT.chars)).encode(encoding)
            resp = graph.value(req, HT.resp)
            boolean = graph.value(resp, MF.expectedBoolean)
            fmt = graph.value(resp, MF.expectedFormat)
            statuses = {str(s).removeprefix(HTS) for s in graph.objects(resp, MF.expectedStatus)}
            reqs.append(Request(str(graph.value(req, HT.methodName)), str(graph.value(req, HT.absolutePath)),
                                headers, body, statuses, None if boolean is None else boolean.toPython(),
                                None if fmt is None else str(fmt)))
        graphs = {}
        for data in graph.objects(entry, UT.graphData):
            label = str(graph.value(data, RDFS.label))
            file = graph.value(data, UT.graph)
            local = Path(str(file).removeprefix("file://")) if isinstance(file, URIRef) else None
            if local is not None and local.is_file():
                graphs[label] = local.read_bytes()
            else:
                graphs[label] = f"<{label}> <{RDF.type}> <{FOAF_DOCUMENT}> .\n".encode()
        tests.append(ProtocolTest(name, str(graph.value(entry, MF.name)), reqs, graphs))
    return tests


def _media(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _boolean(response: requests.Response) -> bool | None:
    media = _media(response)
    if media == "application/sparql-results+json":
        return json.loads(response.content).get("boolean")  # type: ignore[no-any-return]
    if media == "application/sparql-results+xml":
        root = ElementTree.fromstring(response.content)
        node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
        return None if node is None else node.text == "true"
    return None


def check(request: Request, response: requests.Response) -> str | None:
    """None when the response meets the request's expectations, else what was wrong."""
    status_class = f"{response.status_code // 100}xx"
    if status_class not in request.statuses:
        return (f"{request.method} {request.path}: status {response.status_code}, expected "
                f"{' or '.join(sorted(request.statuses))}: {response.text[:200]!r}")
    media = _media(response)
    allowed = {"boolean": _BOOLEAN, "tabular": _TABULAR, "RDF": _RDF}.get(request.expected_format or "")
    if allowed is not None and media not in allowed:
        return f"{request.method} {request.path}: Content-Type {media!r} is not {request.expected_format}"
    if request.expected_boolean is not None and _boolean(response) is not request.expected_boolean:
        return (f"{request.method} {request.path}: expected {request.expected_boolean}, "
                f"got {response.text[:200]!r}")
    return None


def run_test(test: ProtocolTest, base_url: str, load_graphs: Callable[[dict[str, bytes]], None],
             token: str | None = None, query_path: str = "/sparql",
             update_path: str = "/sparql/update") -> list[str]:
    """Replay a test against a running endpoint; returns the failures (empty when it passes)."""
    if test.graphs:
        load_graphs(test.graphs)
    failures = []
    with requests.Session() as session:
        for req in test.requests:
            content_type = next((v for k, v in req.headers.items() if k.lower() == "content-type"), "")
            to_update = test.is_update and not content_type.startswith("application/sparql-query")
            path = (update_path if to_update else query_path) + req.path.removeprefix("/sparql/")
            headers = dict(req.headers)
            if to_update and token:
                headers["Authorization"] = f"Bearer {token}"
            response = session.request(req.method, base_url + path, headers=headers, data=req.body,
                                       allow_redirects=False, timeout=60)
            problem = check(req, response)
            if problem:
                failures.append(problem)
    return failures
