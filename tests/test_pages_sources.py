"""Where each fact comes from, and facts in the sources' order: the reviewer's pages over kg's own data.

Every statement a page shows carries a source mark (``<details class="src src-KIND">``) that says
whether the agenda states it (which item, which part, in which words), an editor added it (with the
file, the editor's note and what the editor relied on), kg derived it (by which rule) or inferred it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef

from kg.config import Settings
from kg.namespaces import KG, OWL, RDF, RDFS, SCHEMA
from kg.store import Store, open_store
from kg.write import Writer
from webapp import create_app

HTML = {"Accept": "text/html"}
MEETING = "/id/meeting/it-arkitekturraadet/2023-11-30"
ITEM_29 = "/id/agenda-item/it-arkitekturraadet/2023-11-30/2.9"
DECISION = "/id/decision/arkitekturboard/2023-10-31/2"
PRODUCT = "/id/product/dcat-ap-dk"
_MARK = re.compile(r'<details class="src src-([a-z]+)">(.*?)</details>', re.S)


@pytest.fixture()
def client(settings: Settings, loaded_store: Store) -> FlaskClient:
    return create_app(settings, store=loaded_store).test_client()


def get(client: FlaskClient, path: str) -> str:
    response = client.get(path, headers=HTML)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def section(page: str, heading_id: str) -> str:
    return page.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def marks(fragment: str) -> list[tuple[str, str]]:
    """(kind, text of the opened mark) for every source mark in a piece of a page."""
    return [(kind, text(body)) for kind, body in _MARK.findall(fragment)]


def row(table: str, label: str) -> str:
    """The row of a property table (or record) whose heading is ``label``."""
    for cells in re.findall(r"<tr>(.*?)</tr>", table, re.S) + re.findall(r"<dt>(.*?)</dd>", table, re.S):
        head, _, value = cells.partition("</th>") if "</th>" in cells else cells.partition("</dt>")
        if text(head) == label:
            return value
    raise AssertionError(f"no row {label!r}")


# -- every statement has a mark -------------------------------------------------------------------

@pytest.mark.parametrize("path", [MEETING, ITEM_29, DECISION, PRODUCT, "/id/dataset/cpr",
                                  "/id/concept/ladeinfrastruktur/ladepunkt", "/id/org/arkitekturboard"])
def test_every_statement_in_the_statements_table_has_a_source_mark(client: FlaskClient, path: str) -> None:
    page = get(client, path)
    table = page.split('id="props-h"', 1)[1].split('id="in-h"', 1)[0]
    values = re.findall(r"<tr><th scope=\"row\">.*?</td></tr>", table, re.S)
    assert values, path
    for value_row in values:
        name = text(value_row.split("</th>")[0])
        cells = value_row.split("</th>", 1)[1]
        items = re.findall(r"<li>(.*?)</li>", cells, re.S) if '<ul class="values">' in cells else [cells]
        for item in items:
            if 'class="nested"' in item:      # a blank node's statements: marked by its parent's graph
                continue
            assert marks(item), f"{path}: a value of {name!r} has no source mark"


def test_a_remark_names_the_agenda_item_part_and_paragraph(client: FlaskClient) -> None:
    remarks = section(get(client, DECISION), "rem-h")
    first = re.findall(r"<li[^>]*>(.*?)</li>", remarks, re.S)[0]
    assert text(first).startswith("Boardet gjorde opmærksom på")
    (kind, opened), = marks(first)
    assert kind == "agenda"
    assert "Dagsorden, It-Arkitekturrådet 30. november 2023" in opened
    assert "punkt 2.9" in opened and "sagsfremstilling" in opened and "afsnit 1" in opened
    assert "agendas/it-arkitekturraadet-2023-11-30.md" in opened       # the file kg read


def test_an_outcome_quotes_the_sentence_that_states_it(client: FlaskClient) -> None:
    facts = section(get(client, DECISION), "dec-h")
    outcome = row(facts, "Udfald")
    assert "godkendt med bemærkninger" in text(outcome.split("<details")[0])
    (kind, opened), = marks(outcome)
    assert kind == "agenda" and "Arkitekturbeskrivelsen blev godkendt med følgende bemærkninger:" in opened


def test_a_derived_link_says_how_kg_made_it(client: FlaskClient) -> None:
    approves = row(section(get(client, DECISION), "dec-h"), "Godkender")
    (kind, opened), = marks(approves)
    assert kind == "links"
    assert "forslagets titel" in opened                                   # the rule
    assert "Arkitekturbeskrivelse vedr. datasæt og datakataloger (DCAT)" in opened  # the words it used


def test_inferred_statements_say_so(client: FlaskClient) -> None:
    table = get(client, DECISION).split('id="props-h"', 1)[1].split('id="in-h"', 1)[0]
    kinds = {kind for kind, _ in marks(row(table, "frembragt af"))}  # prov:wasGeneratedBy, from kg:decidedAt
    assert kinds == {"inferred"}


# -- what the editors added is visibly theirs ----------------------------------------------------------

def test_the_product_records_the_version_the_board_decided_as_an_editorial_fact(client: FlaskClient) -> None:
    page = get(client, PRODUCT)
    assert "2.0.2" not in page                                 # no release the sources do not name
    record = section(page, "rec-h")
    version = row(record, "version")
    assert text(version.split("<details")[0]) == "2.0"
    (kind, opened), = marks(version)
    assert kind == "editorial"
    assert "catalog/products.ttl" in opened                    # the editor's file
    assert "version 2.0 af standarden" in opened               # the editor's note quotes the board
    assert 'href="/id/decision/arkitekturboard/2023-10-31/2/remark/1"' in version   # what it rests on
    assert "Boardet gjorde opmærksom på, at det burde være version 2.0" in opened   # and its words


@pytest.mark.parametrize("path", ["/id/product/ladeinfrastruktur", "/id/product/datasaets-kvalitet", PRODUCT,
                                  "/id/product/referencearkitektur-digitale-overblik"])
def test_the_publisher_of_every_product_is_marked_editorial_with_a_reason(client: FlaskClient,
                                                                         path: str) -> None:
    publisher = row(section(get(client, path), "rec-h"), "udgiver")
    assert "Kommunernes It-Arkitekturråd" in text(publisher)
    (kind, opened), = marks(publisher)
    assert kind == "editorial" and "Dagsordenen nævner ingen udgiver" in opened


def test_an_alias_the_agenda_does_not_use_is_marked_editorial(client: FlaskClient) -> None:
    alias = row(section(get(client, "/id/product/datasaets-kvalitet"), "rec-h"), "alternativ titel")
    assert "Fælles sprog for datakvalitet" in text(alias)
    (kind, opened), = marks(alias)
    assert kind == "editorial" and "»vejledningen«" in opened


def test_the_rdf_carries_the_editors_note_on_the_statement(loaded_store: Store, settings: Settings) -> None:
    """The note is data, not page text: an rdf:Statement in the curated file's own graph."""
    product = URIRef(settings.base_iri + PRODUCT)
    graph = Graph()
    query = (f"SELECT ?st ?p ?o WHERE {{ GRAPH ?g {{ ?st a <{RDF.Statement}> ; <{RDF.subject}> <{product}> ; "
             f"<{RDF.predicate}> <{OWL.versionInfo}> ; ?p ?o }} }}")
    for r in loaded_store.select(query):
        graph.add((r["st"], r["p"], r["o"]))
    assert (None, RDF.object, Literal("2.0")) in graph
    sources = set(graph.objects(None, URIRef("http://purl.org/dc/terms/source")))
    assert sources == {URIRef(settings.base_iri + "/id/decision/arkitekturboard/2023-10-31/2/remark/1")}
    rows = loaded_store.select(f"SELECT ?v WHERE {{ <{product}> <{OWL.versionInfo}> ?v }}")
    versions = {str(r["v"]) for r in rows}
    assert versions == {"2.0"}


def test_every_mark_kind_has_words_in_both_languages() -> None:
    from kg.pages.sources import KINDS, LINK_RULES
    from webapp.i18n import messages

    keys = [f"src_{k}" for k in KINDS] + [f"src_{k}_text" for k in KINDS if k not in ("links", "editorial")]
    keys += [f"src_rule_{r}" for r in set(LINK_RULES.values())] + ["src_rule_other", "src_editorial_text"]
    missing = [k for k in keys if not all(messages().get(k, {}).get(lang) for lang in ("da", "en"))]
    assert not missing, missing


# -- lists in the sources' order -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shuffled(settings: Settings) -> Iterator[Store]:
    """A decision whose remarks' labels and IRIs sort against their places in the document."""
    store = open_store(settings)
    graph = Graph()
    base = settings.base_iri
    decision = URIRef(f"{base}/id/decision/test/2024-01-01/1")
    graph.add((decision, RDF.type, URIRef("http://data.vlaanderen.be/ns/besluit#Besluit")))
    graph.add((decision, RDFS.label, Literal("Prøvebeslutning", lang="da")))
    for place, (slug, words) in enumerate([("c", "Zebra kommer først"), ("a", "Myre kommer derefter"),
                                           ("b", "Abe kommer sidst")], start=1):
        remark = URIRef(f"{decision}/remark/{slug}")
        graph.add((decision, KG.remark, remark))
        graph.add((remark, RDF.type, KG.Remark))
        graph.add((remark, RDF.value, Literal(words, lang="da")))
        graph.add((remark, RDFS.label, Literal(f"Bemærkning {slug}", lang="da")))
        graph.add((remark, SCHEMA.position, Literal(place)))
    Writer(store, settings).load([settings.ontologies_dir])     # kg's terms and their labels
    store.replace_graph(base + "/graph/test/shuffled", graph, source="test")
    yield store
    store.close()


def test_remarks_keep_the_documents_order_in_every_list(settings: Settings, shuffled: Store) -> None:
    page = create_app(settings, store=shuffled).test_client().get(
        "/id/decision/test/2024-01-01/1", headers=HTML).get_data(as_text=True)
    expected = ["Zebra", "Myre", "Abe"]
    remarks = text(section(page, "rem-h"))
    assert [w for w in re.findall(r"Zebra|Myre|Abe", remarks)] == expected
    table = page.split('id="props-h"', 1)[1].split('id="in-h"', 1)[0]
    assert re.findall(r"Bemærkning ([abc])", text(row(table, "bemærkning"))) == ["c", "a", "b"]


def test_the_meeting_page_opens_with_when_where_and_who(client: FlaskClient) -> None:
    page = get(client, MEETING)
    head = section(page, "when-h")
    assert page.index('id="when-h"') < page.index('id="agenda-h"')        # at the top, not in "Egenskaber"
    facts = text(head)
    for fact in ("Kommunernes It-Arkitekturråd", "30. november 2023", "kl. 10:00",
                 "KOMBIT, Halfdansgade 8, lokale Fanø"):
        assert fact in facts, fact
    assert "xsd:dateTime" not in page and "2023-11-30T10:00:00" not in text(page.split('id="props-h"')[0])
    english = client.get(MEETING + "?lang=en", headers=HTML).get_data(as_text=True)
    assert "30 November 2023" in text(section(english, "when-h"))


def test_item_29s_case_description_keeps_its_subheadings(client: FlaskClient) -> None:
    page = get(client, ITEM_29)
    subheadings = [text(h) for h in re.findall(r'<h3 class="subhead">(.*?)</h3>', page, re.S)]
    assert subheadings[:4] == ["Arkitekturboards møde 29. august 2023",
                               "Arkitekturboards udtalelse fra mødet 29. august 2023",
                               "Arkitekturboards møde 31. oktober 2023",
                               "Arkitekturboards udtalelse fra mødet 31. oktober 2023"]
    assert "Arkitekturbeskrivelse vedr. datasæt og datakataloger (DCAT)" in subheadings
    assert "###" not in page
    proposals = re.findall(r"<ol>(.*?)</ol>", section(page, "text-3"), re.S)   # the board's numbered lists
    assert [len(re.findall("<li>", p)) for p in proposals] == [1, 3]


def test_other_treatments_explain_the_reused_case_number(client: FlaskClient) -> None:
    others = section(get(client, ITEM_29), "oth-h")
    note = text(re.search(r'<p class="note"[^>]*>(.*?)</p>', others, re.S).group(1))  # type: ignore[union-attr]
    assert "samme sagsnummer" in note and "2.2, 2.3, 2.7, 2.8" in note
    alone = section(get(client, "/id/agenda-item/it-arkitekturraadet/2023-11-30/2.4"), "oth-h")
    assert 'class="note"' not in alone                           # a case of its own: nothing to explain


def test_the_product_shows_its_decision_trail_in_order(client: FlaskClient) -> None:
    trail = section(get(client, PRODUCT), "trail-h")
    steps = re.findall(r'<li class="step-([a-z]+)">\s*<div class="when">(.*?)</div>', trail, re.S)
    assert [(step, text(when)) for step, when in steps] == [
        ("proposed", "31. oktober 2023"), ("decided", "31. oktober 2023"), ("reported", "30. november 2023")]
    assert "godkendt med bemærkninger" in text(trail) and ITEM_29 in trail
