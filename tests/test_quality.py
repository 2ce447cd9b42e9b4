"""Measured quality (EU MQA as DQV) on hand-made datasets with known scores, and declared quality."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg import quality
from kg.config import Settings
from kg.namespaces import DQV, KG
from kg.store import Store, open_store
from kg.write import Writer
from webapp import create_app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "quality"
PV = "https://piveau.eu/ns/voc#"


class _Handler(BaseHTTPRequestHandler):
    """200 for /ok and /ok.csv, 404 for anything else."""

    def _answer(self) -> None:
        self.send_response(200 if self.path in ("/ok", "/ok.csv") else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = _answer
    do_GET = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture()
def store(settings: Settings, server: str, tmp_path: Path) -> Iterator[Store]:
    source = tmp_path / "quality-datasets.ttl"
    source.write_text((FIXTURES / "datasets.ttl").read_text(encoding="utf-8").replace("LOCAL", server),
                      encoding="utf-8")
    store = open_store(settings)
    outcomes = Writer(store, settings).load([source, FIXTURES / "declared.ttl"])
    assert all(o.status == "loaded" for o in outcomes), [o.message for o in outcomes]
    yield store
    store.close()


def _iri(settings: Settings, slug: str) -> str:
    return f"{settings.base_iri}/id/dataset/{slug}"


def test_metric_points_come_from_the_vocabulary() -> None:
    vocabulary = quality.load_vocabulary()
    dims: dict[str, int] = {}
    for metric in vocabulary.metrics.values():
        dims[metric.dimension] = dims.get(metric.dimension, 0) + metric.points_true
    assert dims == {"findability": 100, "accessibility": 100, "interoperability": 110, "reusability": 75,
                    "contextuality": 20}
    assert sum(dims.values()) == quality.MAX_SCORE
    assert vocabulary.metrics["formatAvailability"].points_false == -5
    assert "http://publications.europa.eu/resource/authority/file-type/CSV" in vocabulary.non_proprietary
    assert "http://publications.europa.eu/resource/authority/file-type/PDF" not in vocabulary.machine_readable


@pytest.mark.parametrize("score,label", [(405, "excellent"), (351, "excellent"), (350, "good"), (221, "good"),
                                         (220, "sufficient"), (121, "sufficient"), (120, "bad"), (0, "bad")])
def test_rating_bands(score: int, label: str) -> None:
    assert quality.rating(score) == label


def test_known_scores_without_url_checks(store: Store, settings: Settings) -> None:
    results = quality.measure(store)
    full, bare, half = (results[_iri(settings, s)] for s in ("q-full", "q-bare", "q-half"))
    # full: findability 100, download URL given 20, interoperability 80 (compliance not measured),
    # reusability 75, contextuality 20
    assert full.dimension_points(quality.load_vocabulary()) == {
        "findability": 100, "accessibility": 20, "interoperability": 80, "reusability": 75,
        "contextuality": 20}
    assert (full.score, full.rating) == (295, "good")
    # bare: no distribution, so format and media type count -5 each; the score does not go below 0
    assert (bare.score, bare.rating) == (0, "bad")
    # half: keyword 30; best distribution (PDF) 20 - 5 + 10; licence on 1 of 2 distributions 10,
    # known licence 5, publisher 10
    assert (half.score, half.rating) == (80, "bad")
    assert half.values["licenceAvailability"] == 0.5


def test_url_checks_and_compliance_reach_405(store: Store, settings: Settings) -> None:
    results = quality.measure(store, compliance={_iri(settings, "q-full")},
                              url_status=lambda urls: quality.check_urls(urls, workers=4, timeout=5))
    full, half = results[_iri(settings, "q-full")], results[_iri(settings, "q-half")]
    assert (full.score, full.rating) == (405, "excellent")
    # half: one of two access URLs answers (25 of 50)
    assert half.score == 80 + 25
    assert half.distributions[f"{settings.base_iri}/id/distribution/q-half/pdf"]["accessUrlStatusCode"] == 404


def test_check_urls_bounded_and_unreachable_is_none(server: str) -> None:
    codes = quality.check_urls([f"http://{server}/ok", f"http://{server}/nope", "http://127.0.0.1:9/x",
                                "mailto:a@example.org"], workers=2, timeout=2)
    assert codes == {f"http://{server}/ok": 200, f"http://{server}/nope": 404, "http://127.0.0.1:9/x": None}


def test_run_writes_dqv_into_the_quality_graph_and_the_catalogue(store: Store, settings: Settings) -> None:
    quality.run(store, settings, validate=False)
    graph_name = f"{settings.base_iri}/graph/quality"
    assert any(g.name == graph_name for g in store.graphs())
    rows = store.select(f"""SELECT ?v WHERE {{ GRAPH <{graph_name}> {{
        <{_iri(settings, 'q-full')}> <{DQV.hasQualityMeasurement}> ?m .
        ?m <{DQV.isMeasurementOf}> <{PV}score> ; <{DQV.value}> ?v }} }}""")
    assert [int(r["v"]) for r in rows] == [295]
    client = create_app(settings, store=store).test_client()
    doc = Graph().parse(data=client.get("/id/dataset/q-full.ttl").get_data(), format="turtle")
    full = URIRef(_iri(settings, "q-full"))
    measured = {doc.value(m, DQV.isMeasurementOf): doc.value(m, DQV.value)
                for m in doc.objects(full, DQV.hasQualityMeasurement)}
    assert measured[URIRef(PV + "score")] == Literal(295, datatype=XSD.integer)
    assert str(measured[KG.mqaRating]) == "good"
    assert len(measured) == 2, "harvest documents carry the quality in brief: score and rating"
    # the graph holds one measurement per MQA dimension beside them (the compact form)
    points = store.select(f"""SELECT ?v WHERE {{ GRAPH <{graph_name}> {{
        <{full}> <{DQV.hasQualityMeasurement}> ?m .
        ?m <{DQV.isMeasurementOf}> <{KG.findabilityPoints}> ; <{DQV.value}> ?v }} }}""")
    assert [r["v"] for r in points] == [Literal("100", datatype=XSD.decimal)]
    dimensions = store.select(f"""SELECT (COUNT(?m) AS ?n) WHERE {{ GRAPH <{graph_name}> {{
        <{full}> <{DQV.hasQualityMeasurement}> ?m }} }}""")
    assert int(dimensions[0]["n"]) == 7, "score, rating and one measurement per MQA dimension"
    # a metric not met is one triple, on the dataset or on the distribution it is about
    unmet = {str(r["m"]) for r in store.select(
        f"SELECT ?m WHERE {{ GRAPH <{graph_name}> {{ <{full}> <{KG.unmetMetric}> ?m }} }}")}
    assert PV + "dcatApCompliance" not in unmet   # not measured in this run, so not unmet either
    page = Graph().parse(data=client.get("/catalog.ttl?page=1").get_data(), format="turtle")
    assert (full, DQV.hasQualityMeasurement, None) in page


def test_declared_annotations_are_checked_and_published(store: Store, settings: Settings) -> None:
    problems = quality.check_annotations(store)
    bad = f"{settings.base_iri}/id/quality-annotation/q-full/bad"
    assert problems and all(bad in p for p in problems)
    assert any("kg:rating must be a whole number 0–5, got 7" in p for p in problems)
    assert any("dqv:inDimension" in p for p in problems)
    assert any("kg:expectedUse" in p for p in problems)
    client = create_app(settings, store=store).test_client()
    doc = Graph().parse(data=client.get("/id/dataset/q-full.ttl").get_data(), format="turtle")
    good = URIRef(f"{settings.base_iri}/id/quality-annotation/q-full/komplethed")
    assert doc.value(good, DQV.inDimension) == URIRef(
        f"{settings.base_iri}/id/concept/quality-dimension/komplethed")
    assert int(doc.value(good, KG.rating)) == 4
    body = doc.value(good, URIRef("http://www.w3.org/ns/oa#hasBody"))
    assert body is not None and doc.value(body, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#value"))


def test_annotations_in_data_follow_the_rules(loaded_store: Store) -> None:
    assert quality.check_annotations(loaded_store) == []
