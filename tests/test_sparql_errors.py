"""Errors are answers: one mapping (kg.sparql.errors) for every route and format, and what real clients see.

Every error the engine raises for a client's request is a 4xx with the engine's message; only kg's own
faults are 5xx.  ``application/problem+json`` (RFC 9457) when the client names it, with a type that
tells a syntax error from an evaluation error, a limit and a policy refusal.  rdflib's
``SPARQLUpdateStore`` is run against a live server; empty graphs do not linger; an update whose WHERE
reads the store's own default graph is answered with a warning.
"""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from rdflib import Dataset, Literal, URIRef
from rdflib.graph import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

from kg.config import Settings
from kg.sparql.errors import TYPES, problem_for
from kg.sparql.execution import QueryTimeout, TooBusy
from kg.sparql_text import reads_default_graph
from kg.store import EvaluationError, Store, StoreUnavailable, open_store
from kg.store.remote_http import http_error
from tests.w3c_protocol import serve
from webapp import create_app

TOKEN = "errors-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PROBLEM = {"Accept": "application/sparql-results+json, text/turtle, application/problem+json;q=0.9"}
UNKNOWN_FUNCTION = "SELECT * WHERE { BIND(<http://example.org/no-such-function>(1) AS ?x) }"
G = "http://example.org/graph/errors"


@pytest.fixture()
def store(settings: Settings) -> Iterator[Store]:
    store = open_store(settings)
    yield store
    store.close()


@pytest.fixture()
def client(settings: Settings, store: Store) -> Iterator[FlaskClient]:
    app = create_app(settings.replace(write_token=TOKEN), store)
    yield app.test_client()
    app.extensions["kg.writer"].close()


def _problem(response: object) -> dict[str, object]:
    assert response.headers["Content-Type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body = json.loads(response.data)  # type: ignore[attr-defined]
    assert body["status"] == response.status_code  # type: ignore[attr-defined]
    assert "\n" not in body["detail"] and "Traceback" not in body["detail"]
    return body  # type: ignore[no-any-return]


def _kind(body: dict[str, object]) -> str:
    return str(body["type"]).rsplit("/", 1)[-1]


# -- the engine's refusals are the client's: 400 with the engine's message ----------------------------


@pytest.mark.parametrize(
    "accept",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
        "*/*",
    ],
)
def test_an_unknown_function_is_400_in_every_format(client: FlaskClient, accept: str) -> None:
    r = client.get("/sparql", query_string={"query": UNKNOWN_FUNCTION}, headers={"Accept": accept})
    assert r.status_code == 400 and r.headers["Content-Type"].startswith("text/plain")
    assert b"no-such-function" in r.data and r.data.count(b"\n") == 1
    assert "Accept" in r.headers["Vary"]


def test_an_unknown_function_on_the_html_form_is_a_400_page(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": UNKNOWN_FUNCTION, "format": "html"})
    assert r.status_code == 400 and b'role="alert"' in r.data and b"no-such-function" in r.data


def test_problem_json_tells_syntax_evaluation_limit_and_policy_apart(client: FlaskClient) -> None:
    answers = {
        "syntax": client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"}, headers=PROBLEM),
        "evaluation": client.get("/sparql", query_string={"query": UNKNOWN_FUNCTION}, headers=PROBLEM),
        "limit": client.get(
            "/sparql", query_string={"query": "ASK " + "{" * 300 + "}" * 300}, headers=PROBLEM
        ),
        "policy": client.get(
            "/sparql",
            query_string={"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"},
            headers=PROBLEM,
        ),
    }
    statuses = {"syntax": 400, "evaluation": 400, "limit": 400, "policy": 403}
    for kind, response in answers.items():
        body = _problem(response)
        assert response.status_code == statuses[kind] and _kind(body) == kind, (kind, body)
        assert body["title"] == TYPES[kind][0]
    assert "limit: nesting depth" in str(_problem(answers["limit"])["detail"])
    described = client.get(str(_problem(answers["policy"])["type"]).split("localhost", 1)[-1])
    assert described.status_code == 200 and b"SERVICE" in described.data


@pytest.mark.parametrize(
    ("update", "words"),
    [
        (f"CREATE GRAPH <{G}>", "already exists"),
        ("DROP GRAPH <http://example.org/graph/missing>", "does not exist"),
        ("CLEAR GRAPH <http://example.org/graph/missing>", "does not exist"),
        ("MOVE <http://example.org/graph/missing> TO <http://example.org/graph/other>", "does not exist"),
    ],
)
def test_graph_management_errors_are_400_naming_the_graph(
    client: FlaskClient, update: str, words: str
) -> None:
    made = client.post(
        "/sparql/update",
        headers=AUTH,
        data={"update": f"INSERT DATA {{ GRAPH <{G}> {{ <http://a> <http://b> <http://c> }} }}"},
    )
    assert made.status_code == 200
    r = client.post("/sparql/update", headers={**AUTH, **PROBLEM}, data={"update": update})
    body = _problem(r)
    assert r.status_code == 400 and _kind(body) == "evaluation", body
    assert words in str(body["detail"]) and "<http://example.org/graph/" in str(body["detail"])
    silent = (
        update.replace("CREATE GRAPH", "CREATE SILENT GRAPH")
        .replace("DROP GRAPH", "DROP SILENT GRAPH")
        .replace("CLEAR GRAPH", "CLEAR SILENT GRAPH")
        .replace("MOVE <", "MOVE SILENT <")
    )
    assert client.post("/sparql/update", headers=AUTH, data={"update": silent}).status_code == 200


def test_load_silent_succeeds_and_load_is_a_policy_refusal(client: FlaskClient) -> None:
    assert (
        client.post(
            "/sparql/update", headers=AUTH, data={"update": "LOAD SILENT <http://example.org/x.ttl>"}
        ).status_code
        == 200
    )
    r = client.post(
        "/sparql/update", headers={**AUTH, **PROBLEM}, data={"update": "LOAD <http://example.org/x.ttl>"}
    )
    assert r.status_code == 403 and _kind(_problem(r)) == "policy"


def test_graph_store_errors_use_the_same_mapping(client: FlaskClient) -> None:
    missing = client.get(
        "/sparql/graph", query_string={"graph": "http://example.org/none"}, headers={**AUTH, **PROBLEM}
    )
    assert missing.status_code == 404 and _kind(_problem(missing)) == "not-found"
    bad = client.put(
        "/sparql/graph",
        query_string={"graph": G},
        data=b"<a> <b> .",
        headers={**AUTH, **PROBLEM, "Content-Type": "text/turtle"},
    )
    assert bad.status_code == 400 and _kind(_problem(bad)) == "rdf-syntax"
    refused = client.post("/sparql/update", headers=PROBLEM, data={"update": "CLEAR ALL"})
    assert refused.status_code == 401 and _kind(_problem(refused)) == "unauthorized"


def test_kgs_own_fault_is_a_500_with_one_line(
    client: FlaskClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(store, "execute", broken)
    r = client.get("/sparql", query_string={"query": "ASK {}"}, headers=PROBLEM)
    body = _problem(r)
    assert r.status_code == 500 and _kind(body) == "internal" and "a bug" not in str(body["detail"])


def test_the_mapping_keeps_time_limits_and_outages_5xx() -> None:
    assert problem_for(QueryTimeout("slow")).status == 503
    assert problem_for(TooBusy("busy")).status == 503
    assert problem_for(StoreUnavailable("down")).status == 503
    assert problem_for(EvaluationError("The graph <x> does not exist")).status == 400
    assert problem_for(RuntimeError("unexpected")).status == 500


def test_a_remote_stores_400_is_told_apart_by_parsing() -> None:
    url = "http://127.0.0.1:9/sparql"
    bad = http_error(400, b"refused", url, text="SELECT * WHERE { ?s ?p }")
    assert type(bad).__name__ == "QuerySyntaxError"
    refused = http_error(400, b"The graph <http://g> already exists", url, text="CREATE GRAPH <http://g>",
                         update=True)
    assert type(refused) is EvaluationError and "already exists" in str(refused)
    # Without the client's text a 400 is the store's failure, not the client's mistake.
    assert type(http_error(400, b"refused", url)).__name__ == "StoreError"


# -- empty graphs do not linger ------------------------------------------------------------------------


def _described_graphs(client: FlaskClient) -> set[str]:
    description = Graph().parse(
        data=client.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle"
    )
    return {
        str(n)
        for n in description.objects(None, URIRef("http://www.w3.org/ns/sparql-service-description#name"))
    }


def test_a_graph_emptied_by_delete_data_is_gone_everywhere(client: FlaskClient, store: Store) -> None:
    triple = "<http://example.org/s> <http://example.org/p> <http://example.org/o>"
    for update in (
        f"INSERT DATA {{ GRAPH <{G}> {{ {triple} }} }}",
        f"DELETE DATA {{ GRAPH <{G}> {{ {triple} }} }}",
    ):
        assert client.post("/sparql/update", headers=AUTH, data={"update": update}).status_code == 200
    assert G not in _described_graphs(client)
    assert G not in {g.name for g in store.graphs()}
    assert client.get("/sparql/graph", query_string={"graph": G}, headers=AUTH).status_code == 404
    # the same rule for CREATE: a created graph holds nothing, so creating it again succeeds
    for _ in range(2):
        assert (
            client.post("/sparql/update", headers=AUTH, data={"update": f"CREATE GRAPH <{G}>"}).status_code
            == 200
        )
    assert G not in _described_graphs(client)


# -- an update's WHERE and the default graph -----------------------------------------------------------


def test_an_update_reading_the_default_graph_is_answered_with_a_warning(client: FlaskClient) -> None:
    made = client.post(
        "/sparql/update",
        headers=AUTH,
        data={
            "update": f"INSERT DATA {{ GRAPH <{G}> {{ <http://example.org/s> a <http://example.org/C> }} }}"
        },
    )
    assert "X-KG-Warning" not in made.headers
    plain = client.post(
        "/sparql/update",
        headers=AUTH,
        data={"update": "DELETE { ?s a <http://example.org/C> } WHERE { ?s a <http://example.org/C> }"},
    )
    assert plain.status_code == 200 and "default graph" in plain.headers["X-KG-Warning"]
    assert plain.headers["X-KG-Warning"].isascii(), "a WSGI server refuses header values beyond Latin-1"
    assert b"Note:" in plain.data and plain.data.count(b"\n") == 1
    still = client.get(
        "/sparql", query_string={"query": "ASK { <http://example.org/s> a <http://example.org/C> }"}
    )
    assert still.get_json()["boolean"] is True  # the WHERE matched the store's own (empty) default graph
    named = client.post(
        "/sparql/update",
        headers=AUTH,
        data={
            "update": "DELETE { GRAPH ?g { ?s a <http://example.org/C> } } "
            "WHERE { GRAPH ?g { ?s a <http://example.org/C> } }"
        },
    )
    assert named.status_code == 200 and "X-KG-Warning" not in named.headers
    gone = client.get(
        "/sparql", query_string={"query": "ASK { <http://example.org/s> a <http://example.org/C> }"}
    )
    assert gone.get_json()["boolean"] is False


def test_the_warning_rule_on_its_own() -> None:
    assert reads_default_graph("DELETE WHERE { ?s ?p ?o }")
    assert not reads_default_graph("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert not reads_default_graph("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert not reads_default_graph(
        "INSERT { <http://a> <http://p> ?v } WHERE { VALUES ?v { 1 } FILTER(?v > 0) }"
    )
    assert not reads_default_graph("INSERT DATA { <http://a> <http://b> <http://c> }")


# -- rdflib's SPARQLUpdateStore against a live server ----------------------------------------------------


def test_rdflibs_update_store_works_against_kg(settings: Settings, store: Store) -> None:
    app = create_app(settings.replace(write_token=TOKEN), store)
    with serve(app) as url:
        remote = SPARQLUpdateStore(f"{url}/sparql", f"{url}/sparql/update", headers=dict(AUTH))
        dataset = Dataset(store=remote)
        graph = dataset.graph(URIRef(G))  # sends CREATE GRAPH: a new graph, created
        graph.add((URIRef("http://example.org/s"), URIRef("http://example.org/p"), Literal("ø")))
        assert set(graph.objects(URIRef("http://example.org/s"), URIRef("http://example.org/p"))) == {
            Literal("ø")
        }
        assert len(dataset.get_graph(URIRef(G))) == 1  # an existing graph is opened without CREATE
        with pytest.raises(urllib.error.HTTPError) as refused:
            dataset.graph(URIRef(G))  # CREATE GRAPH of a graph that exists: the spec's failure
        assert refused.value.code == 400
        assert f"The graph <{G}> already exists" in refused.value.read().decode()
        remote.rollback()  # rdflib keeps a refused edit queued until rolled back
        graph.remove((None, None, None))
        assert list(graph.triples((None, None, None))) == []
        assert URIRef(G) not in {g.identifier for g in dataset.graphs()}  # an empty graph is no graph
        dataset.graph(URIRef(G))  # emptied, so gone: creating it again succeeds
    app.extensions["kg.writer"].close()
