"""Safe in public: nothing reaches the network, writes need the token, a slow query cannot hold the server.

A local listener stands in for "the network": every test that could make kg
fetch something points at it and then checks it saw no request at all.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from kg.config import Settings
from kg.sparql import execution
from kg.store import Store, open_store
from tests.servers import recording_listener
from tests.w3c_protocol import serve
from webapp import create_app

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[str]]]:
    """A web server on 127.0.0.1 that records every request it gets (and would serve Turtle)."""
    with recording_listener(b"<http://ex.test/s> <http://ex.test/p> <http://ex.test/o> .\n",
                            "text/turtle") as found:
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
    url, seen = listener
    before = len(seen)
    r = requests.get(read_only + "/sparql", params={"query": template.format(url=url)}, timeout=30)
    # a policy refusal (403), told apart from a syntax error; a text that is not SPARQL's tokens is 400
    assert r.status_code in (400, 403), r.text
    assert "SERVICE" in r.text or "not SPARQL" in r.text
    time.sleep(0.2)
    assert seen[before:] == []


def test_a_policy_refusal_is_403_and_names_the_rule(read_only: str) -> None:
    r = requests.get(read_only + "/sparql", timeout=30,
                     params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert r.status_code == 403 and "SERVICE" in r.text


def test_escapes_outside_strings_and_iris_are_not_sparql(read_only: str,
                                                         listener: tuple[str, list[str]]) -> None:
    """The engine reads ``\\u`` escapes only inside strings and IRIs; elsewhere they are refused at once."""
    url, seen = listener
    before = len(seen)
    query = r"SELECT * WHERE { \u0053ERVICE <URL/sparql> { ?s ?p ?o } }".replace("URL", url)
    r = requests.get(read_only + "/sparql", params={"query": query}, timeout=30)
    assert r.status_code in (400, 403), r.text
    time.sleep(0.2)
    assert seen[before:] == []


def test_from_names_local_graphs_and_is_never_dereferenced(read_only: str,
                                                           listener: tuple[str, list[str]]) -> None:
    url, seen = listener
    before = len(seen)
    for query in (f"SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
                  f"SELECT * FROM NAMED <{url}/named.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
        r = requests.get(read_only + "/sparql", params={"query": query}, timeout=30)
        assert r.status_code == 200
        assert r.json()["results"]["bindings"] == []
    r = requests.get(read_only + "/sparql", timeout=30, params={
        "query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": f"{url}/protocol.ttl"})
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    time.sleep(0.2)
    assert seen[before:] == []


def test_from_selects_a_graph_of_the_store(read_only: str, loaded_store: Store) -> None:
    graph = next(g for g in loaded_store.graphs() if g.name.endswith("/graph/vocabularies/decision-outcome"))
    query = f"SELECT (COUNT(*) AS ?n) FROM <{graph.name}> WHERE {{ ?s ?p ?o }}"
    r = requests.get(read_only + "/sparql", params={"query": query}, timeout=30)
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == graph.triples


def test_load_is_refused_and_never_fetched(writable: tuple[str, Store],
                                           listener: tuple[str, list[str]]) -> None:
    base, _ = writable
    url, seen = listener
    before = len(seen)
    for update in (f"LOAD <{url}/data.ttl>", f"LOAD <{url}/data.ttl> INTO GRAPH <http://ex.test/g>",
                   f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
                   "PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c\\' } ; LOAD <" + url + "/x.ttl>"):
        r = requests.post(base + "/sparql/update", data={"update": update}, headers=AUTH, timeout=30)
        assert r.status_code == 403, r.text
    time.sleep(0.2)
    assert seen[before:] == []


def test_load_silent_succeeds_without_loading(writable: tuple[str, Store],
                                              listener: tuple[str, list[str]]) -> None:
    """SILENT means the operation never fails: kg answers success and fetches nothing."""
    base, store = writable
    url, seen = listener
    before = len(seen)
    update = (f"LOAD SILENT <{url}/data.ttl> INTO GRAPH <http://ex.test/silent> ; INSERT DATA "
              "{ GRAPH <http://ex.test/after-silent> { <http://ex.test/s> <http://ex.test/p> 1 } }")
    r = requests.post(base + "/sparql/update", data={"update": update}, headers=AUTH, timeout=30)
    assert r.status_code == 200, r.text
    assert store.ask("ASK { GRAPH <http://ex.test/after-silent> { ?s ?p ?o } }")
    assert not store.ask("ASK { GRAPH <http://ex.test/silent> { ?s ?p ?o } }")
    time.sleep(0.2)
    assert seen[before:] == []


def test_remote_json_ld_contexts_are_never_fetched(writable: tuple[str, Store],
                                                   listener: tuple[str, list[str]]) -> None:
    base, _ = writable
    url, seen = listener
    before = len(seen)
    doc = json.dumps({"@context": f"{url}/context.jsonld", "@id": "http://ex.test/s", "name": "x"})
    r = requests.put(base + "/sparql/graph", params={"graph": "http://ex.test/jsonld"}, data=doc,
                     headers={**AUTH, "Content-Type": "application/ld+json"}, timeout=30)
    assert r.status_code in (201, 204, 400)
    time.sleep(0.2)
    assert seen[before:] == []


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


def _wait_for_orphans(limit: float) -> float:
    start = time.monotonic()
    while execution.orphans.running and time.monotonic() - start < limit:
        time.sleep(0.05)
    return time.monotonic() - start


@pytest.mark.slow
def test_a_query_over_the_time_limit_is_stopped_and_others_are_served(impatient: str) -> None:
    _wait_for_orphans(60)
    with ThreadPoolExecutor(2) as pool:
        started = time.monotonic()
        slow = pool.submit(requests.get, impatient + "/sparql", params={"query": SORTING}, timeout=60)
        time.sleep(0.3)
        quick_start = time.monotonic()
        quick = requests.get(impatient + "/sparql", params={"query": "ASK {}"}, timeout=30)
        quick_took = time.monotonic() - quick_start
        answer = slow.result()
        slow_took = time.monotonic() - started
    assert quick.status_code == 200 and quick.json()["boolean"] is True
    assert quick_took < 0.5, f"a quick query waited {quick_took:.2f} s behind a slow one"
    assert answer.status_code == 503
    assert "timed out" in answer.text.lower() and answer.headers["Retry-After"]
    assert 0.9 < slow_took < 2.5, f"the slow query was answered after {slow_took:.2f} s"
    assert _wait_for_orphans(60) < 60  # the sort finishes in the background and is thrown away


@pytest.mark.slow
def test_a_streaming_query_stops_at_the_deadline(impatient: str) -> None:
    _wait_for_orphans(60)
    started = time.monotonic()
    # POSTed: the query is longer than the URL limit a GET may carry.
    answer = requests.post(impatient + "/sparql", data={"query": STREAMING}, timeout=60)
    assert answer.status_code == 503
    assert time.monotonic() - started < 2.5
    assert _wait_for_orphans(5) < 1.0, "the streaming worker should stop at the deadline, not run on"


def test_too_many_orphans_make_new_queries_wait(impatient: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(execution.orphans, "running", execution.MAX_ORPHANS)
    r = requests.get(impatient + "/sparql", params={"query": "ASK {}"}, timeout=30)
    assert r.status_code == 503 and r.headers["Retry-After"]
