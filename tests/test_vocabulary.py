"""kg's own vocabularies dereference: the whole vocabulary at its IRI, a page per term."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.config import Settings
from kg.namespaces import KG, LADE
from kg.store import Store
from webapp import create_app


@pytest.fixture(scope="module")
def client(settings: Settings, loaded_store: Store) -> Iterator[FlaskClient]:
    yield create_app(settings, loaded_store).test_client()


def _turtle(client: FlaskClient, path: str) -> Graph:
    answer = client.get(path, headers={"Accept": "text/turtle"})
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/turtle"), path
    assert "Accept" in answer.headers["Vary"]
    return Graph().parse(data=answer.data, format="turtle")


def test_the_kg_vocabulary_document_holds_every_term(client: FlaskClient) -> None:
    graph = _turtle(client, "/def/kg")
    classes = set(graph.subjects(RDF.type, OWL.Class))
    properties = set(graph.subjects(RDF.type, OWL.ObjectProperty)) | set(graph.subjects(RDF.type,
                                                                                         OWL.DatatypeProperty))
    assert KG.Case in classes and len(classes) > 10 and len(properties) > 20
    assert (KG.Case, RDFS.label, Literal("sag", lang="da")) in graph
    assert (KG.Case, RDFS.label, Literal("case", lang="en")) in graph
    assert {o.language for o in graph.objects(KG.Case, SKOS.definition)} == {"da", "en"}
    assert (KG.GoverningBody, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Organization")) in graph
    suffixed = client.get("/def/kg.ttl")
    assert suffixed.status_code == 200
    assert len(Graph().parse(data=suffixed.data, format="turtle")) == len(graph)


def test_the_vocabulary_page_has_an_anchor_and_a_page_per_term(client: FlaskClient) -> None:
    page = client.get("/def/kg", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.data.decode()
    assert '<tr id="Case">' in html and 'href="/def/kg/Case"' in html and "kg-ontologien" in html


def test_a_term_page_shows_labels_definition_and_alignments(client: FlaskClient) -> None:
    html = client.get("/def/kg/GoverningBody", headers={"Accept": "text/html"}).data.decode()
    assert "styrende organ" in html and "governing body" in html and "Arkitekturboard" in html
    assert "rdfs:subClassOf" in html and "http://www.w3.org/ns/org#Organization" in html
    term = _turtle(client, "/def/kg/GoverningBody")
    assert (KG.GoverningBody, RDF.type, OWL.Class) in term
    assert client.get("/def/kg/NoSuchTerm", headers={"Accept": "text/html"}).status_code == 404


def test_the_ladeinfrastruktur_vocabulary_dereferences_too(client: FlaskClient) -> None:
    graph = _turtle(client, "/def/ladeinfrastruktur")
    assert (LADE.NormaltLadepunkt, RDFS.subClassOf, LADE.Ladepunkt) in graph
    html = client.get("/def/ladeinfrastruktur/NormaltLadepunkt",
                      headers={"Accept": "text/html"}).data.decode()
    assert "normalt ladepunkt" in html and "normal power recharging point" in html
    assert "22 kW" in html and "rdfs:subClassOf" in html
    assert 'id="NormaltLadepunkt"' in client.get("/def/ladeinfrastruktur",
                                                 headers={"Accept": "text/html"}).data.decode()
