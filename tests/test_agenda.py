"""The agenda ingest on the real agenda of 30 November 2023: every fact, Word, identity, changes.

The expected values below are copied from the agenda itself (data/agendas/, byte for byte the agenda as
the council published it), not from the ingest's output.  The golden facts hold over the agenda's graph
together with the links derived from it (``link_agendas`` over a store with ``data/`` loaded),
which is what the store serves.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, XSD

from kg.config import Settings
from kg.ingest.agenda import AgendaResult, prepare, read_agenda
from kg.ingest.agenda_known import KnownIndex
from kg.ingest.links import LinkResult, link_agendas
from kg.iris import Minter
from kg.loading import graph_for, load_paths
from kg.namespaces import BESLUIT, KG, SCHEMA
from kg.store import Store, open_store
from tests.conftest import ROOT

AGENDA = ROOT / "data" / "agendas" / "it-arkitekturraadet-2023-11-30.md"
FIXTURES = ROOT / "tests" / "fixtures" / "agendas"
DAY = "2023-11-30"


@pytest.fixture(scope="module")
def result(settings: Settings) -> AgendaResult:
    return read_agenda(AGENDA, settings)


@pytest.fixture(scope="module")
def links(loaded_store: Store) -> LinkResult:
    return link_agendas(loaded_store)


@pytest.fixture(scope="module")
def linked(result: AgendaResult, links: LinkResult) -> Graph:
    """The agenda's graph and its derived links: what the store serves about the meeting."""
    return result.graph + links.graph


@pytest.fixture(scope="module")
def m(settings: Settings) -> Minter:
    return Minter(settings.base_iri)


def item(m: Minter, number: str) -> URIRef:
    return URIRef(m.agenda_item("it-arkitekturraadet", DAY, number))


def da(text: str) -> Literal:
    return Literal(text, lang="da")


#: SHA-256 of the agenda of 30 November 2023 as the It-Arkitekturråd published it (the source document).
PUBLISHED_AGENDA_SHA256 = "cbb1f608b0781b397b65f5927cfe9229ccdb8f1e5b0e4c9fbe6700a2ac4c5f1d"


def test_the_committed_agenda_is_the_published_one() -> None:
    """data/agendas/ holds the published agenda unchanged: every golden fact below is about that text."""
    assert hashlib.sha256(AGENDA.read_bytes()).hexdigest() == PUBLISHED_AGENDA_SHA256


# -- the meeting ----------------------------------------------------------------------------------

def test_meeting(result: AgendaResult, m: Minter) -> None:
    g, meeting = result.graph, URIRef(m.meeting("it-arkitekturraadet", DAY))
    assert result.meeting == str(meeting)
    assert (meeting, RDF.type, BESLUIT.Zitting) in g
    assert g.value(meeting, BESLUIT.geplandeStart) == Literal("2023-11-30T10:00:00", datatype=XSD.dateTime)
    assert g.value(meeting, BESLUIT.opLocatie) == da("KOMBIT, Halfdansgade 8, lokale Fanø")
    assert g.value(meeting, BESLUIT.isGehoudenDoor) == URIRef(m.org("it-arkitekturraadet"))
    assert g.value(meeting, DCTERMS.title) == da("Dagsorden, It-Arkitekturrådet 30. november 2023")
    sections = {str(g.value(s, KG.number)): (str(g.value(s, DCTERMS.title)),
                                             g.value(s, SCHEMA.position).toPython())
                for s in g.objects(meeting, KG.hasSection)}
    assert sections == {"1": ("Siden sidst", 1), "2": ("Drøftelsessager", 2), "3": ("Eventuelt", 3)}


ITEMS = {  # number: (title, cases, officers, section)
    "1.1": ("Siden sidst", {"MOD-2023-00073"}, set(), "1"),
    "2.2": ("Kommunernes muligheder med Dynamisk Indkøbssystem til SKI 02.19", {"SAG-2022-04763"},
            {"torben-mathisen"}, "2"),
    "2.3": ("Dialog med KL's direktion", {"SAG-2022-04763"}, set(), "2"),
    "2.4": ("Udbredelse af NemHandel", {"SAG-2023-02803"}, {"jakob-eiby"}, "2"),
    "2.5": ("Kommunale muligheder og udfordringer ved tildeling af nyt CPR-nummer", {"SAG-2023-04749"},
            {"jakob-eiby"}, "2"),
    "2.6": ("Modernisering af KL's blanketsamling", {"SAG-2022-04020"}, {"line-laudrup"}, "2"),
    "2.7": ("Fælleskommunal målarkitektur", {"SAG-2022-04763"}, {"morten-hass"}, "2"),
    "2.8": ("Projektet vedr. Tværgående Økonomikomponent (TØK)", {"SAG-2022-04763"},
            {"magnus-alkil", "hanna-grunbaum"}, "2"),
    "2.9": ("Afrapportering fra Arkitekturboards møder 29.08.23 og 31.10.23", {"SAG-2022-04763"},
            {"vibeke-normann"}, "2"),
}


def test_items(result: AgendaResult, m: Minter) -> None:
    g = result.graph
    meeting = URIRef(m.meeting("it-arkitekturraadet", DAY))
    assert set(g.objects(meeting, BESLUIT.behandelt)) == {item(m, n) for n in ITEMS}
    for position, (number, (title, cases, officers, section)) in enumerate(ITEMS.items(), start=1):
        i = item(m, number)
        assert g.value(i, DCTERMS.title) == da(title), number
        assert g.value(i, KG.number) == Literal(number)
        assert g.value(i, SCHEMA.position).toPython() == position
        assert {str(g.value(c, DCTERMS.identifier)) for c in g.objects(i, KG.case)} == cases, number
        assert {str(p).rsplit("/", 1)[1] for p in g.objects(i, KG.responsibleOfficer)} == officers, number
        assert g.value(i, KG.inSection) == URIRef(m.agenda_section("it-arkitekturraadet", DAY, section))
    names = {str(g.value(p, FOAF.name)) for p in g.subjects(RDF.type, FOAF.Person)}
    assert {"Magnus Alkil", "Hanna Grünbaum", "Torben Mathisen"} <= names


def test_items_sharing_a_case(result: AgendaResult, m: Minter) -> None:
    case = URIRef(m.case("SAG-2022-04763"))
    sharing = {str(result.graph.value(i, KG.number)) for i in result.graph.subjects(KG.case, case)}
    assert sharing == {"2.2", "2.3", "2.7", "2.8", "2.9"}


RECOMMENDATIONS = {
    "2.2": [("Drøfter, hvordan kommunerne bedst kan understøttes i at håndhæve kravene om tilslutning til "
             "den fælleskommunale infrastruktur, når de køber ind via Dynamisk Indkøbssystem til "
             "rammeaftalen '02.19 Fagsystemer'", "droefter")],
    "2.3": [("tager direktionens orientering til efterretning.", "tager-til-efterretning")],
    "2.4": [("tager sagsfremstillingen til efterretning.", "tager-til-efterretning"),
            ("drøfter mulighederne for kommunal involvering af processen.", "droefter")],
    "2.5": [("Drøfter kommunernes muligheder og udfordringer ved tildeling af nyt CPR-nummer, herunder "
             "brug af unikt UUID", "droefter")],
    "2.6": [("Giver input i form af ønsker og forventninger til modernisering af KL's blanketsamling",
             "giver-input"),
            ("Giver input til projektets forestående analyse af praksis i kommunerne", "giver-input")],
    "2.7": [("påpeger temaer, som rådet finder bør adresseres i en fælleskommunal målarkitektur", "paapeger"),
            ("rådgiver om, hvordan kommunerne bedst involveres og får indflydelse på arbejdet", "raadgiver"),
            ("tilkendegiver, hvordan rådet selv ønsker at følge arbejdet", "tilkendegiver")],
    "2.8": [("tager orienteringen om projektets status til efterretning", "tager-til-efterretning"),
            ("giver anbefalinger til det videre arbejde med kravspecificering og anskaffelse",
             "giver-anbefalinger"),
            ("giver input til arbejdet med kobling mellem udviklingen af den tværgående økonomikomponent og "
             "den fælleskommunale rammearkitekturs byggeblok for økonomi", "giver-input")],
    "2.9": [("tager afrapporteringen fra de to møder til efterretning", "tager-til-efterretning")],
}


def test_every_recommendation_with_its_kind(linked: Graph, m: Minter) -> None:
    g = linked
    council = URIRef(m.org("it-arkitekturraadet"))
    for number in ITEMS:
        expected = RECOMMENDATIONS.get(number, [])
        found = set(g.objects(item(m, number), KG.hasRecommendation))
        assert len(found) == len(expected), number
        for k, (text, kind) in enumerate(expected, start=1):
            r = URIRef(m.recommendation("it-arkitekturraadet", DAY, number, k))
            assert r in found
            assert g.value(r, RDF.value) == da(text)
            assert g.value(r, KG.recommendationKind) == URIRef(m.concept("recommendation-kind", kind))
            assert g.value(r, KG.addressedTo) == council
            assert g.value(r, SCHEMA.position).toPython() == k


ATTACHMENTS = {
    "2.2": [("Præsentation af DIS 02.19 – September 2023", Literal("2023-09", datatype=XSD.gYearMonth))],
    "2.4": [("Hørings svar af 16.08.23 på udkast til ny hovedlov om fælles digital infrastruktur ved "
             "samhandel og rapportering mv.", Literal("2023-08-16", datatype=XSD.date))],
    "2.7": [("KOMBIT strategi 2023+", None),
            ("Fælleskommunal målarkitektur, KOMBIT, november 2023",
             Literal("2023-11", datatype=XSD.gYearMonth))],
    "2.8": [("Løsningsbeskrivelse af TØK v. 0,8 okt. 2023", Literal("2023-10", datatype=XSD.gYearMonth))],
    "2.9": [("De godkendte arkitekturprodukter er udstillet på rammearkitektur.dk", None)],
}


def test_every_attachment(linked: Graph, m: Minter) -> None:
    g = linked
    for number in ITEMS:
        expected = ATTACHMENTS.get(number, [])
        assert len(set(g.objects(item(m, number), KG.hasAttachment))) == len(expected), number
        for k, (title, when) in enumerate(expected, start=1):
            a = URIRef(m.attachment("it-arkitekturraadet", DAY, number, k))
            assert (item(m, number), KG.hasAttachment, a) in g
            assert set(g.objects(a, RDF.type)) >= {FOAF.Document, KG.Attachment}
            assert g.value(a, DCTERMS.title) == da(title)
            assert g.value(a, DCTERMS.date) == when
    pointer = URIRef(m.attachment("it-arkitekturraadet", DAY, "2.9", 1))
    assert g.value(pointer, FOAF.page) == URIRef("https://rammearkitektur.dk")
    doc_type = lambda slug: URIRef(m.concept("document-type", slug))  # noqa: E731
    assert g.value(pointer, DCTERMS.type) == doc_type("henvisning")
    assert g.value(URIRef(m.attachment("it-arkitekturraadet", DAY, "2.2", 1)), DCTERMS.type) == \
        doc_type("praesentation")
    assert g.value(URIRef(m.attachment("it-arkitekturraadet", DAY, "2.7", 1)), DCTERMS.creator) == \
        URIRef(m.org("kombit"))


def test_placeholders_are_missing_content_not_text(result: AgendaResult, m: Minter) -> None:
    g = result.graph
    part = lambda slug: URIRef(m.concept("agenda-item-part", slug))  # noqa: E731
    assert set(g.objects(item(m, "1.1"), KG.missingContent)) == {part("baggrund"), part("indstilling"),
                                                                part("sagsfremstilling")}
    assert set(g.objects(item(m, "2.3"), KG.missingContent)) == {part("sagsfremstilling")}
    assert {str(g.value(i, KG.number)) for i in g.subjects(KG.missingContent, None)} == {"1.1", "2.3"}
    for literal in g.objects(None, None):
        if isinstance(literal, Literal):
            assert not re.search(r"Her skrives|Click here to enter text", str(literal)), literal
    assert result.missing == ["1.1 ansvarlig", "1.1 baggrund", "1.1 indstilling", "1.1 sagsfremstilling",
                              "2.3 ansvarlig", "2.3 sagsfremstilling"]
    assert g.value(item(m, "2.3"), KG.background).startswith("'Dialog med KL's direktion' er et fast punkt")


def test_text_is_kept_as_written_and_debris_is_handled(result: AgendaResult, m: Minter) -> None:
    g = result.graph
    background = str(g.value(item(m, "2.5"), KG.background))
    # one paragraph split by a page break ("… fordi" / "personnummeret …") is joined again
    assert "princip om dataminimering, fordi personnummeret indeholder personoplysninger" in background
    assert g.value(item(m, "2.5"), KG.background).language == "da"
    case_2_4 = str(g.value(item(m, "2.4"), KG.caseDescription))
    assert "./." not in case_2_4 and "\n\n- Status pr. 30. oktober 2023 er, at KL og KOMBIT" in case_2_4
    assert "./." not in "".join(str(o) for o in g.objects(None, KG.caseDescription))
    recommendation = str(g.value(item(m, "2.2"), KG.recommendationText))
    assert recommendation.startswith("Sekretariatet indstiller, at It-Arkitekturrådet:\n\n- Drøfter, hvordan")
    # the footnote: its URL is a link of the item it stands in; its marker is gone from the text
    see_also = set(g.objects(item(m, "2.5"), RDFS.seeAlso))
    assert see_also == {URIRef("https://cprservicedesk.atlassian.net/wiki/spaces/CPR/pages/1233616897/"
                               "Personnummerskift#Personnummer%C3%A6ndringer-og-dobbeltnumre")}
    case_2_5 = str(g.value(item(m, "2.5"), KG.caseDescription))
    assert "indebærer følgende risici:\n\n- Kommunen/systemet" in case_2_5
    assert "cprservicedesk" not in case_2_5 and "<sup>" not in case_2_5


def test_the_only_warning_is_the_table_of_contents_typo(result: AgendaResult, links: LinkResult) -> None:
    assert result.warnings == [
        "line 27: item 2.9: the table of contents says 'Afreportering fra Arkitekturboards møder 29.08.23 "
        "og 31.10.23', the heading (line 459) says 'Afrapportering fra Arkitekturboards møder 29.08.23 "
        "og 31.10.23'"]
    assert links.unmatched_products == []


# -- the board's report (item 2.9) --------------------------------------------------------------

DECISIONS = {  # (date, k): (listed title, product slug, outcome, statements, remarks)
    ("2023-08-29", 1): ("Kernemodel og begrebsliste for ladeinfrastruktur", "ladeinfrastruktur",
                        "godkendt", 2, 0),
    ("2023-10-31", 1): ("Arkitekturbeskrivelse for datasæts kvalitet", "datasaets-kvalitet",
                        "godkendt", 3, 0),
    ("2023-10-31", 2): ("Arkitekturbeskrivelse vedr. datasæt og datakataloger (DCAT)", "dcat-ap-dk",
                        "godkendt-med-bemaerkninger", 2, 3),
    ("2023-10-31", 3): ("Fællesoffentlig referencearkitektur for tværgående digitalt overblik for borgere og "
                        "virksomheder", "referencearkitektur-digitale-overblik",
                        "godkendt-med-bemaerkninger", 1, 2),
}


def test_board_meetings(result: AgendaResult, m: Minter) -> None:
    g = result.graph
    board = URIRef(m.org("arkitekturboard"))
    meetings = set(g.objects(item(m, "2.9"), KG.reportsOn))
    assert meetings == {URIRef(m.meeting("arkitekturboard", d)) for d in ("2023-08-29", "2023-10-31")}
    for day, ordinal in (("2023-08-29", 17), ("2023-10-31", 18)):
        meeting = URIRef(m.meeting("arkitekturboard", day))
        assert g.value(meeting, KG.ordinal) == Literal(ordinal)
        assert g.value(meeting, BESLUIT.geplandeStart) == Literal(day, datatype=XSD.date)
        assert g.value(meeting, BESLUIT.isGehoudenDoor) == board


def _paragraphs(g: Graph, decision: URIRef, predicate: URIRef) -> list[str]:
    """A decision's remark or statement paragraphs, in their order."""
    nodes = sorted(g.objects(decision, predicate), key=lambda n: g.value(n, SCHEMA.position).toPython())
    assert [g.value(n, SCHEMA.position).toPython() for n in nodes] == list(range(1, len(nodes) + 1))
    return [str(g.value(n, RDF.value)) for n in nodes]


def test_board_decisions(linked: Graph, m: Minter) -> None:
    g = linked
    assert len(set(g.subjects(RDF.type, BESLUIT.Besluit))) == len(DECISIONS)
    for (day, k), (title, product, outcome, statements, remarks) in DECISIONS.items():
        d = URIRef(m.decision("arkitekturboard", day, str(k)))
        assert g.value(d, KG.decidedAt) == URIRef(m.meeting("arkitekturboard", day))
        assert g.value(d, KG.proposalTitle) == da(title)
        assert g.value(d, KG.approves) == URIRef(m.product(product))
        assert g.value(d, KG.outcome) == URIRef(m.concept("decision-outcome", outcome))
        assert len(set(g.objects(d, KG.statement))) == statements, (day, k)
        assert len(set(g.objects(d, KG.remark))) == remarks, (day, k)
    dcat = URIRef(m.decision("arkitekturboard", "2023-10-31", "2"))
    remarks = _paragraphs(g, dcat, KG.remark)
    # in the agenda's order, the third remark last
    assert remarks[0].startswith("Boardet gjorde opmærksom på, at det burde være version 2.0")
    assert remarks[2] == ("Boardet nævnte også, at det kunne være godt med konkrete eksempler på, hvordan "
                          "standarden er anvendt i forskellige projekter og lign, som yderligere tillæg til "
                          "arkitekturbeskrivelsen.")
    # the page-broken paragraph of the DCAT statement is whole again
    assert "Herudover blev kommunernes ledelsesinformationssystem (FLIS) nævnt" in _paragraphs(
        g, dcat, KG.statement)[0]
    assert str(g.value(dcat, KG.statedAs)) == \
        "Arkitekturbeskrivelsen blev godkendt med følgende bemærkninger:"
    # the third product's statement heading ("… for digitale overblik …") found its list entry
    overview = URIRef(m.decision("arkitekturboard", "2023-10-31", "3"))
    assert _paragraphs(g, overview, KG.statement)[0].startswith("Boardet udtrykte manglende forståelse")
    quality = URIRef(m.decision("arkitekturboard", "2023-10-31", "1"))
    assert [p[:30] for p in _paragraphs(g, quality, KG.statement)] == [
        "KOMBIT anvender allerede vejle", "Boardets medlemmer udtrykte an", "Boardet gav udtryk for bekymri"]


# -- mentions -------------------------------------------------------------------------------------

def test_mentions(linked: Graph, m: Minter) -> None:
    g = linked
    assert {URIRef(m.system(s)) for s in ("ky", "ksd", "kp", "toek", "yr")} <= set(
        g.objects(item(m, "2.8"), KG.mentions))
    assert URIRef(m.org("ski")) in set(g.objects(item(m, "2.2"), KG.mentions))
    assert URIRef(m.system("kp")) not in set(g.objects(item(m, "2.4"), KG.mentions))


def test_abbreviations_match_whole_words_only(settings: Settings) -> None:
    known = Graph()
    kp = URIRef(Minter(settings.base_iri).system("kp"))
    known.add((kp, RDF.type, KG.ITSystem))
    known.add((kp, URIRef("http://www.w3.org/2004/02/skos/core#altLabel"), da("KP")))
    index = KnownIndex.from_graph(known)
    for text, hit in (("systemerne KY, KSD og KP.", True), ("(KP)", True), ("KPs rapporter", True),
                      ("KPI og SKP", False), ("kp", False), ("TØK-KP", True), ("KP2", False)):
        assert bool(index.mentions(text)[0]) is hit, text


# -- the hand-curated facts of the meeting and the ingest agree -----------------------------------

EXPECTED = FIXTURES / "expected"


def test_the_hand_curated_facts_are_all_in_the_agenda_and_its_links(linked: Graph,
                                                                    settings: Settings) -> None:
    """Golden: the facts a curator wrote down from the agenda (tests/fixtures/agendas/expected) are all
    in the agenda's graph or its derived links."""
    curated = Graph()
    files = sorted(EXPECTED.glob("*.ttl"))
    assert files, "tests/fixtures/agendas/expected has the curated facts of the meeting"
    for path in files:
        curated.parse(path, publicID=settings.base)
    assert len(curated) > 300
    missing = sorted(t for t in curated if t not in linked)
    assert not missing, "curated triples the ingest and its links do not produce:\n" + "\n".join(
        " ".join(x.n3() for x in t) for t in missing)


# -- Word ---------------------------------------------------------------------------------------

def test_the_agenda_in_word_gives_the_same_graph(result: AgendaResult, settings: Settings,
                                                 tmp_path: Path) -> None:
    target = tmp_path / "it-arkitekturraadet-2023-11-30.docx"
    markdown_to_docx(AGENDA.read_text(encoding="utf-8"), target)
    word = read_agenda(target, settings)
    assert isomorphic(word.graph, result.graph)
    assert set(word.graph) == set(result.graph)   # no blank nodes: the very same triples
    assert len(word.warnings) == 1
    assert word.warnings[0].startswith("paragraph ")
    assert word.warnings[0].split(":", 1)[1] == result.warnings[0].split(":", 1)[1].replace(
        "(line 459)", word.warnings[0].split("(", 1)[1].split(")")[0].join("()"))
    assert word.missing == result.missing


# -- identity and idempotence ---------------------------------------------------------------------

def _dump_without_load_times(store: Store) -> bytes:
    out = io.BytesIO()
    store.dump(out)
    return b"\n".join(sorted(line for line in out.getvalue().splitlines()
                             if b"XMLSchema#dateTime>" not in line or b"/graph/meta" not in line))


def test_ingesting_twice_gives_the_same_store(settings: Settings) -> None:
    dumps = []
    store = open_store(settings)
    try:
        for _ in range(2):
            again = read_agenda(AGENDA, settings)
            store.replace_graph(graph_for(AGENDA, settings), again.graph, source="agendas/x.md",
                                sha256="0" * 64)
            dumps.append(_dump_without_load_times(store))
    finally:
        store.close()
    assert dumps[0] == dumps[1]
    assert len(dumps[0].splitlines()) > 300


def test_a_returning_case_links_a_new_item_to_the_same_case(settings: Settings, result: AgendaResult,
                                                            m: Minter) -> None:
    later = read_agenda(FIXTURES / "later-meeting.md", settings)
    store = open_store(settings)
    try:
        load_paths(store, settings, [ROOT / "data" / "organisations" / "systems.ttl",
                                     FIXTURES / "later-meeting.md"])
        g = later.graph + link_agendas(store).graph
    finally:
        store.close()
    new_item = URIRef(m.agenda_item("it-arkitekturraadet", "2024-03-07", "2.1"))
    case = URIRef(m.case("SAG-2022-04763"))
    assert (new_item, KG.case, case) in g and (item(m, "2.2"), KG.case, case) in result.graph
    assert (new_item, KG.case, URIRef(m.case("MOD-2023-00073"))) in g
    assert g.value(URIRef(later.meeting), BESLUIT.geplandeStart) == Literal("2024-03-07T13:00:00",
                                                                           datatype=XSD.dateTime)
    assert {str(p).rsplit("/", 1)[1] for p in g.objects(new_item, KG.responsibleOfficer)} == {
        "test-person", "anden-testperson"}
    assert URIRef(m.system("kp")) in set(g.objects(new_item, KG.mentions))
    assert URIRef(m.system("toek")) in set(g.objects(new_item, KG.mentions))
    kinds = [g.value(URIRef(m.recommendation("it-arkitekturraadet", "2024-03-07", "2.1", k)),
                     KG.recommendationKind) for k in (1, 2)]
    assert kinds == [URIRef(m.concept("recommendation-kind", "godkender")),
                     URIRef(m.concept("recommendation-kind", "andet"))]
    second = URIRef(m.recommendation("it-arkitekturraadet", "2024-03-07", "2.1", 2))
    assert g.value(second, KG.statedAs) == da("vurderer")
    assert any("recommendation 2 'vurderer noget" in w and "'andet'" in w for w in later.warnings)
    dates = {str(g.value(a, DCTERMS.title)): g.value(a, DCTERMS.date)
             for a in g.objects(new_item, KG.hasAttachment)}
    assert dates == {"Notat af 01.02.2024": Literal("2024-02-01", datatype=XSD.date),
                     "Oversigt, marts 2024": Literal("2024-03", datatype=XSD.gYearMonth)}


def test_a_new_version_of_an_agenda_replaces_the_old(settings: Settings, tmp_path: Path,
                                                      m: Minter) -> None:
    store = open_store(settings)
    try:
        graph = graph_for(AGENDA, settings)
        store.replace_graph(graph, read_agenda(AGENDA, settings).graph)
        changed = tmp_path / AGENDA.name
        changed.write_text(AGENDA.read_text(encoding="utf-8").replace(
            "## 2.6. Modernisering af KL's blanketsamling", "## 2.6. Modernisering af blanketterne"),
            encoding="utf-8")
        store.replace_graph(graph, read_agenda(changed, settings).graph)
        titles = {str(row["t"]) for row in store.select(
            f"SELECT ?t WHERE {{ GRAPH <{graph}> {{ <{item(m, '2.6')}> <{DCTERMS.title}> ?t }} }}")}
        assert titles == {"Modernisering af blanketterne"}
    finally:
        store.close()


def test_a_corrected_agenda_under_another_name_says_what_changed(settings: Settings, tmp_path: Path) -> None:
    """Identity by meeting: a corrected copy names the same graph, and ``changes`` lists the differences."""
    store = open_store(settings)
    try:
        first = prepare(AGENDA, settings, store)
        assert first.graph_path == "agendas/it-arkitekturraadet/2023-11-30"
        assert first.changes == []   # nothing stored yet
        store.replace_graph(Minter(settings.base_iri).graph(first.graph_path), first.graph)
        assert prepare(AGENDA, settings, store).changes == []   # the same document again
        text = AGENDA.read_text(encoding="utf-8")
        text = text.replace("## 2.6. Modernisering af KL's blanketsamling",
                            "## 2.6. Modernisering af blanketterne")
        text = text.replace("**Sted:** KOMBIT, Halfdansgade 8, lokale Fanø",
                            "**Sted:** KL, Weidekampsgade 10")
        text = text.replace("SAG-2022-04020 Line Laudrup", "SAG-2022-04020 Line Laudrup og Jakob Eiby")
        text = text[:text.index("## **2.5.")] + text[text.index("## 2.6."):]
        corrected = tmp_path / "dagsorden-rettet.md"
        corrected.write_text(text, encoding="utf-8")
        second = prepare(corrected, settings, store)
    finally:
        store.close()
    assert second.graph_path == first.graph_path
    assert "item 2.5 withdrawn" in second.changes
    assert ("location changed: 'KOMBIT, Halfdansgade 8, lokale Fanø' -> 'KL, Weidekampsgade 10'"
            in second.changes)
    assert ("item 2.6 title changed: 'Modernisering af KL's blanketsamling' -> "
            "'Modernisering af blanketterne'" in second.changes)
    assert "item 2.6 officers changed: 'Line Laudrup' -> 'Jakob Eiby, Line Laudrup'" in second.changes
    assert len(second.changes) == 4, second.changes


# -- a Markdown agenda written as Word, the way the secretariat's Word file is built --------------

_INLINE = re.compile(r"\*\*\*(.+?)\*\*\*|\*\*(.+?)\*\*|(?<!\w)\*(.+?)\*(?!\w)|<sup>(.+?)</sup>|<b>(.*?)</b>"
                     r"|\[([^\]]*)\]\(([^)]*)\)|<(https?://[^>]+)>")


def _runs(paragraph: Any, text: str) -> None:
    """Write Markdown inline markup as Word runs: bold, italic, superscript, hyperlinks."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml.shared import OxmlElement, qn

    def link(label: str, url: str) -> None:
        rid = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        hyperlink = OxmlElement("w:hyperlink")
        hyperlink.set(qn("r:id"), rid)
        run, t = OxmlElement("w:r"), OxmlElement("w:t")
        t.text = label
        t.set(qn("xml:space"), "preserve")
        run.append(t)
        hyperlink.append(run)
        paragraph._p.append(hyperlink)

    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            paragraph.add_run(text[position:match.start()])
        both, bold, italic, sup, html_bold, label, url, auto = match.groups()
        if both is not None:
            run = paragraph.add_run(both)
            run.bold = run.italic = True
        elif bold is not None:
            paragraph.add_run(bold).bold = True
        elif italic is not None:
            paragraph.add_run(italic).italic = True
        elif sup is not None:
            paragraph.add_run(sup).font.superscript = True
        elif html_bold is not None:
            paragraph.add_run(html_bold).bold = True
        elif label is not None:
            if url and not url.startswith("#"):
                link(label, url)
            else:
                paragraph.add_run(label)
        else:
            link(auto, auto)
        position = match.end()
    if position < len(text):
        paragraph.add_run(text[position:])


def _restarted_list(document: Any) -> int:
    """A new instance of Word's "List Number" list that starts again at 1, as Word makes one when the
    author restarts numbering (without it, every "List Number" paragraph continues one count)."""
    from docx.oxml.shared import OxmlElement, qn

    numbering = document.part.numbering_part.element
    style_num = document.styles["List Number"].element.pPr.numPr.numId.val
    abstract = numbering.xpath(f'w:num[@w:numId="{style_num}"]/w:abstractNumId/@w:val')[0]
    new_id = max(int(n) for n in numbering.xpath("w:num/@w:numId")) + 1
    num, ref = OxmlElement("w:num"), OxmlElement("w:abstractNumId")
    num.set(qn("w:numId"), str(new_id))
    ref.set(qn("w:val"), abstract)
    override, start = OxmlElement("w:lvlOverride"), OxmlElement("w:startOverride")
    override.set(qn("w:ilvl"), "0")
    start.set(qn("w:val"), "1")
    override.append(start)
    num.append(ref)
    num.append(override)
    numbering.append(num)
    return new_id


def markdown_to_docx(markdown: str, target: Path) -> None:
    """Build a .docx with Word's own structure: heading, list, TOC and footnote styles, run formatting."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    for name in ("TOC 1", "Footnote Text"):
        if name not in [s.name for s in document.styles]:
            document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    lines = markdown.split("\n")
    paragraph = None
    footnote = False
    list_id = None   # the numbered list being written (Word's list instance), None between lists
    for line in lines:
        stripped = line.strip()
        hard = line.endswith("  ")
        if not stripped:
            paragraph = None
            continue
        if re.fullmatch(r"-{3,}", stripped):
            footnote, paragraph = True, None
            continue
        if footnote:
            if re.fullmatch(r"\d+", stripped):
                label = stripped
                continue
            footnote = False
            note = document.add_paragraph(f"{label} ", style="Footnote Text")
            _runs(note, stripped)
            paragraph = None
            continue
        if not re.match(r"^\s*\d+\.\s+", line) and paragraph is None:
            list_id = None   # anything but a numbered line after a break ends the list
        if heading := re.match(r"^(#{1,6})\s+(.*)$", stripped):
            paragraph = document.add_paragraph(style=f"Heading {len(heading.group(1))}")
            _runs(paragraph, heading.group(2))
            paragraph = None
            continue
        if "\t" in line:
            document.add_paragraph(re.sub(r"</?b>", "", stripped), style="TOC 1")
            paragraph = None
            continue
        if bullet := re.match(r"^\s*-\s+(.*)$", line):
            paragraph = document.add_paragraph(style="List Bullet")
            text = bullet.group(1)
        elif number := re.match(r"^\s*\d+\.\s+(.*)$", line):
            paragraph = document.add_paragraph(style="List Number")
            list_id = list_id or _restarted_list(document)
            numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            numbering.get_or_add_ilvl().val = 0
            numbering.get_or_add_numId().val = list_id
            text = number.group(1)
        elif paragraph is None:
            paragraph = document.add_paragraph()
            text = stripped
        else:
            paragraph.add_run(" ")
            text = stripped
        _runs(paragraph, text.strip())
        if hard:
            paragraph.add_run().add_break()
    document.save(str(target))
