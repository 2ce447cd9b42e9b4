"""Protocol details independent clients rely on: Vary on negotiated answers and 406s, ASK as CSV/TSV.

Each negotiated answer is read by the client that would read it (rdflib's RDF and results parsers).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Variable
from rdflib.namespace import DCAT, RDF
from rdflib.query import Result

from kg.config import Settings
from kg.store import Store
from webapp import create_app


@pytest.fixture(scope="module")
def client(settings: Settings, loaded_store: Store) -> Iterator[FlaskClient]:
    yield create_app(settings, loaded_store).test_client()


def _dataset_path(loaded_store: Store, settings: Settings) -> str:
    graph = loaded_store.construct(
        "CONSTRUCT { ?d a <http://www.w3.org/ns/dcat#Dataset> } "
        "WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> } LIMIT 1"
    )
    dataset = str(next(graph.subjects(RDF.type, DCAT.Dataset)))
    assert dataset.startswith(settings.base_iri)
    return dataset[len(settings.base_iri) :]


@pytest.mark.parametrize(
    "path", ["DATASET", "/catalog?page=1", "/.well-known/void", "/def/kg", "/def/ladeinfrastruktur"]
)
def test_negotiated_answers_and_their_406_say_vary_accept(
    client: FlaskClient, loaded_store: Store, settings: Settings, path: str
) -> None:
    if path == "DATASET":
        path = _dataset_path(loaded_store, settings)
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200, (path, turtle.status_code)
    assert "Accept" in turtle.headers.get("Vary", ""), path
    assert len(Graph().parse(data=turtle.data, format="turtle")) > 0
    refused = client.get(path, headers={"Accept": "image/png"})
    assert refused.status_code == 406, path
    assert "Accept" in refused.headers.get("Vary", ""), path


def test_a_406_from_the_query_endpoint_says_vary_accept(client: FlaskClient) -> None:
    refused = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "Accept" in refused.headers["Vary"]


@pytest.mark.parametrize(
    ("media", "rdflib_format"), [("text/csv", "csv"), ("text/tab-separated-values", "tsv")]
)
def test_ask_as_csv_and_tsv_is_a_header_and_a_value(
    client: FlaskClient, media: str, rdflib_format: str
) -> None:
    """The CSV/TSV results spec defines no ASK form; kg writes Jena's: a ``_askResult`` column, one row."""
    for query, word in (("ASK { ?s ?p ?o }", "true"), ("ASK { <http://example.org/none> ?p ?o }", "false")):
        answer = client.get("/sparql", query_string={"query": query}, headers={"Accept": media})
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(media)
        result = Result.parse(io.BytesIO(answer.data), format=rdflib_format)
        assert result.vars == [Variable("_askResult")]
        assert [str(row[Variable("_askResult")]) for row in result.bindings] == [word]
