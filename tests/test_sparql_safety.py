"""Safe in public: nothing reaches the network, writes need the token, a slow query cannot hold the server.

A local listener stands in for "the network": every test that could make kg
fetch something points at it and then checks it saw no request at all, once kg
has finished all the work the test's requests set off.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from kg.config import Settings
from kg.sparql import execution
from kg.store import Store, open_store
from kg.store.base import QueryTimeout
from tests.servers import recording_listener
from tests.w3c_protocol import serve
from webapp import create_app

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[str]]]:
    """A web server on 127.0.0.1 that records every request it gets (and would serve Turtle); that it
    records them is checked first, so that the empty record the tests expect means something."""
    with recording_listener(b"<http://ex.test/s> <http://ex.test/p> <http://ex.test/o> .\n",
                            "text/turtle") as found:
        url, seen = found
        requests.get(url + "/self-check", timeout=30)
        assert seen == ["GET /self-check"]
        yield found


@pytest.fixture(scope="module")
def writable(settings: Settings) -> Iterator[tuple[str, Store]]:
    """A live endpoint with a write token over its own in-memory store."""
    store = open_store(settings)
    with serve(create_app(settings.replace(write_token=TOKEN), store)) as url:
        yield url, store
    store.close()


@pytest.fixture(scope="module")
def read_only(settings: Settings, loaded_store: Store) -> Iterator[str]:
    """A live endpoint without a write token."""
    with serve(create_app(settings, loaded_store)) as url:
        yield url


# -- nothing reaches the network ---------------------------------------------------------------------

@contextlib.contextmanager
def _nothing_reaches(listener: tuple[str, list[str]], app: str) -> Iterator[str]:
    """Yields the listener's URL for the block's requests to ``app`` to name; after the block, checks that
    nothing reached the listener once kg has finished what those requests set off.  A fetch made while
    answering is recorded before kg has its answer, so before the block's request is answered; a
    write's derived state (inferences, validation, pages) follows in the background, and
    ``/healthz?wait=`` answers once that has caught up with every write."""
    url, seen = listener
    before = len(seen)
    yield url
    health = requests.get(app + "/healthz", params={"wait": "60"}, timeout=90).json()
    assert health["fresh"], f"kg's derived state did not catch up with the writes: {health}"
    assert seen[before:] == []


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ service silent <{url}/sparql> {{ ?s ?p ?o }} }}",
    "ASK {{ ?s ?p ?o OPTIONAL {{ SERVICE <{url}/x> {{ ?s ?p ?o }} }} }}",
    # the escapes of a prefixed name's local part (PN_LOCAL_ESC) must not make the rest a string or comment
    r"PREFIX ex: <http://e/> SELECT * WHERE {{ VALUES ?v {{ ex:a\' }} SERVICE <{url}/x> {{ ?s ?p ?o }} }}",
    r"PREFIX ex: <http://e/> SELECT * WHERE {{ VALUES ?v {{ ex:a\# }} SERVICE <{url}/x> {{ ?s ?p ?o }} }}",
    r'PREFIX ex: <http://e/> SELECT * WHERE {{ VALUES ?v {{ ex:a\" }} SERVICE <{url}/x> {{ ?s ?p ?o }} }}',
    r"PREFIX ex: <http://e/> SELECT * WHERE {{ VALUES ?v {{ ex:%27 }} SERVICE <{url}/x> {{ ?s ?p ?o }} }}",
    r"SELECT * WHERE {{ ?s ?p '''a''' . SERVICE <{url}/x> {{ ?s ?p ?o }} }}",
    r'SELECT * WHERE {{ ?s ?p "\"" . SERVICE <{url}/x> {{ ?s ?p ?o }} }}',
    r"SELECT * WHERE {{ ?s ?p '\u0027' . SERVICE <{url}/x> {{ ?s ?p ?o }} }}",
])
def test_service_is_refused_and_never_called(read_only: str, listener: tuple[str, list[str]],
                                             template: str) -> None:
    with _nothing_reaches(listener, read_only) as url:
        r = requests.get(read_only + "/sparql", params={"query": template.format(url=url)}, timeout=30)
    # a policy refusal (403), told apart from a syntax error; a text that is not SPARQL's tokens is 400
    assert r.status_code in (400, 403), r.text
    assert "SERVICE" in r.text or "not SPARQL" in r.text


def test_a_policy_refusal_is_403_and_names_the_rule(read_only: str) -> None:
    r = requests.get(read_only + "/sparql", timeout=30,
                     params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert r.status_code == 403 and "SERVICE" in r.text


def test_escapes_outside_strings_and_iris_are_not_sparql(read_only: str,
                                                         listener: tuple[str, list[str]]) -> None:
    """The engine reads ``\\u`` escapes only inside strings and IRIs; elsewhere they are refused at once."""
    with _nothing_reaches(listener, read_only) as url:
        query = r"SELECT * WHERE { \u0053ERVICE <URL/sparql> { ?s ?p ?o } }".replace("URL", url)
        r = requests.get(read_only + "/sparql", params={"query": query}, timeout=30)
    assert r.status_code in (400, 403), r.text


def test_from_names_local_graphs_and_is_never_dereferenced(read_only: str,
                                                           listener: tuple[str, list[str]]) -> None:
    with _nothing_reaches(listener, read_only) as url:
        for query in (f"SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
                      f"SELECT * FROM NAMED <{url}/named.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
            r = requests.get(read_only + "/sparql", params={"query": query}, timeout=30)
            assert r.status_code == 200
            assert r.json()["results"]["bindings"] == []
        r = requests.get(read_only + "/sparql", timeout=30, params={
            "query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": f"{url}/protocol.ttl"})
        assert r.status_code == 200 and r.json()["results"]["bindings"] == []


def test_from_selects_a_graph_of_the_store(read_only: str, loaded_store: Store) -> None:
    graph = next(g for g in loaded_store.graphs() if g.name.endswith("/graph/vocabularies/decision-outcome"))
    query = f"SELECT (COUNT(*) AS ?n) FROM <{graph.name}> WHERE {{ ?s ?p ?o }}"
    r = requests.get(read_only + "/sparql", params={"query": query}, timeout=30)
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == graph.triples


def test_load_is_refused_and_never_fetched(writable: tuple[str, Store],
                                           listener: tuple[str, list[str]]) -> None:
    base, _ = writable
    with _nothing_reaches(listener, base) as url:
        for update in (f"LOAD <{url}/data.ttl>", f"LOAD <{url}/data.ttl> INTO GRAPH <http://ex.test/g>",
                       f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
                       "PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c\\' } ; LOAD <" + url + "/x.ttl>"):
            r = requests.post(base + "/sparql/update", data={"update": update}, headers=AUTH, timeout=30)
            assert r.status_code == 403, r.text


def test_load_silent_succeeds_without_loading(writable: tuple[str, Store],
                                              listener: tuple[str, list[str]]) -> None:
    """SILENT means the operation never fails: kg answers success and fetches nothing."""
    base, store = writable
    with _nothing_reaches(listener, base) as url:
        update = (f"LOAD SILENT <{url}/data.ttl> INTO GRAPH <http://ex.test/silent> ; INSERT DATA "
                  "{ GRAPH <http://ex.test/after-silent> { <http://ex.test/s> <http://ex.test/p> 1 } }")
        r = requests.post(base + "/sparql/update", data={"update": update}, headers=AUTH, timeout=30)
    assert r.status_code == 200, r.text
    assert store.ask("ASK { GRAPH <http://ex.test/after-silent> { ?s ?p ?o } }")
    assert not store.ask("ASK { GRAPH <http://ex.test/silent> { ?s ?p ?o } }")


def test_remote_json_ld_contexts_are_never_fetched(writable: tuple[str, Store],
                                                   listener: tuple[str, list[str]]) -> None:
    base, _ = writable
    with _nothing_reaches(listener, base) as url:
        doc = json.dumps({"@context": f"{url}/context.jsonld", "@id": "http://ex.test/s", "name": "x"})
        r = requests.put(base + "/sparql/graph", params={"graph": "http://ex.test/jsonld"}, data=doc,
                         headers={**AUTH, "Content-Type": "application/ld+json"}, timeout=30)
    assert r.status_code in (201, 204, 400)


# -- writes need the token ------------------------------------------------------------------------------

def test_writes_are_disabled_without_a_configured_token(read_only: str) -> None:
    r = requests.post(read_only + "/sparql/update", data={"update": "CLEAR ALL"}, headers=AUTH, timeout=30)
    assert r.status_code == 403 and "disabled" in r.text
    r = requests.put(read_only + "/sparql/graph?graph=http://ex.test/g", data="",
                     headers={**AUTH, "Content-Type": "text/turtle"}, timeout=30)
    assert r.status_code == 403
    ask = requests.get(read_only + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert ask.json()["boolean"]


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer ",
                                    f"Bearer {TOKEN}x"])
def test_updates_without_the_right_token_are_refused(writable: tuple[str, Store], header: str | None) -> None:
    base, store = writable
    headers = {"Authorization": header} if header else {}
    update = "INSERT DATA { GRAPH <http://ex.test/refused> { <http://ex.test/a> <http://ex.test/b> 1 } }"
    r = requests.post(base + "/sparql/update", data={"update": update}, headers=headers, timeout=30)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    r = requests.get(base + "/sparql/graph", params={"graph": "http://ex.test/refused"}, headers=headers,
                     timeout=30)
    assert r.status_code == 401
    assert not store.ask("ASK { GRAPH <http://ex.test/refused> { ?s ?p ?o } }")


def test_an_update_with_the_token_is_applied(writable: tuple[str, Store]) -> None:
    base, store = writable
    update = "INSERT DATA { GRAPH <http://ex.test/u> { <http://ex.test/a> <http://ex.test/b> 1 } }"
    r = requests.post(base + "/sparql/update", data=update, timeout=30,
                      headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert r.status_code == 200, r.text
    assert store.ask("ASK { GRAPH <http://ex.test/u> { <http://ex.test/a> <http://ex.test/b> 1 } }")
    bad = requests.post(base + "/sparql/update", data={"update": "INSERT DATA { <a> <b> "}, headers=AUTH,
                        timeout=30)
    assert bad.status_code == 400 and "syntax" in bad.text


# -- the Graph Store Protocol --------------------------------------------------------------------------------

G = "http://ex.test/graph/gsp"


def _gsp(base: str, method: str, data: str | None = None, media: str = "text/turtle",
         **params: str) -> requests.Response:
    headers = {**AUTH, "Content-Type": media} if data is not None else dict(AUTH)
    return requests.request(method, base + "/sparql/graph", params=params or {"graph": G}, data=data,
                            headers=headers, timeout=30)


def test_graph_store_put_get_post_delete(writable: tuple[str, Store]) -> None:
    base, store = writable
    assert _gsp(base, "GET").status_code == 404
    r = _gsp(base, "PUT", "<http://ex.test/a> <http://ex.test/p> _:b0 . _:b0 <http://ex.test/q> 1 .")
    assert r.status_code == 201
    info = store.graph_info(G)
    assert info is not None and info.triples == 2 and info.source == "HTTP PUT by token holder"
    got = _gsp(base, "GET")
    assert got.status_code == 200 and got.headers["Content-Type"].startswith("text/turtle")
    head = requests.head(base + "/sparql/graph", params={"graph": G}, headers=AUTH, timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert _gsp(base, "PUT", "<http://ex.test/a> <http://ex.test/p> _:b0 .").status_code == 204
    assert store.graph_info(G).triples == 1  # type: ignore[union-attr]
    r = _gsp(base, "POST", "<http://ex.test/a> <http://ex.test/p> _:b0 .")
    assert r.status_code == 204
    info = store.graph_info(G)
    # two triples: the two uploads' _:b0 stay two blank nodes
    assert info is not None and info.triples == 2 and info.source == "HTTP POST by token holder"
    nt = requests.get(base + "/sparql/graph", params={"graph": G},
                      headers={**AUTH, "Accept": "application/n-triples"}, timeout=30).text
    assert len([line for line in nt.splitlines() if line.strip()]) == 2
    assert _gsp(base, "DELETE").status_code == 204
    assert store.graph_info(G) is None
    assert _gsp(base, "DELETE").status_code == 404


def test_graph_store_refuses_bad_input_and_changes_nothing(writable: tuple[str, Store]) -> None:
    base, store = writable
    assert _gsp(base, "PUT", "<http://ex.test/a> <http://ex.test/p> 1 .").status_code == 201
    bad = _gsp(base, "PUT", "<http://ex.test/a> <http://ex.test/p> ")
    assert bad.status_code == 400 and "parse" in bad.text
    assert store.graph_info(G).triples == 1  # type: ignore[union-attr]
    assert _gsp(base, "PUT", "hello", media="application/pdf").status_code == 415
    assert _gsp(base, "PUT", "x", media="text/turtle", nothing="here").status_code == 400
    assert requests.get(base + "/sparql/graph", params={"graph": G, "default": ""}, headers=AUTH,
                        timeout=30).status_code == 400
    assert _gsp(base, "GET", graph="not an iri").status_code == 400
    patch = requests.patch(base + "/sparql/graph", params={"graph": G}, headers=AUTH, timeout=30)
    assert patch.status_code == 405
    _gsp(base, "DELETE")


def test_graph_store_default_graph(writable: tuple[str, Store]) -> None:
    base, _ = writable
    assert _gsp(base, "PUT", "<http://ex.test/d> <http://ex.test/p> 1 .", default="").status_code == 204
    r = requests.get(base + "/sparql/graph?default", headers={**AUTH, "Accept": "application/n-triples"},
                     timeout=30)
    assert r.status_code == 200 and "<http://ex.test/d>" in r.text
    assert _gsp(base, "POST", "<http://ex.test/e> <http://ex.test/p> 2 .", default="").status_code == 204
    r = requests.get(base + "/sparql/graph?default", headers={**AUTH, "Accept": "application/n-triples"},
                     timeout=30)
    assert len(r.text.strip().splitlines()) == 2
    assert _gsp(base, "DELETE", default="").status_code == 204
    r = requests.get(base + "/sparql/graph?default", headers={**AUTH, "Accept": "application/n-triples"},
                     timeout=30)
    assert r.text.strip() == ""


# -- time limit -------------------------------------------------------------------------------------------

def _values(n: int) -> str:
    return " ".join(str(i) for i in range(n))


#: About 5 s of sorting inside one engine call on this machine, whatever the store holds.
SORTING = (f"SELECT ?x ?y WHERE {{ VALUES ?x {{ {_values(1000)} }} VALUES ?y {{ {_values(1000)} }} }} "
           "ORDER BY DESC(?x * ?y + ?y) LIMIT 1")
#: A billion rows, streamed: stopped between rows at the deadline.
STREAMING = (f"SELECT * WHERE {{ VALUES ?x {{ {_values(1000)} }} VALUES ?y {{ {_values(1000)} }} "
             f"VALUES ?z {{ {_values(1000)} }} }}")


@pytest.fixture(scope="module")
def impatient(settings: Settings, memory_store_module: Store) -> Iterator[str]:
    app = create_app(settings.replace(query_timeout=1.0, max_rows=10**9), memory_store_module)
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def memory_store_module(settings: Settings) -> Iterator[Store]:
    store = open_store(settings)
    yield store
    store.close()


def _orphans_finish() -> bool:
    """Whether every query left running at its time limit has finished (waited for up to 60 s)."""
    deadline = time.monotonic() + 60
    while execution.orphans.running and time.monotonic() < deadline:
        time.sleep(0.05)
    return execution.orphans.running == 0


class _Watched:
    """One query as kg's worker thread runs it through the store, seen from the store's side.

    ``entered`` is set when the worker calls the engine; ``ended`` when its work there is over (the
    engine call and the writing of the answer), with the error it stopped on in ``error``.  A held
    query then waits for ``release`` before it hands anything back, so until the test sets it the
    worker is unfinished however fast the machine is.
    """

    def __init__(self, store: Store, text: str, monkeypatch: pytest.MonkeyPatch, hold: bool = False) -> None:
        self.entered, self.ended, self.release = threading.Event(), threading.Event(), threading.Event()
        self.error: BaseException | None = None
        self._hold = hold
        execute = store.execute

        def watched(query: str, *args: Any, **kwargs: Any) -> Any:
            if text not in query:
                return execute(query, *args, **kwargs)
            self.entered.set()
            return _WatchedResult(self.step(lambda: execute(query, *args, **kwargs), last=False), self)

        monkeypatch.setattr(store, "execute", watched)

    def step(self, work: Callable[[], Any], last: bool) -> Any:
        """``work``; the watched query's work ends with it if it is the last step or if it raises."""
        try:
            return work()
        except BaseException as exc:
            self.error, last = exc, True
            raise
        finally:
            if last:
                self.ended.set()
                if self._hold:
                    self.release.wait(120)


class _WatchedResult:
    """The watched query's answer: writing it is the last step of the query's work.  A wrapper rather
    than a patched method, so the engine's answer is dropped by the worker thread that made it."""

    def __init__(self, result: Any, watch: _Watched) -> None:
        self._result, self._watch = result, watch

    def serialize(self, media_type: str) -> bytes:
        return self._watch.step(lambda: self._result.serialize(media_type), last=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._result, name)


@pytest.mark.slow
def test_a_query_over_the_time_limit_is_stopped_and_others_are_served(
        impatient: str, memory_store_module: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A query still inside one engine call at the time limit is answered 503 then and left to finish in
    the background; a query sent while that call runs is answered without waiting for it."""
    assert _orphans_finish(), "queries of earlier tests are still running"
    sort = _Watched(memory_store_module, SORTING, monkeypatch, hold=True)
    with ThreadPoolExecutor(1) as pool:
        try:
            slow = pool.submit(requests.get, impatient + "/sparql", params={"query": SORTING}, timeout=60)
            assert sort.entered.wait(60), "the sorting query never reached the engine"
            quick = requests.get(impatient + "/sparql", params={"query": "ASK {}"}, timeout=30)
            sorting_when_quick_answered = not sort.ended.is_set()
            answer = slow.result()
            left_running = execution.orphans.running
        finally:
            sort.release.set()
    assert quick.status_code == 200 and quick.json()["boolean"] is True
    assert sorting_when_quick_answered, "a quick query was answered only after a slow one's sort had ended"
    assert answer.status_code == 503
    assert "time limit of 1 s" in answer.text and answer.headers["Retry-After"]
    assert left_running == 1, "the slow query was answered only after its work had ended"
    assert _orphans_finish(), "the sort left running should end in the background and be thrown away"


@pytest.mark.slow
def test_a_streaming_query_stops_at_the_deadline(impatient: str, memory_store_module: Store,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows are pulled one at a time and the deadline is checked between them, so the worker itself
    stops there, rather than running on through a billion rows in the background."""
    assert _orphans_finish(), "queries of earlier tests are still running"
    stream = _Watched(memory_store_module, STREAMING, monkeypatch)
    # POSTed: the query is longer than the URL limit a GET may carry.
    answer = requests.post(impatient + "/sparql", data={"query": STREAMING}, timeout=60)
    assert answer.status_code == 503 and "timed out" in answer.text.lower()
    assert stream.ended.wait(60), "the streaming worker ran on past its deadline"
    assert isinstance(stream.error, QueryTimeout), f"the worker stopped on {stream.error!r}"
    assert _orphans_finish()


def test_too_many_orphans_make_new_queries_wait(impatient: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(execution.orphans, "running", execution.MAX_ORPHANS)
    r = requests.get(impatient + "/sparql", params={"query": "ASK {}"}, timeout=30)
    assert r.status_code == 503 and r.headers["Retry-After"]
