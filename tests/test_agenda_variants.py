"""Ways a secretariat writes the same agenda, one at a time, each read into the same facts.

Small constructed documents (not real agendas), each varying one thing the corpus in
``tests/corpus/meetings`` varies together.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF

from kg.config import Settings
from kg.ingest.agenda import AgendaError, AgendaResult, read_agenda
from kg.iris import Minter
from kg.namespaces import BESLUIT, KG, SCHEMA
from tests.corpus.meetings.docx_builder import Builder

FRONT = "# IT-ARKITEKTURRÅDET\n\n**Dato:** 12-03-2025 10:00\n\n"
DAY = "2025-03-12"


def read(tmp_path: Path, settings: Settings, text: str, name: str = "dagsorden.md") -> AgendaResult:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_agenda(path, settings)


def item_of(settings: Settings, number: str, day: str = DAY) -> URIRef:
    return URIRef(Minter(settings.base_iri).agenda_item("it-arkitekturraadet", day, number))


def officers(graph: Graph, item: URIRef) -> set[str]:
    return {str(graph.value(p, FOAF.name)) for p in graph.objects(item, KG.responsibleOfficer)}


def cases(graph: Graph, item: URIRef) -> set[str]:
    return {str(graph.value(c, DCTERMS.identifier)) for c in graph.objects(item, KG.case)}


def recommendations(graph: Graph, item: URIRef) -> list[tuple[str, str]]:
    found = sorted(graph.objects(item, KG.hasRecommendation),
                   key=lambda r: graph.value(r, SCHEMA.position).toPython())
    return [(str(graph.value(r, RDF.value)), str(graph.value(r, KG.recommendationKind)).rsplit("/", 1)[1])
            for r in found]


HEADERS = {  # the line(s) under an item's heading → (cases, officers)
    "SAG-2025-00001 Anna Berg": ({"SAG-2025-00001"}, {"Anna Berg"}),
    "SAG-2025-00001 Anna Berg (KL)": ({"SAG-2025-00001"}, {"Anna Berg"}),
    "SAG-2025-00001 Anna Berg, KL og Jens Holm, KOMBIT": ({"SAG-2025-00001"}, {"Anna Berg", "Jens Holm"}),
    "Sagsnr. SAG-2025-00001, ansvarlig: Anna Berg": ({"SAG-2025-00001"}, {"Anna Berg"}),
    "Sagsnr.: SAG-2025-00001\n\nAnsvarlig: Anna Berg": ({"SAG-2025-00001"}, {"Anna Berg"}),
    "SAG-2025-00001 · Anna Berg": ({"SAG-2025-00001"}, {"Anna Berg"}),
    "Sagsansvarlig: specialkonsulent Anna Berg (anbe@kl.dk)\n\nSag: SAG-2025-00001":
        ({"SAG-2025-00001"}, {"Anna Berg"}),
    "| Sagsnr. | Ansvarlig |\n|---|---|\n| SAG-2025-00001 | Anna Berg og Ida von Holstein |":
        ({"SAG-2025-00001"}, {"Anna Berg", "Ida von Holstein"}),
    "| Ansvarlig | Anna Berg |\n|---|---|\n| Sagsnr. | SAG-2025-00001, SAG-2024-00002 |":
        ({"SAG-2025-00001", "SAG-2024-00002"}, {"Anna Berg"}),
}


@pytest.mark.parametrize("header", list(HEADERS), ids=range(len(HEADERS)))
def test_officers_and_cases_in_every_form(header: str, tmp_path: Path, settings: Settings) -> None:
    text = FRONT + f"# 1. Drøftelsessager\n\n## 1.1. Et punkt\n\n{header}\n\n### Baggrund\n\nTekst.\n"
    result = read(tmp_path, settings, text)
    expected_cases, expected_officers = HEADERS[header]
    assert cases(result.graph, item_of(settings, "1.1")) == expected_cases
    assert officers(result.graph, item_of(settings, "1.1")) == expected_officers
    assert result.warnings == []


DATES = {
    "**Dato:** 12-03-2025 10:00": "2025-03-12T10:00:00",
    "**Dato:** 2025-03-12 10:00": "2025-03-12T10:00:00",
    "**Dato:** 12.03.2025\n\n**Tid:** kl. 10.00-12.00": "2025-03-12T10:00:00",
    "**Dato:** 12/3-2025\n\n**Kl.:** 10": "2025-03-12T10:00:00",
    "Mødedato: onsdag den 12. marts 2025 kl. 10": "2025-03-12T10:00:00",
    "**Tid og sted:** Onsdag den 12. marts 2025, kl. 10.00-12.00, KL, Weidekampsgade 10":
        "2025-03-12T10:00:00",
    "| Dato | Sted |\n|---|---|\n| 12. marts 2025 | KL |": "2025-03-12",
    "## Dagsorden for mødet den 12. marts 2025": "2025-03-12",
}


@pytest.mark.parametrize("front", list(DATES), ids=range(len(DATES)))
def test_the_meeting_date_in_every_form(front: str, tmp_path: Path, settings: Settings) -> None:
    result = read(tmp_path, settings, f"# IT-ARKITEKTURRÅDET\n\n{front}\n\n# 1. Et punkt\n\nTekst.\n")
    meeting = URIRef(result.meeting)
    assert str(result.graph.value(meeting, BESLUIT.geplandeStart)) == DATES[front]


def test_the_place_after_the_time_in_one_field(tmp_path: Path, settings: Settings) -> None:
    result = read(tmp_path, settings, "**Tid og sted:** Onsdag den 12. marts 2025, kl. 10.00-12.00, KL, "
                                      "Weidekampsgade 10\n\n# 1. Et punkt\n\nTekst.\n")
    assert str(result.graph.value(URIRef(result.meeting), BESLUIT.opLocatie)) == "KL, Weidekampsgade 10"


def test_no_date_is_refused_with_one_line(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(AgendaError, match="no meeting date"):
        read(tmp_path, settings, "# IT-ARKITEKTURRÅDET\n\n# 1. Et punkt\n\nTekst.\n")


RESOLUTIONS = {
    "Sekretariatet indstiller, at It-Arkitekturrådet:\n\n- drøfter sagen\n- godkender planen":
        [("drøfter sagen", "droefter"), ("godkender planen", "godkender")],
    "Sekretariatet indstiller, at It-Arkitekturrådet godkender planen.":
        [("godkender planen.", "godkender")],
    "Det indstilles, at It-Arkitekturrådet orienteres om status.":
        [("orienteres om status.", "andet")],
    "Sekretariatet indstiller til It-Arkitekturrådet, at rådet:\n\na) drøfter sagen\nb) tager status til "
    "efterretning": [("drøfter sagen", "droefter"),
                     ("tager status til efterretning", "tager-til-efterretning")],
    "Sekretariatet indstiller, at It-Arkitekturrådet:\n\n- drøfter planen, herunder:\n  - tidsplanen\n"
    "  - økonomien\n- giver input til det videre arbejde":
        [("drøfter planen, herunder:\n- tidsplanen\n- økonomien", "droefter"),
         ("giver input til det videre arbejde", "giver-input")],
    "Sekretariatet indstiller, at It-Arkitekturrådet:\n\n1. udpeger en formand for arbejdsgruppen, som skal "
    "være valgt senest\n15. april 2025":
        [("udpeger en formand for arbejdsgruppen, som skal være valgt senest 15. april 2025", "andet")],
}


@pytest.mark.parametrize("part", list(RESOLUTIONS), ids=range(len(RESOLUTIONS)))
def test_proposed_resolutions_in_every_form(part: str, tmp_path: Path, settings: Settings) -> None:
    text = FRONT + ("# 1. Drøftelsessager\n\n## 1.1. Et punkt\n\nSAG-2025-00001 Anna Berg\n\n"
                    f"### Indstilling\n\n{part}\n")
    result = read(tmp_path, settings, text)
    assert recommendations(result.graph, item_of(settings, "1.1")) == RESOLUTIONS[part]


def test_parts_misspelled_inline_and_numbered(tmp_path: Path, settings: Settings) -> None:
    text = FRONT + ("# 1. Drøftelsessager\n\n## 1.1. Et punkt\n\nSAG-2025-00001 Anna Berg\n\n"
                    "### 1.1.1 Bagrund:\n\nBaggrundens tekst.\n\n**Sagsfremstiling**\n\nSagens tekst.\n\n"
                    "**Bilag:** Notat om sagen, 02.03.2025\n")
    result = read(tmp_path, settings, text)
    g, item = result.graph, item_of(settings, "1.1")
    assert str(g.value(item, KG.background)) == "Baggrundens tekst."
    assert str(g.value(item, KG.caseDescription)) == "Sagens tekst."
    attachment = g.value(item, KG.hasAttachment)
    assert str(g.value(attachment, DCTERMS.title)) == "Notat om sagen, 02.03.2025"
    assert str(g.value(attachment, DCTERMS.date)) == "2025-03-02"


def test_a_board_list_that_states_its_outcomes(tmp_path: Path, settings: Settings) -> None:
    text = FRONT + ("# 1. Drøftelsessager\n\n## 1.1. Afrapportering fra Arkitekturboard\n\n"
                    "SAG-2022-04763 Vibeke Normann\n\n### Sagsfremstilling\n\n"
                    "**Møde i Arkitekturboard den 3. marts 2025**\n\n"
                    "Følgende arkitekturprodukter blev godkendt:\n\n1. Begrebsliste for skoleområdet\n"
                    "2. Kernemodel for sagsbehandling\n\n"
                    "**Møde i Arkitekturboard den 10. februar 2025**\n\n"
                    "Følgende arkitekturprodukter var indstillet til godkendelse:\n\n"
                    "1. Referencearkitektur for overblik (udsat)\n2. Begrebsliste for byggeri – godkendt med "
                    "bemærkninger\n")
    result = read(tmp_path, settings, text)
    g = result.graph
    outcomes = {(str(g.value(d, KG.decidedAt)).rsplit("/", 1)[1], str(g.value(d, KG.proposalTitle)),
                 str(g.value(d, KG.outcome)).rsplit("/", 1)[1]) for d in g.subjects(KG.proposalTitle, None)}
    assert outcomes == {("2025-03-03", "Begrebsliste for skoleområdet", "godkendt"),
                        ("2025-03-03", "Kernemodel for sagsbehandling", "godkendt"),
                        ("2025-02-10", "Referencearkitektur for overblik", "udsat"),
                        ("2025-02-10", "Begrebsliste for byggeri", "godkendt-med-bemaerkninger")}
    meeting = URIRef(Minter(settings.base_iri).meeting("arkitekturboard", "2025-03-03"))
    assert (item_of(settings, "1.1"), KG.reportsOn, meeting) in g


def test_word_numbering_is_not_doubled_when_the_text_has_it(tmp_path: Path, settings: Settings) -> None:
    """A heading numbered by Word's list whose text also starts with its number gets it once."""
    builder = Builder("word", "Dagsorden")
    builder.number_headings()
    builder.para("IT-ARKITEKTURRÅDET", marks="b")
    builder.para("Dato: 12-03-2025 10:00")
    builder.heading(1, "Drøftelsessager")
    builder.heading(2, "1.1 Et punkt med nummeret i teksten")
    builder.heading(2, "Et punkt uden")
    path = tmp_path / "dagsorden.docx"
    builder.save(path)
    result = read_agenda(path, settings)
    titles = {str(result.graph.value(i, KG.number)): str(result.graph.value(i, DCTERMS.title))
              for i in result.graph.subjects(RDF.type, BESLUIT.Agendapunt)}
    assert titles == {"1.1": "Et punkt med nummeret i teksten", "1.2": "Et punkt uden"}


def test_crlf_and_non_breaking_spaces_read_as_plain_text(tmp_path: Path, settings: Settings) -> None:
    text = (FRONT + "# 1.\u00a0Drøftelsessager\n\n## 1.1.\u00a0Et punkt\n\n"
            "SAG-2025-00001\u00a0Anna\u00a0Berg\n\n"
            "### Baggrund\n\nTekst.\n").replace("\n", "\r\n")
    path = tmp_path / "dagsorden.md"
    path.write_bytes(text.encode("utf-8"))
    result = read_agenda(path, settings)
    assert officers(result.graph, item_of(settings, "1.1")) == {"Anna Berg"}
    assert str(result.graph.value(item_of(settings, "1.1"), DCTERMS.title)) == "Et punkt"


FIXTURES = Path(__file__).resolve().parent / "fixtures" / "agendas"


def _numbers(graph: Graph, cls: URIRef) -> list[tuple[str, str]]:
    return sorted((str(graph.value(i, KG.number)), str(graph.value(i, DCTERMS.title)))
                  for i in graph.subjects(RDF.type, cls))


def test_headings_whose_numbers_were_lost_take_them_from_the_contents(settings: Settings) -> None:
    """Word's list numbers are not text, so a converter drops them; the table of contents keeps them."""
    result = read_agenda(FIXTURES / "unnumbered.md", settings)
    assert _numbers(result.graph, BESLUIT.Agendapunt) == [
        ("1.1", "Nyt fra sekretariatet"), ("2.1", "Fælles tilgang til logning"), ("2.3", "Datakvalitet")]
    assert _numbers(result.graph, KG.AgendaSection) == [("1", "Siden sidst"), ("2", "Drøftelsessager"),
                                                        ("3", "Eventuelt")]
    assert any("numbers are not in the text" in w for w in result.warnings)
    # the sub-heading inside a part ("Status på projektet") stays text of the part
    assert "Status på projektet" in str(result.graph.value(
        URIRef(Minter(settings.base_iri).agenda_item("it-arkitekturraadet", DAY, "2.3")), KG.caseDescription))


def test_headings_whose_numbers_were_lost_are_numbered_in_order(tmp_path: Path, settings: Settings) -> None:
    text = (FIXTURES / "unnumbered.md").read_text(encoding="utf-8")
    text = "\n".join(line for line in text.split("\n") if not line.startswith("[")) + "\n"
    result = read(tmp_path, settings, text)
    assert [n for n, _ in _numbers(result.graph, BESLUIT.Agendapunt)] == ["1.1", "2.1", "2.2"]
