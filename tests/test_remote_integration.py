"""kg scaled out: the web app on a remote store, with several gunicorn workers, and the defects the
integration suite found when it first ran on Virtuoso (``KG_TEST_STORE=virtuoso``, see
:mod:`tests.remote_fixtures`), each pinned by a test that fails without its fix.
"""

from __future__ import annotations

import http.server
import io
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg.config import Settings, load_settings
from kg.loading import default_sources
from kg.pages.resource import graph_sources
from kg.sparql.execution import QueryTimeout
from kg.store import Store, open_store
from kg.store.base import QuerySyntaxError
from kg.write import Writer
from tests import remote_fixtures
from tests.servers import RunningServer, free_port, stop, virtuoso_server

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://kg.rammearkitektur.dk"


@pytest.fixture(scope="module")
def virtuoso(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A Virtuoso of this module's own (the suite's ``empty`` one when KG_TEST_STORE=virtuoso runs)."""
    if remote_fixtures.ACTIVE:
        yield request.getfixturevalue("virtuoso_servers")["empty"]
        return
    if shutil.which("virtuoso-t") is None or not (shutil.which("isql-vt") or shutil.which("isql")):
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso-integration")) as server:
        yield server


@pytest.fixture(scope="module")
def remote_settings(virtuoso: RunningServer) -> Settings:
    return load_settings(environ={}, config_file=ROOT / "no-such-kg.toml", data_dir=ROOT / "data",
                         ontologies_dir=ROOT / "ontologies", shapes_dir=ROOT / "shapes",
                         **virtuoso.settings())


@pytest.fixture(scope="module")
def loaded(remote_settings: Settings, virtuoso: RunningServer) -> Iterator[Store]:
    """kg's own data on Virtuoso, as ``kg init`` leaves it (derived graphs included)."""
    store = open_store(remote_settings)
    if remote_fixtures.ACTIVE:
        remote_fixtures.wipe(store, virtuoso)
    outcomes = Writer(store, remote_settings).load(default_sources(remote_settings))
    assert not [o.message for o in outcomes if o.status == "failed"]
    yield store
    if remote_fixtures.ACTIVE:
        remote_fixtures.wipe(store, virtuoso)
    store.close()


# -- defects found by the first run on Virtuoso ---------------------------------------------------------

def test_a_query_whose_comment_names_an_update_keyword_is_still_a_query(loaded: Store) -> None:
    """SPARQLWrapper's guess made this SELECT an ADD update (sent as ``update=``, refused); the catalogue's
    header query has such a comment, so every catalogue page failed on a remote store."""
    rows = loaded.select("# pages add only their own items; DROP and INSERT are words here too\n"
                         "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/ns/dcat#Catalog> }")
    assert int(rows[0]["n"]) >= 1
    result = loaded.execute("# we add nothing\nCONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 3")
    assert result.kind == "graph"


def test_graph_sources_of_a_page_come_with_their_prov_on_virtuoso(loaded: Store) -> None:
    """The 'sources' box of every resource page: Virtuoso's cost estimator refused the query with four
    nested OPTIONALs; one property per row is answered, and the record is complete."""
    sources = graph_sources(loaded, BASE + "/id/case/SAG-2022-04763")
    assert sources, "the case is stated in at least one graph"
    top = sources[0]
    assert top.statements > 0 and top.source and top.loaded_at and top.sha256 and top.version


def test_reads_leave_urllib_alone(loaded: Store) -> None:
    """SPARQLWrapper does digest logins by installing a process-wide urllib opener: kg used it for every read
    (Virtuoso's update endpoints want digest), and then any urllib client in the same process that met a
    ``WWW-Authenticate: Bearer`` (kg's own write endpoint) raised ValueError.  Virtuoso's query endpoint
    asks for no login, so reads send none."""
    before = urllib.request._opener  # type: ignore[attr-defined]
    loaded.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    loaded.ask("ASK { ?s ?p ?o }")
    assert urllib.request._opener is before  # type: ignore[attr-defined]


def _dump(store: Store) -> bytes:
    buffer = io.BytesIO()
    store.dump(buffer)
    return b"\n".join(sorted(buffer.getvalue().splitlines()))


@pytest.mark.parametrize("text", ["ASK {}",
                                  "BASE <https://kg.rammearkitektur.dk/>\nSELECT * WHERE { ?s ?p ?o }",
                                  "define sql:big-data-const 0 SELECT * WHERE { ?s ?p ?o }"])
def test_a_query_sent_as_an_update_is_refused_not_run(loaded: Store, text: str) -> None:
    """Virtuoso's update endpoint runs a query as well (``ASK {}`` answered 200 ``true``), so a query POSTed
    to ``/sparql/update`` passed as a write and kg refreshed its derived graphs: the store changed.  The
    embedded store's parser refuses it; the remote store now refuses it before sending anything."""
    before = _dump(loaded)
    with pytest.raises(QuerySyntaxError, match=r"not an update|not a SPARQL Update"):
        loaded.update(text)
    assert _dump(loaded) == before
    loaded.update("PREFIX ex: <http://example.org/>\n")  # a prologue alone is an (empty) update


CARTESIAN = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_a_query_virtuoso_estimates_too_slow_is_the_time_limit(loaded: Store) -> None:
    """Virtuoso refuses such a query before running it ("42000 Error The estimated execution time 105731
    (sec) exceeds the limit of 400 (sec)", HTTP 500); kg answered 400 "could not be evaluated" as if the
    client's query were wrong, where the embedded store stops it at the time limit (503)."""
    with pytest.raises(QueryTimeout, match=r"time limit: estimated [0-9]+ s, over its limit of 400 s"):
        loaded.select(CARTESIAN)


class _SlowUpdates(http.server.BaseHTTPRequestHandler):
    """A SPARQL server that answers queries at once and takes ``DELAY`` s over each update, four times the
    ``remote_timeout`` of the test; it records each update just before it answers."""

    DELAY = 2.0
    updates: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        form = parse_qs(body)
        if "update" in form:
            time.sleep(self.DELAY)
            _SlowUpdates.updates.append(form["update"][0])
            self.send_response(204)
            self.end_headers()
            return
        answer = (b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                  b"<head/><boolean>false</boolean></sparql>")
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+xml")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


def test_an_update_longer_than_the_remote_timeout_is_waited_for(tmp_path: Path) -> None:
    """Dropping the 10k-dataset catalogue took over 30 s on Virtuoso and kg gave up although the server
    went on and committed it; writes now wait for their answer (connecting stays bounded)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowUpdates)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/sparql"
    settings = load_settings(environ={}, config_file=tmp_path / "none.toml", store="remote",
                             remote_query_url=url, remote_timeout=0.5)
    try:
        with open_store(settings) as store:
            store.update("DROP SILENT GRAPH <https://kg.test/a-big-graph>")
            # returned, not raised, and only once the server had done the update and was answering
            assert _SlowUpdates.updates == ["DROP SILENT GRAPH <https://kg.test/a-big-graph>"]
    finally:
        server.shutdown()


def test_queries_keep_the_remote_timeout(tmp_path: Path) -> None:
    """Reads are still bounded by ``remote_timeout``: a server that accepts and never answers is an error,
    raised by the client's own time limit (nothing else can end the read), which it names."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        settings = load_settings(environ={}, config_file=tmp_path / "none.toml", store="remote",
                                 remote_query_url=url, remote_timeout=1.0)
        with open_store(settings) as store:
            raised: list[Exception] = []

            def read() -> None:
                try:
                    store.select("SELECT * WHERE { ?s ?p ?o }")
                except Exception as exc:
                    raised.append(exc)

            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            reader.join(60)   # bounds a hang only
            assert not reader.is_alive(), "the read is still waiting for a server that never answers"
    assert len(raised) == 1 and "within 1 s" in str(raised[0]), raised


# -- the deployment of docs/deploy.md: kg serve on a remote store, two workers ------------------------

def _tree(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid] + [p for c in children for p in _tree(int(c))]


@dataclass(frozen=True)
class Served:
    url: str
    pid: int


@pytest.fixture(scope="module")
def served(loaded: Store, virtuoso: RunningServer,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``kg serve --no-init`` (gunicorn) with the store on Virtuoso, on 127.0.0.1."""
    port = free_port()
    env = dict(os.environ, KG_BASE_IRI=BASE, KG_DATA_DIR=str(ROOT / "data"),
               KG_ONTOLOGIES_DIR=str(ROOT / "ontologies"), KG_SHAPES_DIR=str(ROOT / "shapes"),
               KG_CONFIG=str(tmp_path_factory.mktemp("serve") / "none.toml"),
               **{f"KG_{k.upper()}": str(v) for k, v in virtuoso.settings().items()})
    log = tmp_path_factory.mktemp("serve-log") / "server.log"
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--no-init", "--host", "127.0.0.1",
                                 "--port", str(port), "--threads", "4"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            try:
                if requests.get(url + "/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:   # not listening yet, or a worker still starting
                time.sleep(0.3)
        else:
            pytest.fail("kg serve did not come up:\n" + log.read_text())
        yield Served(url, proc.pid)
    finally:
        stop(proc)


def test_kg_serve_on_a_remote_store_runs_its_processes(served: Served) -> None:
    """kg serve itself (gunicorn's master), one writer, and HTTP workers (one per CPU) each with its
    query processes (two, and a spare)."""
    children = Path(f"/proc/{served.pid}/task/{served.pid}/children").read_text().split()
    commands = {int(c): Path(f"/proc/{c}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                for c in children}
    writers = [c for c, line in commands.items() if "kg.procs.writer" in line]
    workers = [c for c in commands if c not in writers]
    assert len(writers) == 1 and len(workers) == (os.cpu_count() or 1)
    for worker in workers:
        # a process the pool has just replaced can still be exiting: the pool settles at three
        deadline = time.monotonic() + 15
        executors = _tree(worker)[1:]
        while len(executors) != 3 and time.monotonic() < deadline:
            time.sleep(0.2)
            executors = _tree(worker)[1:]
        assert len(executors) == 3, "two query processes and a spare per worker"
        assert all(b"kg.procs.executor" in Path(f"/proc/{e}/cmdline").read_bytes() for e in executors)


def test_every_kind_of_request_is_answered_from_virtuoso(served: Served) -> None:
    """Health, SPARQL, the catalogue, a resource page, an RDF document and search, through gunicorn."""
    s, base = requests.Session(), served.url
    assert s.get(base + "/healthz", timeout=30).json()["status"] == "ok"
    r = s.post(base + "/sparql", data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?d a "
                                          "<http://www.w3.org/ns/dcat#Dataset> }"},
               headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200 and int(r.json()["results"]["bindings"][0]["n"]["value"]) >= 1
    page = s.get(base + "/catalog", headers={"Accept": "text/turtle"}, timeout=60)
    assert page.status_code == 200
    catalogue = Graph().parse(data=page.text, format="turtle")
    assert (URIRef(BASE + "/id/dataset/cpr"), None, None) in catalogue
    html = s.get(base + "/id/case/SAG-2022-04763", headers={"Accept": "text/html"}, timeout=60)
    assert html.status_code == 200 and "SAG-2022-04763" in html.text
    ttl = s.get(base + "/id/concept/ladeinfrastruktur/ladepunkt.ttl", timeout=60)
    concept = Graph().parse(data=ttl.text, format="turtle")
    assert any(isinstance(o, Literal) for o in concept.objects(None, None))
    found = s.get(base + "/search", params={"q": "ladepunkt"}, headers={"Accept": "text/html"}, timeout=60)
    assert found.status_code == 200 and 'href="/id/concept/ladeinfrastruktur/ladepunkt"' in found.text


def test_the_served_endpoint_answers_virtuosos_estimate_refusal_with_503(served: Served) -> None:
    """A query Virtuoso will not start for its estimated time is the time limit to kg's clients too."""
    r = requests.post(served.url + "/sparql", data={"query": CARTESIAN},
                      headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 503 and "time limit" in r.text and "Retry-After" in r.headers


def test_workers_see_a_load_made_by_another_process(served: Served, loaded: Store) -> None:
    """The point of a remote store: a load by another process is seen by every worker at once (the
    query), and the server's pipeline notices it by its PROV record and derives from it (the search)."""
    graph = Graph()
    subject = URIRef(BASE + "/id/test/skaleringsprove")
    graph.add((subject, RDFS.label, Literal("Skaleringsprøve", lang="da")))
    name = BASE + "/graph/test/scale-out"
    loaded.replace_graph(name, graph, source="test")
    try:
        s, base = requests.Session(), served.url
        for _ in range(6):   # several requests: both workers answer some of them
            r = s.post(base + "/sparql", data={"query": f"ASK {{ <{subject}> ?p ?o }}"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=60)
            assert r.json()["boolean"] is True
        deadline = time.monotonic() + 60
        while True:
            hit = s.get(base + "/search", params={"q": "skaleringsprøve"}, timeout=60)
            if "/id/test/skaleringsprove" in hit.text or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert "/id/test/skaleringsprove" in hit.text
    finally:
        loaded.drop_graph(name)
