"""Real clients: SPARQLWrapper against a running kg endpoint, for every query form and result format."""

from __future__ import annotations

from collections.abc import Iterator
from xml.dom.minidom import Document

import pytest
from rdflib import Graph
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, Unauthorized

from kg.config import Settings
from kg.loading import default_sources
from kg.store import Store, open_store
from kg.write import Writer
from tests.w3c_protocol import serve
from webapp import create_app

TOKEN = "clients-token"
PREFIXES = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
SELECT = PREFIXES + ("SELECT ?concept ?label WHERE { ?concept skos:inScheme <id/concept/decision-outcome> ; "
                     "skos:prefLabel ?label FILTER(lang(?label) = 'da') } ORDER BY ?label")
ASK = PREFIXES + "ASK { <id/concept/decision-outcome/godkendt> skos:prefLabel 'godkendt'@da }"
CONSTRUCT = PREFIXES + ("CONSTRUCT { ?c skos:prefLabel ?l } "
                        "WHERE { ?c skos:inScheme <id/concept/decision-outcome> ; skos:prefLabel ?l }")
DESCRIBE = "DESCRIBE <id/concept/decision-outcome/godkendt>"


@pytest.fixture(scope="module")
def endpoint(settings: Settings) -> Iterator[tuple[str, Store]]:
    store = open_store(settings)
    Writer(store, settings).load(default_sources(settings))
    with serve(create_app(settings.replace(write_token=TOKEN), store)) as url:
        yield url, store
    store.close()


def _client(url: str, query: str, fmt: str, method: str = GET,
            request_method: str = URLENCODED) -> SPARQLWrapper:
    client = SPARQLWrapper(url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    client.setRequestMethod(request_method)
    return client


@pytest.mark.parametrize(("method", "request_method"), [(GET, URLENCODED), (POST, URLENCODED),
                                                         (POST, POSTDIRECTLY)])
def test_select_as_json_xml_csv_tsv(endpoint: tuple[str, Store], method: str, request_method: str) -> None:
    url, _ = endpoint
    rows = _client(url, SELECT, JSON, method, request_method).query().convert()["results"]["bindings"]
    labels = [r["label"]["value"] for r in rows]
    assert len(labels) == 8 and "godkendt" in labels   # the seven outcomes and "andet"
    xml = _client(url, SELECT, XML, method, request_method).query().convert()
    assert isinstance(xml, Document)
    assert [n.firstChild.data for n in xml.getElementsByTagName("literal")] == labels
    csv_text = _client(url, SELECT, CSV, method, request_method).query().convert().decode()
    assert csv_text.splitlines()[0] == "concept,label" and len(csv_text.splitlines()) == 9
    tsv_text = _client(url, SELECT, TSV, method, request_method).query().convert().decode()
    assert tsv_text.splitlines()[0] == "?concept\t?label" and '"godkendt"@da' in tsv_text


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask(endpoint: tuple[str, Store], fmt: str) -> None:
    url, _ = endpoint
    answer = _client(url, ASK, fmt).query().convert()
    if fmt == JSON:
        assert answer == {"head": {}, "boolean": True}
    else:
        assert answer.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, XML, JSONLD])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
def test_construct_and_describe_in_rdf_formats(endpoint: tuple[str, Store], fmt: str, query: str) -> None:
    url, _ = endpoint
    result = _client(url, query, fmt, POST).query()
    converted = result.convert()
    if isinstance(converted, Graph):
        graph = converted
    else:
        content_type = result.info()["content-type"].split(";")[0]
        rdflib_format = {"text/turtle": "turtle", "application/rdf+xml": "xml",
                         "application/ld+json": "json-ld"}[content_type]
        graph = Graph().parse(data=converted, format=rdflib_format)
    assert len(graph) >= (7 if query == CONSTRUCT else 3)


def test_a_syntax_error_raises_query_bad_formed(endpoint: tuple[str, Store]) -> None:
    url, _ = endpoint
    with pytest.raises(QueryBadFormed):
        _client(url, "SELECT * WHERE {", JSON).query()


def test_update_with_and_without_the_token(endpoint: tuple[str, Store]) -> None:
    url, store = endpoint
    update = "INSERT DATA { GRAPH <http://ex.test/wrapper> { <http://ex.test/s> <http://ex.test/p> 1 } }"
    client = SPARQLWrapper(url + "/sparql", updateEndpoint=url + "/sparql/update")
    client.setMethod(POST)
    client.setQuery(update)
    with pytest.raises(Unauthorized):
        client.query()
    assert not store.ask("ASK { GRAPH <http://ex.test/wrapper> { ?s ?p ?o } }")
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    client.query()
    assert store.ask("ASK { GRAPH <http://ex.test/wrapper> { <http://ex.test/s> <http://ex.test/p> 1 } }")
