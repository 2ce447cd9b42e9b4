"""The domain content (ontologies/kg.ttl and data/*) answers the agenda's facts through SPARQL.

Every question is asked with a query kept in ``kg/queries/domain/`` against the store loaded with
``ontologies/`` and ``data/`` and the agendas' derived links (the ``loaded_store`` fixture).  The
meeting's facts come from its agenda (data/agendas/, read by the agenda ingest); the golden tests
compare them with the agenda's own text, so a reading error fails.  The OWL RL tests run owlrl
over the ontology and the data and ask in standard terms (PROV, owl:sameAs), which is what the
alignments are for.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import owlrl
import pytest
from rdflib import Graph, Literal, URIRef

from kg.config import Settings
from kg.ingest.agenda import read_agenda
from kg.ingest.links import link_agendas
from kg.iris import Minter
from kg.loading import graph_for
from kg.namespaces import KG
from kg.queries import iri, literal, render
from kg.store import Store, open_store
from tests.conftest import ROOT
from tests.reference import reference_path

#: The source agenda as the repository keeps it (identical to the seed: tests/test_agenda.py checks).
SEED = ROOT / "data" / "agendas" / "it-arkitekturraadet-2023-11-30.md"
MEETING = "id/meeting/it-arkitekturraadet/2023-11-30"
#: The files this part of kg owns (others add files to the same folders); the label and term
#: checks cover their graphs.
OWN = [ROOT / "ontologies" / "kg.ttl"] + [ROOT / "data" / name for name in (
    "vocabularies/agenda-item-part.ttl", "vocabularies/agenda-item-type.ttl", "vocabularies/cpr-status.ttl",
    "vocabularies/decision-outcome.ttl", "vocabularies/document-type.ttl",
    "vocabularies/eu-authority-tables.ttl", "vocabularies/product-type.ttl",
    "vocabularies/quality-dimension.ttl", "vocabularies/recommendation-kind.ttl", "vocabularies/status.ttl",
    "organisations/organisations.ttl", "organisations/people.ttl", "organisations/systems.ttl",
    "catalog/catalog.ttl", "catalog/datasets.ttl", "catalog/products.ttl", "catalog/standards.ttl",
    "meetings/it-arkitekturraadet-2023-11-30.ttl",
    "cpr/cpr-begreber.ttl", "cpr/cpr-schemes.ttl", "examples/cpr-systemlandskab.ttl",
)]


def _iri(settings: Settings, relative: str) -> str:
    return iri(settings.base + relative)


def _rows(store: Store, name: str, **values: str) -> list[dict[str, str]]:
    """A query's rows with every term as its plain string value."""
    return [{k: str(v) for k, v in row.items() if v is not None}
            for row in store.select(render(f"domain/{name}", **values))]


#: The graphs the agenda ingest and the link derivation write for the seed agenda.
INGESTED = ("agendas/it-arkitekturraadet/2023-11-30", "links")


def _graphs(settings: Settings) -> str:
    minter = Minter(settings.base_iri)
    return " ".join([iri(graph_for(path, settings)) for path in OWN]
                    + [iri(minter.graph(g)) for g in INGESTED])


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


# --- files ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", OWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_parses_without_base(path: Path) -> None:
    """Each file parses, uses relative IRIs for kg's instances and sets no @base of its own."""
    text = path.read_text(encoding="utf-8")
    assert "@base" not in text.lower()
    assert "https://kg.rammearkitektur.dk/id/" not in text, "instances are written relative to the base"
    graph = Graph().parse(data=text, format="turtle", publicID="https://example.org/kg/")
    assert len(graph) > 0


# --- the meeting of 30 November 2023 ----------------------------------------------------------

def test_meeting_date_place_and_body(loaded_store: Store, settings: Settings) -> None:
    rows = _rows(loaded_store, "meeting", meeting=_iri(settings, MEETING))
    assert len(rows) == 1
    row = rows[0]
    assert row["start"] == "2023-11-30T10:00:00"
    assert row["place"] == "KOMBIT, Halfdansgade 8, lokale Fanø"
    assert row["body"] == settings.base + "id/org/it-arkitekturraadet"
    assert row["bodyName"] == "Kommunernes It-Arkitekturråd"


def test_meeting_items_in_order_with_sections(loaded_store: Store, settings: Settings) -> None:
    rows = _rows(loaded_store, "meeting-items", meeting=_iri(settings, MEETING))
    assert [r["number"] for r in rows] == ["1.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9"]
    assert [int(r["position"]) for r in rows] == list(range(1, 10))
    assert rows[0]["sectionTitle"] == "Siden sidst"
    assert {r["sectionTitle"] for r in rows[1:]} == {"Drøftelsessager"}
    assert {r["number"]: r["caseNumber"] for r in rows} == {
        "1.1": "MOD-2023-00073", "2.2": "SAG-2022-04763", "2.3": "SAG-2022-04763",
        "2.4": "SAG-2023-02803", "2.5": "SAG-2023-04749", "2.6": "SAG-2022-04020",
        "2.7": "SAG-2022-04763", "2.8": "SAG-2022-04763", "2.9": "SAG-2022-04763",
    }


def test_item_titles_are_the_agendas_headings(loaded_store: Store, settings: Settings,
                                              seed_text: str) -> None:
    """Each title stands in the agenda as the heading of its item ("2.4. Udbredelse af NemHandel")."""
    headings = {line.strip("#* ").replace("*", "") for line in seed_text.splitlines()}
    for row in _rows(loaded_store, "meeting-items", meeting=_iri(settings, MEETING)):
        assert f"{row['number']}. {row['title']}" in headings, row


def test_items_of_case(loaded_store: Store) -> None:
    rows = _rows(loaded_store, "case-items", case=literal("SAG-2022-04763"))
    assert sorted(r["number"] for r in rows) == ["2.2", "2.3", "2.7", "2.8", "2.9"]
    assert [r["number"] for r in _rows(loaded_store, "case-items", case=literal("SAG-2023-04749"))] == ["2.5"]
    assert _rows(loaded_store, "case-items", case=literal("SAG-0000-00000")) == []


def test_responsible_officers(loaded_store: Store, settings: Settings) -> None:
    officers: dict[str, list[str]] = {}
    for row in _rows(loaded_store, "item-officers", meeting=_iri(settings, MEETING)):
        officers.setdefault(row["number"], []).extend([row["name"]] if "name" in row else [])
    assert officers == {
        "1.1": [], "2.2": ["Torben Mathisen"], "2.3": [], "2.4": ["Jakob Eiby"], "2.5": ["Jakob Eiby"],
        "2.6": ["Line Laudrup"], "2.7": ["Morten Hass"], "2.8": ["Hanna Grünbaum", "Magnus Alkil"],
        "2.9": ["Vibeke Normann"],
    }


def test_officers_stand_beside_their_case_numbers(loaded_store: Store, settings: Settings,
                                                  seed_text: str) -> None:
    """Golden: the agenda's "SAG-… Name" lines name exactly the officers the data has."""
    items = {r["number"]: r["caseNumber"] for r in _rows(loaded_store, "meeting-items",
                                                           meeting=_iri(settings, MEETING))}
    for row in _rows(loaded_store, "item-officers", meeting=_iri(settings, MEETING)):
        if "name" in row:
            lines = [ln for ln in seed_text.splitlines() if ln.startswith(items[row["number"]])]
            assert any(row["name"] in ln for ln in lines), row


def test_recommendations_are_the_agendas_bullets(loaded_store: Store, settings: Settings,
                                                 seed_text: str) -> None:
    rows = _rows(loaded_store, "meeting-recommendations", meeting=_iri(settings, MEETING))
    bullets = {line[2:].strip() for line in seed_text.splitlines() if line.startswith("- ")}
    for row in rows:
        assert row["text"] in bullets, row
    kinds = {(r["number"], int(r["k"])): r["kind"].rsplit("/", 1)[1] for r in rows}
    assert kinds == {
        ("2.2", 1): "droefter", ("2.3", 1): "tager-til-efterretning", ("2.4", 1): "tager-til-efterretning",
        ("2.4", 2): "droefter", ("2.5", 1): "droefter", ("2.6", 1): "giver-input", ("2.6", 2): "giver-input",
        ("2.7", 1): "paapeger", ("2.7", 2): "raadgiver", ("2.7", 3): "tilkendegiver",
        ("2.8", 1): "tager-til-efterretning", ("2.8", 2): "giver-anbefalinger", ("2.8", 3): "giver-input",
        ("2.9", 1): "tager-til-efterretning",
    }
    assert {r["addressedTo"] for r in rows} == {settings.base + "id/org/it-arkitekturraadet"}


def test_attachments_are_the_agendas_titles(loaded_store: Store, settings: Settings, seed_text: str) -> None:
    rows = _rows(loaded_store, "meeting-attachments", meeting=_iri(settings, MEETING))
    assert [(r["number"], int(r["k"])) for r in rows] == [
        ("2.2", 1), ("2.4", 1), ("2.7", 1), ("2.7", 2), ("2.8", 1), ("2.9", 1)]
    text = seed_text.replace("[rammearkitektur.dk](https://rammearkitektur.dk)", "rammearkitektur.dk")
    for row in rows:
        assert row["title"] in text, row
    dates = {r["number"]: r.get("date") for r in rows if r.get("date")}
    assert dates["2.4"] == "2023-08-16"          # "Hørings svar af 16.08.23 …"
    assert dates["2.2"] == "2023-09"             # "… – September 2023": no day given


# --- the board's approvals ------------------------------------------------------------------

def test_board_approvals(loaded_store: Store, settings: Settings) -> None:
    rows = _rows(loaded_store, "board-approvals", body=_iri(settings, "id/org/arkitekturboard"))
    got = [(r["date"], int(r["ordinal"]), int(r["position"]), r["product"].rsplit("/", 1)[1],
            r["outcome"].rsplit("/", 1)[1]) for r in rows]
    assert got == [
        ("2023-08-29", 17, 1, "ladeinfrastruktur", "godkendt"),
        ("2023-10-31", 18, 1, "datasaets-kvalitet", "godkendt"),
        ("2023-10-31", 18, 2, "dcat-ap-dk", "godkendt-med-bemaerkninger"),
        ("2023-10-31", 18, 3, "referencearkitektur-digitale-overblik", "godkendt-med-bemaerkninger"),
    ]


def test_board_proposal_titles_are_the_agendas_lists(loaded_store: Store, settings: Settings,
                                                     seed_text: str) -> None:
    rows = _rows(loaded_store, "board-approvals", body=_iri(settings, "id/org/arkitekturboard"))
    for row in rows:
        assert f"{row['position']}. {row['proposalTitle']}" in seed_text.splitlines(), row


def test_remarks_and_statements_in_the_agendas_order(loaded_store: Store, settings: Settings,
                                                     seed_text: str) -> None:
    """Golden: the board's statement and remark paragraphs come in the order the agenda prints them."""
    decisions = " ".join(_iri(settings, f"id/decision/arkitekturboard/2023-10-31/{k}") for k in (1, 2, 3))
    rows = _rows(loaded_store, "decision-paragraphs", decisions=decisions)
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["decision"].rsplit("/", 1)[1], row["kind"])
        counts[key] = counts.get(key, 0) + 1
    assert counts == {("1", "statement"): 3, ("2", "statement"): 2, ("2", "remark"): 3,
                      ("3", "statement"): 1, ("3", "remark"): 2}
    flat = " ".join(seed_text.split())
    for decision in ("1", "2", "3"):
        for kind in ("statement", "remark"):
            texts = [" ".join(r["text"].split()) for r in rows
                     if r["decision"].endswith(f"/{decision}") and r["kind"] == kind]
            places = [flat.index(t[:60]) for t in texts]
            assert places == sorted(places), (decision, kind)
    assert [int(r["position"]) for r in rows
            if r["decision"].endswith("/2") and r["kind"] == "remark"] == [1, 2, 3]


def test_council_approved_nothing_itself(loaded_store: Store, settings: Settings) -> None:
    assert _rows(loaded_store, "board-approvals", body=_iri(settings, "id/org/it-arkitekturraadet")) == []


# --- NemHandel and CPR ----------------------------------------------------------------------

def test_standards_named_by_the_nemhandel_item(loaded_store: Store, settings: Settings) -> None:
    item = _iri(settings, "id/agenda-item/it-arkitekturraadet/2023-11-30/2.4")
    assert [r["title"] for r in _rows(loaded_store, "item-standards", item=item)] == [
        "OIOUBL", "Peppol BIS", "eDelivery AS4"]
    other = _iri(settings, "id/agenda-item/it-arkitekturraadet/2023-11-30/2.5")
    assert _rows(loaded_store, "item-standards", item=other) == []


def test_status_code_after_a_change_of_sex(loaded_store: Store, settings: Settings) -> None:
    reason = _iri(settings, "id/concept/personnummer-change-reason/juridisk-koensskifte")
    rows = _rows(loaded_store, "status-after-change", reason=reason)
    assert [(r["code"], r["label"]) for r in rows] == [
        ("60", "inaktiv, ændret personnummer ved ændring af fødselsdato og køn")]


def test_example_changes_follow_the_status_rules(loaded_store: Store, settings: Settings) -> None:
    """In the illustrative landscape each ceased number has the status its reason implies."""
    rows = _rows(loaded_store, "number-changes")
    assert len(rows) == 2
    for row in rows:
        expected = _rows(loaded_store, "status-after-change", reason=iri(row["reason"]))
        assert [e["code"] for e in expected] == [row["code"]], row


# --- labels and terms -----------------------------------------------------------------------

def test_every_resource_has_a_danish_label(loaded_store: Store, settings: Settings) -> None:
    missing = _rows(loaded_store, "missing-danish-label", graphs=_graphs(settings))
    assert missing == [], "\n".join(r["s"] for r in missing)


def test_own_terms_have_labels_and_definitions(loaded_store: Store) -> None:
    missing = _rows(loaded_store, "own-terms-incomplete")
    assert missing == [], "\n".join(f"{r['term']}: {r['missing']}" for r in missing)


def test_data_uses_only_defined_terms(loaded_store: Store, settings: Settings) -> None:
    undefined = _rows(loaded_store, "undefined-terms", graphs=_graphs(settings))
    assert undefined == [], "\n".join(r["term"] for r in undefined)


def test_label_check_can_fail(settings: Settings) -> None:
    """The label query does report a resource without a Danish label (the check is not vacuous)."""
    store = open_store(settings)
    try:
        graph = Graph()
        graph.add((URIRef(settings.base + "id/org/x"), KG.number, Literal("1")))
        graph.add((URIRef(settings.base + "id/org/y"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
                   Literal("y", lang="en")))
        target = settings.base + "graph/test"
        store.replace_graph(target, graph)
        rows = _rows(store, "missing-danish-label", graphs=iri(target))
        assert sorted(r["s"] for r in rows) == [settings.base + "id/org/x", settings.base + "id/org/y"]
    finally:
        store.close()


# --- OWL RL: standard terms find kg's data ----------------------------------------------------

@pytest.fixture(scope="module")
def inferred_store(settings: Settings, loaded_store: Store) -> Iterator[Store]:
    """A store holding the OWL RL closure of the ontology, the data, the seed agenda's graph and its
    links, with the explicit kg:approvingBody triples removed so that the property chain must bring
    them back."""
    graph = Graph()
    for path in OWN:
        graph.parse(path, publicID=settings.base)
    graph += read_agenda(SEED, settings).graph
    graph += link_agendas(loaded_store).graph
    graph.remove((None, KG.approvingBody, None))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    for triple in [t for t in graph if isinstance(t[0], Literal)]:   # owlrl types literals; RDF cannot
        graph.remove(triple)
    store = open_store(settings)
    store.replace_graph(settings.base + "graph/inferred-test", graph)
    yield store
    store.close()


def test_items_are_attributed_to_their_officers_in_prov(inferred_store: Store, settings: Settings) -> None:
    pairs = {(r["item"].rsplit("/", 1)[1], r["agent"].rsplit("/", 1)[1])
             for r in _rows(inferred_store, "attributed-to")}
    assert ("2.2", "torben-mathisen") in pairs
    assert {("2.8", "magnus-alkil"), ("2.8", "hanna-grunbaum")} <= pairs


def test_board_acts_on_behalf_of_council_in_prov(inferred_store: Store, settings: Settings) -> None:
    rows = _rows(inferred_store, "acts-on-behalf-of")
    assert {(r["delegate"], r["responsible"]) for r in rows} == {
        (settings.base + "id/org/arkitekturboard", settings.base + "id/org/it-arkitekturraadet")}


def test_person_records_with_one_uuid_are_the_same_person(inferred_store: Store, settings: Settings) -> None:
    rows = _rows(inferred_store, "same-person")
    pairs = {(r["a"].rsplit("/", 1)[1], r["b"].rsplit("/", 1)[1]) for r in rows}
    assert pairs == {("1-foer-skift", "1-efter-skift"), ("1-efter-skift", "1-foer-skift")}


def test_approving_body_follows_from_the_decision(inferred_store: Store, settings: Settings) -> None:
    rows = _rows(inferred_store, "product-approving-body")
    assert {(r["product"].rsplit("/", 1)[1], r["body"].rsplit("/", 1)[1]) for r in rows} == {
        ("ladeinfrastruktur", "arkitekturboard"), ("datasaets-kvalitet", "arkitekturboard"),
        ("dcat-ap-dk", "arkitekturboard"), ("referencearkitektur-digitale-overblik", "arkitekturboard")}


# --- published shapes -------------------------------------------------------------------------

def test_catalogue_passes_semic_dcat_ap_shapes(settings: Settings) -> None:
    """The catalogue content conforms to SEMIC's DCAT-AP 2.1.1 shapes (no violation)."""
    import pyshacl

    shapes = Graph().parse(reference_path("dcat-ap-2.1.1", "dcat-ap_2.1.1_shacl_shapes.ttl"))
    data = Graph()
    for path in OWN:
        data.parse(path, publicID=settings.base)
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    assert conforms, text
