"""Validation of the store: per-resource equals whole-graph, the command line, the stored report."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import RDF, SH

from bench.generate import write as generate
from kg import validation as v
from kg.cli import main
from kg.config import Settings
from kg.iris import Minter
from kg.loading import load_paths
from kg.namespaces import KG
from kg.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]


def _keys(report: v.Report) -> Counter[tuple[object, ...]]:
    return Counter(r.key() for r in report.results)


@pytest.fixture(scope="module")
def shapes(settings: Settings) -> Graph:
    return v.load_shapes(v.default_shape_files(settings), settings.base)


def test_per_resource_equals_whole_graph_on_data(loaded_store: Store, settings: Settings,
                                                 shapes: Graph) -> None:
    whole = v.validate_whole(loaded_store, settings, shapes)
    per = v.validate_store(loaded_store, settings, shapes, jobs=2, batch_size=40, engine="pyshacl")
    assert per.engine == "pyshacl per resource"
    assert whole.results, "kg's data has warnings at least (recommended DCAT-AP-DK properties)"
    assert _keys(per) == _keys(whole)


def test_per_resource_equals_whole_graph_on_generated_catalogue(settings: Settings, shapes: Graph,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "catalog.nt"
    with path.open("w", encoding="utf-8") as out:
        generate(150, out, settings.base_iri, seed=5)
    store = open_store(settings)
    try:
        load_paths(store, settings, [path, ROOT / "data" / "vocabularies" / "eu-authority-tables.ttl"])
        whole = v.validate_whole(store, settings, shapes)
        per = v.validate_store(store, settings, shapes, jobs=2, batch_size=64, engine="pyshacl")
    finally:
        store.close()
    assert per.focus_count > 150 * 4
    assert _keys(per) == _keys(whole)
    assert per.count("warning") > 0


def test_kg_data_has_no_violations_other_than_reported_ones(loaded_store: Store, settings: Settings,
                                                          shapes: Graph) -> None:
    """The only violations in data/ are circular definitions, reported to the data's authors."""
    report = v.validate_store(loaded_store, settings, shapes, jobs=1)
    violations = [r for r in report.results if r.severity == "violation"]
    assert {r.shape for r in violations} <= {
        "https://kg.rammearkitektur.dk/def/shapes/conceptlists#Concept-definition-circular"}


def test_graph_option_restricts_the_resources(loaded_store: Store, settings: Settings,
                                              shapes: Graph) -> None:
    catalog = Minter(settings.base_iri).graph("catalog/datasets.ttl")
    report = v.validate_store(loaded_store, settings, shapes, graphs=[catalog], jobs=1)
    assert report.results and all("/id/dataset/" in r.focus for r in report.results)


def test_report_renderings(loaded_store: Store, settings: Settings, shapes: Graph) -> None:
    report = v.validate_store(loaded_store, settings, shapes, jobs=1)
    text = report.to_text("da", settings.base)
    assert "Anbefalet: angiv datasættets opdateringsfrekvens (dct:accrualPeriodicity)." in text
    assert "<id/dataset/cpr>" in text and "Det Centrale Personregister (CPR)" in text
    english = report.to_text("en", settings.base)
    assert "Recommended: give the dataset's update frequency (dct:accrualPeriodicity)." in english
    data = json.loads(report.to_json("en"))
    assert data["warnings"] == report.count("warning") and len(data["results"]) == len(report.results)
    assert "<script" not in report.to_html("da") and "<h1>Valideringsrapport</h1>" in report.to_html("da")
    g = report.to_graph()
    assert len(list(g.subjects(RDF.type, SH.ValidationResult))) == len(report.results)
    # what store_report writes (line by line, for a million results) is the same report
    from rdflib.compare import isomorphic

    assert isomorphic(Graph().parse(data=report.to_triples_text(), format="turtle"), g)


@pytest.fixture()
def cli_env(tmp_path: Path) -> dict[str, str]:
    return {"KG_STORE_PATH": str(tmp_path / "store"), "KG_CONFIG": str(tmp_path / "none.toml"),
            "KG_INFER_AFTER_LOAD": "false", "KG_QUALITY_AFTER_LOAD": "false"}


def test_cli_exit_codes_and_stored_report(cli_env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    good = ROOT / "tests" / "fixtures" / "shapes" / "decisions.good.ttl"
    assert runner.invoke(main, ["load", str(good)], env=cli_env).exit_code == 0
    shapes = str(ROOT / "shapes" / "decisions.ttl")
    ok = runner.invoke(main, ["validate", "--shapes", shapes, "--jobs", "1"], env=cli_env)
    assert ok.exit_code == 0, ok.output
    assert "0 overtrædelser, 0 advarsler" in ok.output
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix besluit: <http://data.vlaanderen.be/ns/besluit#> .\n"
                   "<id/meeting/x/2023-01-01> a besluit:Zitting .\n", encoding="utf-8")
    assert runner.invoke(main, ["load", str(bad)], env=cli_env).exit_code == 0
    failed = runner.invoke(main, ["validate", "--shapes", shapes, "--lang", "en", "--jobs", "1"], env=cli_env)
    assert failed.exit_code == 1
    assert "The meeting must have exactly one body that held it (besluit:isGehoudenDoor)." in failed.output
    as_json = runner.invoke(main, ["validate", "--shapes", shapes, "--format", "json", "--jobs", "1"],
                            env=cli_env)
    assert json.loads(as_json.output)["violations"] == 3
    missing = runner.invoke(main, ["validate", "--shapes", str(tmp_path / "nope.ttl")], env=cli_env)
    assert missing.exit_code == 2 and "no such shapes file" in missing.output
    warn = runner.invoke(main, ["validate", "--shapes", shapes, "--jobs", "1",
                                "--graph", "https://kg.rammearkitektur.dk/graph/x"], env=cli_env)
    assert warn.exit_code == 2 and "no graph named" in warn.output
    # the latest report is in the validation graph
    from rdflib import URIRef

    from kg.config import load_settings

    settings = load_settings(environ=cli_env)
    graph = URIRef(Minter(settings.base_iri).validation_graph())
    store = open_store(settings)
    try:
        # the compact report (kg/validation/store.py): one kg:hasValidationIssue triple per finding
        # without a value, one sh:ValidationResult per finding with one
        stored = [q for q in store.quads() if q[3] == graph and (
            q[1] == KG.hasValidationIssue or (q[1] == RDF.type and q[2] == SH.ValidationResult))]
    finally:
        store.close()
    assert len(stored) == 3


def test_fail_on_warning(cli_env: dict[str, str]) -> None:
    runner = CliRunner()
    good = ROOT / "tests" / "fixtures" / "shapes" / "decisions.good.ttl"
    runner.invoke(main, ["load", str(good)], env=cli_env)
    item = ROOT / "tests" / "fixtures" / "shapes" / "decisions.good.ttl"
    assert item.exists()
    shapes = str(ROOT / "shapes" / "decisions.ttl")
    args = ["validate", "--shapes", shapes, "--jobs", "1", "--no-store"]
    assert runner.invoke(main, [*args, "--fail-on", "warning"], env=cli_env).exit_code == 0
