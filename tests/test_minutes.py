"""Minutes (referater): the council's decisions, read from constructed minutes in the house style.

The documents are in ``tests/corpus/meetings`` (constructed, not real minutes); the expected
values are written from their text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg import validation as v
from kg.cli import main
from kg.config import Settings
from kg.ingest.agenda import prepare, read_agenda
from kg.ingest.minutes import prepare as prepare_minutes
from kg.iris import Minter
from kg.loading import discover, load_paths, source_kind
from kg.namespaces import BESLUIT, KG, SCHEMA
from kg.store import open_store
from tests.conftest import ROOT
from tests.meetings import read_and_store

CORPUS = ROOT / "tests" / "corpus" / "meetings"
MINUTES = CORPUS / "m01-referat-2024-02-08.md"
DAY = "2024-02-08"


@pytest.fixture(scope="module")
def m(settings: Settings) -> Minter:
    return Minter(settings.base_iri)


@pytest.fixture(scope="module")
def graph(settings: Settings) -> Graph:
    return read_agenda(MINUTES, settings).graph


def decision(m: Minter, number: str) -> URIRef:
    return URIRef(m.item_decision("it-arkitekturraadet", DAY, number))


def test_minutes_are_told_from_agendas(settings: Settings) -> None:
    assert read_agenda(MINUTES, settings).kind == "minutes"
    assert read_agenda(CORPUS / "a01-dagsorden-2024-02-08.md", settings).kind == "agenda"
    store = open_store(settings)
    try:
        assert prepare(MINUTES, settings, store).graph_path == f"minutes/it-arkitekturraadet/{DAY}"
        assert prepare(CORPUS / "a01-dagsorden-2024-02-08.md", settings, store).graph_path == \
            f"agendas/it-arkitekturraadet/{DAY}"
    finally:
        store.close()


def test_a_decision_is_linked_to_item_recommendations_meeting_and_case(graph: Graph, m: Minter) -> None:
    d = decision(m, "3.1")
    item = URIRef(m.agenda_item("it-arkitekturraadet", DAY, "3.1"))
    assert (d, RDF.type, BESLUIT.Besluit) in graph
    assert graph.value(d, KG.decisionOn) == item
    assert graph.value(d, KG.decidedAt) == URIRef(m.meeting("it-arkitekturraadet", DAY))
    assert set(graph.objects(d, KG.case)) == {URIRef(m.case("SAG-2022-01187"))}
    assert set(graph.objects(d, KG.respondsTo)) == {
        URIRef(m.recommendation("it-arkitekturraadet", DAY, "3.1", k)) for k in (1, 2)}
    assert graph.value(d, KG.outcome) == URIRef(m.concept("decision-outcome", "godkendt-med-bemaerkninger"))
    assert str(graph.value(d, RDF.value)).startswith("Rådet godkendte version 3 af arkitekturprincipperne")
    assert str(graph.value(d, KG.statedAs)) == ("Rådet godkendte version 3 af arkitekturprincipperne med "
                                                "følgende bemærkninger:")
    remarks = sorted(graph.objects(d, KG.remark), key=lambda r: graph.value(r, SCHEMA.position).toPython())
    assert [str(graph.value(r, RDF.value)) for r in remarks] == [
        "Princippet om kunstig intelligens skal henvise til den fællesoffentlige strategi.",
        "Sekretariatet skal udarbejde en kort vejledning til hvert princip."]


def test_every_item_with_a_decision_part_has_its_outcome(graph: Graph, m: Minter) -> None:
    outcomes = {str(graph.value(d, KG.decisionOn)).rsplit("/", 1)[1]:
                str(graph.value(d, KG.outcome)).rsplit("/", 1)[1]
                for d in graph.subjects(KG.decisionOn, None)}
    assert outcomes == {"1.1": "taget-til-efterretning", "2.1": "droeftet", "2.2": "droeftet", "2.3": "udsat",
                        "3.1": "godkendt-med-bemaerkninger"}


def test_an_outcome_no_concept_fits_is_other_with_its_words(settings: Settings, m: Minter) -> None:
    result = read_agenda(CORPUS / "m02-referat-2024-06-13-flad.md", settings)
    d = URIRef(m.item_decision("it-arkitekturraadet", "2024-06-13", "4"))
    assert result.graph.value(d, KG.outcome) == URIRef(m.concept("decision-outcome", "andet"))
    assert result.graph.value(d, KG.statedAs) == Literal(
        "Rådet besluttede at nedsætte en lille arbejdsgruppe, der kommer med et nyt forslag til mødeplan.",
        lang="da")
    assert any("item 4: the decision 'Rådet besluttede" in w and "'andet'" in w for w in result.warnings)


def test_minutes_and_agendas_with_other_kinds_conform_to_the_shapes(settings: Settings) -> None:
    """Open vocabularies: kinds and outcomes outside the lists are "andet", not violations."""
    shapes = v.load_shapes([ROOT / "shapes" / "decisions.ttl"], settings.base)
    vocabularies = Graph()
    for name in ("decision-outcome", "recommendation-kind", "agenda-item-part", "agenda-item-type"):
        vocabularies.parse(ROOT / "data" / "vocabularies" / f"{name}.ttl", publicID=settings.base)
    for name in ("m02-referat-2024-06-13-flad.md", "m05-referat-2024-11-28-ombrudt.md",
                 "a05-dagsorden-2024-11-28-ombrudt.md", "a03-dagsorden-2024-06-13-flad.md",
                 "w07-dagsorden-2025-01-23-board.docx"):
        data = read_agenda(CORPUS / name, settings).graph + vocabularies
        violations = [r for r in v.validate_graph(data, shapes).results if r.severity == "violation"]
        assert violations == [], (name, violations)


def test_minutes_folders_and_the_command(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "data" / "referater"
    folder.mkdir(parents=True)
    (folder / "m01.md").write_bytes(MINUTES.read_bytes())
    assert source_kind(folder / "m01.md") == "minutes"
    assert source_kind(tmp_path / "minutes" / "x.docx") == "minutes"
    assert source_kind(tmp_path / "agendas" / "x.docx") == "agenda"
    assert source_kind(tmp_path / "other" / "x.md") is None
    assert discover([tmp_path / "data"]) == [folder / "m01.md"]
    store = open_store(settings)
    try:
        outcomes = load_paths(store, settings, [folder])
        assert [o.status for o in outcomes] == ["loaded"], [o.message for o in outcomes]
        assert outcomes[0].graph == Minter(settings.base_iri).graph(f"minutes/it-arkitekturraadet/{DAY}")
    finally:
        store.close()
    runner = CliRunner()
    result = runner.invoke(main, ["--store", "memory", "ingest", "minutes",
                                  str(CORPUS / "w05-referat-2024-03-14-word.docx"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "minutes of meeting" in result.output and "3 decisions" in result.output
    assert "graph/minutes/it-arkitekturraadet/2024-03-14" in result.output


def test_corrected_minutes_say_what_changed_and_where_they_differ_from_the_agenda(settings: Settings,
                                                                                  tmp_path: Path) -> None:
    agenda_file = CORPUS / "a01-dagsorden-2024-02-08.md"
    store = open_store(settings)
    try:
        read_and_store(prepare, agenda_file, settings, store)
        first = read_and_store(prepare_minutes, MINUTES, settings, store)
        corrected = tmp_path / "referat-rettet.md"
        corrected.write_text(MINUTES.read_text(encoding="utf-8").replace(
            "Punktet blev udsat til næste møde.", "Rådet tog orienteringen til efterretning.").replace(
            "mødelokale 2", "mødelokale 4"), encoding="utf-8")
        second = prepare_minutes(corrected, settings, store)
    finally:
        store.close()
    assert first.changes == []
    assert "decision on item 2.3 outcome changed: 'udsat' -> 'taget-til-efterretning'" in second.changes
    assert ("the minutes differ from the agenda: location 'KL, Weidekampsgade 10, mødelokale 4' "
            "(agenda: 'KL, Weidekampsgade 10, mødelokale 2')") in second.notes


def test_minutes_without_decisions_are_said_to_be_so(settings: Settings) -> None:
    store = open_store(settings)
    try:
        prepared = prepare_minutes(CORPUS / "a01-dagsorden-2024-02-08.md", settings, store)
    finally:
        store.close()
    assert prepared.graph_path == f"minutes/it-arkitekturraadet/{DAY}"
    assert any("no decisions were read" in w for w in prepared.warnings)
