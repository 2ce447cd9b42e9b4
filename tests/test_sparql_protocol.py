"""The /sparql endpoint's Protocol behaviour: forms, formats, negotiation, errors, limits, CORS, discovery."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from xml.etree import ElementTree

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from kg import sparql_text as lexer
from kg.config import Settings
from kg.sparql import conneg
from kg.sparql.protocol import ProtocolError, check_query_safety, parse_query, parse_update
from kg.store import Store
from webapp import create_app

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SRX = "{http://www.w3.org/2005/sparql-results#}"
COUNT_TYPES = "SELECT ?type (COUNT(*) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n) LIMIT 5"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a skos:ConceptScheme ; ?p ?o }"
PREFIXED_CONSTRUCT = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" + CONSTRUCT


@pytest.fixture(scope="module")
def client(settings: Settings, loaded_store: Store) -> Iterator[FlaskClient]:
    yield create_app(settings, loaded_store).test_client()


@pytest.fixture(scope="module")
def small_client(settings: Settings, loaded_store: Store) -> Iterator[FlaskClient]:
    """The same data behind a row limit of 3."""
    yield create_app(settings.replace(max_rows=3), loaded_store).test_client()


# -- the tokenizer ---------------------------------------------------------------------------------

def test_the_form_is_the_first_keyword_after_the_prologue() -> None:
    assert lexer.operation_form("PREFIX a: <http://a/>\n# SELECT\nBASE <x> ask {}") == "ASK"
    assert lexer.operation_form("  describe <x>") == "DESCRIBE"
    assert lexer.operation_form("PREFIX a: <http://a/> INSERT DATA {}") == "UPDATE"
    assert lexer.operation_form("hello") is None


def test_keywords_inside_strings_iris_comments_and_names_do_not_count() -> None:
    text = 'SELECT * { ?s <http://x/SERVICE> "SERVICE" ; ex:SERVICE ?service . } # SERVICE'
    assert "SERVICE" not in lexer.keywords(text)
    assert "SERVICE" in lexer.keywords("SELECT * { service <http://x> { ?s ?p ?o } }")
    assert "SERVICE" in lexer.keywords(r"SELECT * { \u0053ERVICE <http://x> { ?s ?p ?o } }")
    assert "SERVICE" not in lexer.keywords("SELECT * { ?s ?p '''multi\nline SERVICE''' }")


def test_less_than_is_not_an_iri() -> None:
    text = "SELECT * { ?s ?p ?o FILTER(?o < 3 && ?o > 1) SERVICE <http://x> {} }"
    assert "SERVICE" in lexer.keywords(text)


def test_using_goes_before_each_where_but_not_into_delete_where() -> None:
    update = "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ; DELETE WHERE { ?a ?b ?c }"
    out = lexer.add_using(update, ["http://g/1"], ["http://g/2"])
    assert out.count("USING <http://g/1> USING NAMED <http://g/2> WHERE") == 1
    assert "DELETE WHERE { ?a ?b ?c }" in out


def test_a_dataset_clause_is_found_only_outside_braces() -> None:
    assert lexer.has_dataset_clause("SELECT * FROM <http://g> { ?s ?p ?o }")
    assert not lexer.has_dataset_clause('SELECT * { ?s ?p "FROM" }')


# -- content negotiation ---------------------------------------------------------------------------

@pytest.mark.parametrize(("accept", "kind", "expected"), [
    (None, "bindings", conneg.RESULTS_JSON),
    ("", "graph", conneg.TURTLE),
    ("application/sparql-results+xml;q=0.5, text/csv", "bindings", conneg.CSV),
    ("text/*;q=0.2, text/tab-separated-values", "bindings", conneg.TSV),
    ("*/*;q=0.1, text/turtle;q=0", "graph", conneg.NTRIPLES),
    ("application/rdf+xml, */*;q=0.1", "graph", conneg.RDFXML),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "bindings", conneg.HTML),
    ("application/json", "bindings", "application/json"),
])
def test_negotiation_follows_q_values_and_specificity(accept: str | None, kind: str, expected: str) -> None:
    assert conneg.negotiate(accept, kind) == expected


def test_format_overrides_accept_and_unknown_formats_are_refused() -> None:
    assert conneg.negotiate("text/csv", "bindings", "json") == conneg.RESULTS_JSON
    assert conneg.negotiate(None, "graph", "application/n-triples") == conneg.NTRIPLES
    with pytest.raises(conneg.NotAcceptable):
        conneg.negotiate(None, "graph", "csv")
    with pytest.raises(conneg.NotAcceptable):
        conneg.negotiate("image/png, text/turtle;q=0", "graph")


# -- reading requests ------------------------------------------------------------------------------

def test_protocol_rules_on_their_own() -> None:
    assert parse_query("GET", None, {}, {}, b"") is None
    with pytest.raises(ProtocolError) as repeated:
        parse_query("GET", None, {"query": ["ASK {}", "ASK {}"]}, {}, b"")
    assert repeated.value.status == 400
    with pytest.raises(ProtocolError) as untyped:
        parse_query("POST", None, {}, {}, b"ASK {}")
    assert untyped.value.status == 415
    with pytest.raises(ProtocolError) as utf16:
        parse_query("POST", "application/sparql-query; charset=UTF-16", {}, {}, "ASK {}".encode("utf-16"))
    assert utf16.value.status == 415
    with pytest.raises(ProtocolError):
        parse_update("GET", None, {"update": ["CLEAR ALL"]}, {}, b"")
    with pytest.raises(ProtocolError) as conflict:
        parse_update("POST", "application/sparql-update", {"using-graph-uri": ["http://g"]}, {},
                     b"WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert conflict.value.status == 400


# -- answers ---------------------------------------------------------------------------------------

def _rows_json(body: bytes) -> list[dict[str, dict[str, str]]]:
    return json.loads(body)["results"]["bindings"]  # type: ignore[no-any-return]


def test_select_in_every_results_format(client: FlaskClient) -> None:
    answers = {}
    for media in (conneg.RESULTS_JSON, conneg.RESULTS_XML, conneg.CSV, conneg.TSV):
        r = client.get("/sparql", query_string={"query": COUNT_TYPES}, headers={"Accept": media})
        assert r.status_code == 200, r.data
        assert r.headers["Content-Type"] == f"{media}; charset=utf-8"
        answers[media] = r.data
    rows = _rows_json(answers[conneg.RESULTS_JSON])
    assert len(rows) == 5
    types = [row["type"]["value"] for row in rows]
    xml_rows = ElementTree.fromstring(answers[conneg.RESULTS_XML]).findall(f"{SRX}results/{SRX}result")
    assert [r.find(f"{SRX}binding[@name='type']/{SRX}uri").text for r in xml_rows] == types
    csv_rows = list(csv.DictReader(io.StringIO(answers[conneg.CSV].decode())))
    assert [r["type"] for r in csv_rows] == types
    tsv_lines = answers[conneg.TSV].decode().splitlines()
    assert tsv_lines[0] == "?type\t?n"
    assert [line.split("\t")[0] for line in tsv_lines[1:]] == [f"<{t}>" for t in types]


def test_construct_in_every_rdf_format_gives_the_same_triples(client: FlaskClient) -> None:
    formats = {conneg.TURTLE: "turtle", conneg.NTRIPLES: "nt", conneg.RDFXML: "xml", conneg.JSONLD: "json-ld",
               conneg.TRIG: "trig", conneg.NQUADS: "nquads"}
    sizes = {}
    for media, rdflib_format in formats.items():
        r = client.post("/sparql", data={"query": PREFIXED_CONSTRUCT}, headers={"Accept": media})
        assert r.status_code == 200, r.data
        assert r.headers["Content-Type"] == f"{media}; charset=utf-8"
        graph = Graph()
        graph.parse(data=r.data, format=rdflib_format)
        sizes[media] = len(graph)
    assert len(set(sizes.values())) == 1 and sizes[conneg.TURTLE] > 10, sizes


def test_kg_prefixes_are_known_to_queries_only_when_declared(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": CONSTRUCT})
    assert r.status_code == 400
    assert b"syntax error" in r.data


def test_defaults_without_accept(client: FlaskClient) -> None:
    r = client.post("/sparql", data="ASK { ?s ?p ?o }", content_type="application/sparql-query")
    assert r.headers["Content-Type"].startswith(conneg.RESULTS_JSON)
    assert json.loads(r.data) == {"head": {}, "boolean": True}
    r = client.post("/sparql", data=PREFIXED_CONSTRUCT, content_type="application/sparql-query")
    assert r.headers["Content-Type"].startswith(conneg.TURTLE)


def test_format_parameter_overrides_accept(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": COUNT_TYPES, "format": "csv"},
                   headers={"Accept": conneg.RESULTS_JSON})
    assert r.headers["Content-Type"].startswith("text/csv")
    r = client.get("/sparql", query_string={"query": COUNT_TYPES, "format": "turtle"})
    assert r.status_code == 406


def test_unacceptable_accept_is_406(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": COUNT_TYPES}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert b"application/sparql-results+json" in r.data


def test_blank_nodes_survive_in_results(client: FlaskClient) -> None:
    query = "SELECT ?b ?c WHERE { BIND(BNODE() AS ?b) VALUES ?c { 1 2 } }"
    rows = _rows_json(client.get("/sparql", query_string={"query": query}).data)
    assert [row["b"]["type"] for row in rows] == ["bnode", "bnode"]


def test_relative_iris_resolve_against_the_base(client: FlaskClient, settings: Settings) -> None:
    query = "SELECT ?label WHERE { <id/concept/decision-outcome/godkendt> skos:prefLabel ?label }"
    r = client.get("/sparql", query_string={
        "query": "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" + query})
    labels = {row["label"]["value"] for row in _rows_json(r.data)}
    assert "godkendt" in labels


def test_a_clients_own_base_wins_over_kgs(client: FlaskClient, settings: Settings) -> None:
    query = "BASE <http://example.org/base/> SELECT ?x WHERE { VALUES ?x { <a> } }"
    rows = _rows_json(client.get("/sparql", query_string={"query": query}).data)
    assert [row["x"]["value"] for row in rows] == ["http://example.org/base/a"]
    relative = _rows_json(client.get("/sparql", query_string={
        "query": "SELECT ?x WHERE { VALUES ?x { <a> } }"}).data)
    assert [row["x"]["value"] for row in relative] == [f"{settings.base_iri}/a"]
    bad = client.get("/sparql", query_string={
        "query": "BASE <http://example.org/>\nSELECT * WHERE { ?s ?p }"})
    assert bad.status_code == 400 and b"2:" in bad.data  # positions in the client's text, not kg's


def test_the_query_page_says_how_relative_iris_resolve(client: FlaskClient, settings: Settings) -> None:
    page = client.get("/sparql", headers={"Accept": "text/html"}).data.decode()
    assert 'id="base-note"' in page and f"{settings.base_iri}/" in page and "Content-Location" in page


# -- errors are answers ----------------------------------------------------------------------------

def test_a_syntax_error_is_400_and_says_where_in_the_clients_text(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": "SELECT *\nWHERE { ?s ?p }"})
    assert r.status_code == 400
    assert r.headers["Content-Type"].startswith("text/plain")
    assert b"syntax error" in r.data and b"2:" in r.data


@pytest.mark.parametrize(("method", "kwargs", "status"), [
    ("put", {"query_string": {"query": "ASK {}"}}, 405),
    ("delete", {}, 405),
    ("get", {"query_string": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
    ("post", {"data": "ASK {}", "content_type": "text/plain"}, 415),
    ("post", {"data": "query=ASK%20%7B%7D"}, 415),
    ("post", {"data": {"update": "CLEAR ALL"}}, 400),
    ("get", {"query_string": {"query": "CLEAR ALL"}}, 400),
    ("get", {"query_string": {"query": "   "}}, 400),
    ("post", {"data": b"\xff\xfeA", "content_type": "application/sparql-query"}, 400),
    ("get", {"query_string": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, 400),
])
def test_client_mistakes_are_4xx(client: FlaskClient, method: str, kwargs: dict[str, object],
                                 status: int) -> None:
    r = getattr(client, method)("/sparql", **kwargs)
    assert r.status_code == status, r.data


def test_an_evaluation_error_is_not_a_500(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": 'SELECT * WHERE { ?s ?p ?o FILTER(REGEX(?o, "(")) }'})
    assert r.status_code < 500


# -- row limit ---------------------------------------------------------------------------------------

def test_results_beyond_the_row_limit_are_cut_with_a_header(small_client: FlaskClient) -> None:
    r = small_client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"})
    assert r.headers["X-KG-Truncated"] == "true"
    assert r.headers["X-KG-Row-Limit"] == "3"
    assert len(_rows_json(r.data)) == 3
    exact = small_client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert "X-KG-Truncated" not in exact.headers
    assert len(_rows_json(exact.data)) == 3


# -- CORS --------------------------------------------------------------------------------------------

def test_cors_on_the_query_endpoint_and_its_preflight(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://elsewhere.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-KG-Truncated" in r.headers["Access-Control-Expose-Headers"]
    pre = client.options("/sparql", headers={"Origin": "https://elsewhere.example",
                                              "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 204
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in pre.headers["Access-Control-Allow-Headers"]
    assert pre.headers["Access-Control-Allow-Origin"] == "*"


def test_no_cors_on_the_write_endpoints(client: FlaskClient) -> None:
    for path in ("/sparql/update", "/sparql/graph?default"):
        pre = client.options(path, headers={"Origin": "https://elsewhere.example",
                                            "Access-Control-Request-Method": "POST"})
        assert "Access-Control-Allow-Origin" not in pre.headers
        r = client.post(path, headers={"Origin": "https://elsewhere.example"})
        assert "Access-Control-Allow-Origin" not in r.headers


# -- discoverable -------------------------------------------------------------------------------------

def test_service_description_for_rdf_clients(client: FlaskClient, loaded_store: Store) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=r.data, format="turtle")
    service = next(graph.subjects(RDF.type, SD.Service))
    assert graph.value(service, SD.endpoint) == URIRef("http://localhost/sparql")
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    features = set(graph.objects(service, SD.feature))
    assert SD.UnionDefaultGraph in features
    assert SD.BasicFederatedQuery not in features and SD.DereferencesURIs not in features
    names = {str(n) for n in graph.objects(None, SD.name)}
    assert names == {g.name for g in loaded_store.graphs()}
    assert (None, SD.supportedLanguage, SD.SPARQL11Update) not in graph  # no token: no update service


def test_browsers_get_the_query_page_with_the_gallery(client: FlaskClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    page = r.data.decode()
    assert '<form id="plain-form"' in page and 'name="query"' in page
    for name in ("decisions-by-case", "products-by-approval-status", "concepts-of-a-scheme",
                 "datasets-missing-licence", "systems-breaking-cpr-rules"):
        assert f"?example={name}" in page
    assert "dbpedia" not in page.lower() and "prefix.cc" not in page


def test_an_example_opens_in_the_plain_form(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"example": "concepts-of-a-scheme"},
                   headers={"Accept": "text/html"})
    assert "skos:inScheme" in r.data.decode()


def test_the_plain_form_answers_with_an_html_table(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": COUNT_TYPES, "format": "html"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    page = r.data.decode()
    assert '<table class="sparql-results">' in page and page.count("<tr>") == 6
    bad = client.get("/sparql", query_string={"query": "SELECT * {", "format": "html"})
    assert bad.status_code == 400 and 'role="alert"' in bad.data.decode()


# -- the gallery answers what it promises ---------------------------------------------------------------

def _example(client: FlaskClient, name: str) -> list[dict[str, str]]:
    from webapp.sparql import _examples

    query = _examples()[name]["query"]
    answer = client.post("/sparql", data={"query": query})
    assert answer.status_code == 200, answer.data
    return [{k: v["value"] for k, v in row.items()} for row in _rows_json(answer.data)]


def test_example_products_by_approval_status(client: FlaskClient, settings: Settings) -> None:
    rows = {row["product"]: row for row in _example(client, "products-by-approval-status")}
    product = f"{settings.base_iri}/id/product/dcat-ap-dk"
    assert rows[product]["status"] == "https://data.gov.dk/model/core/approvalstatus#ApprovedWithRemarks"
    assert rows[product]["decidedOn"].startswith("2023-10-31")


def test_example_decisions_by_case(client: FlaskClient, settings: Settings) -> None:
    rows = [r for r in _example(client, "decisions-by-case") if r["caseNumber"] == "SAG-2022-04763"]
    products = {r["product"].rsplit("/", 1)[-1] for r in rows}
    assert products == {"ladeinfrastruktur", "datasaets-kvalitet", "dcat-ap-dk",
                        "referencearkitektur-digitale-overblik"}


def test_example_concepts_of_a_scheme(client: FlaskClient) -> None:
    labels = {r["prefLabel"] for r in _example(client, "concepts-of-a-scheme")}
    assert {"godkendt", "godkendt med bemærkninger", "afvist", "andet"} <= labels and len(labels) == 8


def test_example_datasets_missing_licence(client: FlaskClient, loaded_store: Store) -> None:
    graph = Graph()
    for s, p, o, _ in loaded_store.quads():
        graph.add((s, p, o))
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    licensed = {d for d in datasets if (d, DCTERMS.license, None) in graph
                or any((x, DCTERMS.license, None) in graph for x in graph.objects(d, DCAT.distribution))}
    found = {r["dataset"] for r in _example(client, "datasets-missing-licence")}
    assert found == {str(d) for d in datasets - licensed}


def test_example_systems_breaking_cpr_rules(client: FlaskClient) -> None:
    rules: dict[str, set[str]] = {}
    for row in _example(client, "systems-breaking-cpr-rules"):
        rules.setdefault(row["system"].rsplit("/", 1)[-1], set()).add(row["rule"].split(":")[0])
    assert rules == {
        "eksempelsystem-a": {"keys on the personnummer without subscribing to changes of personnummer",
                             "does not look up the personnummer's status code"},
        "eksempelsystem-b": {"exchanges person references with a system keyed differently"},
        "eksempelsystem-c": {"exchanges person references with a system keyed differently"},
    }


# -- the tokenizer follows the grammar's terminals ---------------------------------------------------

@pytest.mark.parametrize("text", [
    r"PREFIX ex: <http://e/> SELECT * WHERE { VALUES ?v { ex:a\' } SERVICE <http://x/> { ?s ?p ?o } }",
    r"PREFIX ex: <http://e/> SELECT * WHERE { VALUES ?v { ex:a\# } SERVICE <http://x/> { ?s ?p ?o } }",
    r"PREFIX ex: <http://e/> SELECT * WHERE { VALUES ?v { ex:a%23 } SERVICE <http://x/> { ?s ?p ?o } }",
    r"SELECT * WHERE { ?s ?p 'a\'' SERVICE <http://x/> { ?s ?p ?o } }",
    r'SELECT * WHERE { ?s ?p """a""b""" SERVICE <http://x/> { ?s ?p ?o } }',
    r"SELECT * WHERE { ?s ?p <http://x\u003E> SERVICE <http://x/> { ?s ?p ?o } }",
])
def test_service_after_escapes_is_still_a_keyword(text: str) -> None:
    assert "SERVICE" in lexer.analyse(text).keywords


def test_prefixed_names_with_escapes_are_one_token() -> None:
    tokens = list(lexer.tokenize(r"ex:a\'b\#c%41.d ex:"))
    assert [(t.kind, t.text) for t in tokens] == [("pname", r"ex:a\'b\#c%41.d"), ("pname", "ex:")]


@pytest.mark.parametrize("text", ["SELECT * { ?s ?p 'open }", "SELECT * { ?s ?p ?o } \\",
                                  "SELECT * { ?s ?p ~ }"])
def test_what_is_not_sparqls_tokens_is_refused_with_its_place(text: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        check_query_safety(text)
    assert caught.value.status == 400 and "line 1, column" in caught.value.message


@pytest.mark.parametrize(("text", "limit"), [
    ("SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000, "nesting depth"),
    (r"PREFIX ex: <http://e/> SELECT * WHERE { VALUES ?v { ex:a\' } " + "{" * 5000 + "}" * 5000 + " }",
     "nesting depth"),
    ("SELECT * WHERE { " + " UNION ".join(["{?s ?p ?o}"] * 10000) + " }", "operator count"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(" + "+".join(["1"] * 100000) + " > 0) }", "operator count"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(" + " && ".join(["?o"] * 50000) + ") }", "operator count"),
    ("SELECT * WHERE { ?s " + "/".join(["<http://p>"] * 50000) + " ?o }", "operator count"),
    ("SELECT * WHERE { ?s ?p ?o " + " ".join(["MINUS {?s ?p ?o}"] * 4000) + " }", "operator count"),
    ("SELECT * WHERE { ?s ?p ?o } # " + "x" * 2_000_000, "query size"),
])
def test_limits_are_named_and_cannot_be_escaped_around(text: str, limit: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        check_query_safety(text)
    assert caught.value.status == 400 and f"limit: {limit}" in caught.value.message
