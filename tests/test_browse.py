"""Browse pages over kg's own data: content negotiation, domain pages, links both ways, language, escaping."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef

from kg.config import Settings
from kg.namespaces import APPROVAL, KG, RDF, RDFS, SCHEMA
from kg.pages.labels import Labeller, choose, curie
from kg.pages.resource import INCOMING_PER_PAGE
from kg.store import Store, open_store
from kg.write import Writer
from webapp import create_app

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "browse" / "hostile.ttl"
MEETING = "/id/meeting/it-arkitekturraadet/2023-11-30"
ITEM_29 = "/id/agenda-item/it-arkitekturraadet/2023-11-30/2.9"
PRODUCT = "/id/product/dcat-ap-dk"
HTML = {"Accept": "text/html"}


@pytest.fixture()
def client(settings: Settings, loaded_store: Store) -> FlaskClient:
    return create_app(settings, store=loaded_store).test_client()


def text_of(html: str) -> str:
    """The page's text without tags (enough to check what a reader sees)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- content negotiation ----------------------------------------------------------------------

def test_browsers_get_html_and_rdf_clients_get_rdf(client: FlaskClient, settings: Settings) -> None:
    html = client.get(PRODUCT, headers=HTML)
    assert html.status_code == 200 and html.mimetype == "text/html"
    assert "Accept" in html.headers["Vary"]
    page = html.get_data(as_text=True)
    assert f'<link rel="alternate" type="text/turtle" href="{PRODUCT}.ttl">' in page
    product = URIRef(settings.base_iri + PRODUCT)
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/rdf+xml", "xml"), ("application/n-triples", "nt")):
        response = client.get(PRODUCT, headers={"Accept": accept})
        assert response.status_code == 200 and response.mimetype == accept
        assert {v.strip() for v in response.headers["Vary"].split(",")} == {"Accept", "Accept-Encoding"}
        graph = Graph().parse(data=response.get_data(), format=fmt)
        assert (product, KG.approvalStatus, APPROVAL.ApprovedWithRemarks) in graph, accept


def test_suffixes_name_a_format(client: FlaskClient, settings: Settings) -> None:
    for suffix, mime in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
                         ("rdf", "application/rdf+xml"), ("nt", "application/n-triples")):
        response = client.get(f"{ITEM_29}.{suffix}", headers=HTML)
        assert response.status_code == 200 and response.mimetype == mime, suffix
    nt = client.get(f"{ITEM_29}.nt").get_data(as_text=True)
    assert f"<{settings.base_iri}{ITEM_29}> <{KG.case}> <{settings.base_iri}/id/case/SAG-2022-04763> ." in nt


def test_unknown_iris_get_a_helpful_404(client: FlaskClient) -> None:
    response = client.get("/id/product/dcat-ap", headers=HTML)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Ikke fundet" in page and f'href="{PRODUCT}"' in page   # "did you mean" from the search index
    machine = client.get("/id/product/no-such-product", headers={"Accept": "text/turtle"})
    assert machine.status_code == 404 and machine.mimetype == "text/plain"
    assert client.get("/id/product/no-such-product.ttl").status_code == 404


def test_unsupported_media_type_is_406(client: FlaskClient) -> None:
    assert client.get(PRODUCT, headers={"Accept": "image/png"}).status_code == 406


def test_graph_iris_answer_with_their_provenance_and_triples(client: FlaskClient, loaded_store: Store,
                                                              settings: Settings) -> None:
    path = "/graph/meetings/it-arkitekturraadet-2023-11-30"
    info = loaded_store.graph_info(settings.base_iri + path)
    assert info is not None
    page = client.get(path, headers=HTML).get_data(as_text=True)
    assert "meetings/it-arkitekturraadet-2023-11-30.ttl" in page and (info.sha256 or "") in page
    triples = Graph().parse(data=client.get(path + ".nt").get_data(), format="nt")
    assert len(triples) == info.triples


def test_vocabulary_documents_answer_under_def(client: FlaskClient) -> None:
    page = client.get("/def/kg", headers=HTML).get_data(as_text=True)
    assert '<tr id="Case">' in page and "kg-ontologien" in page
    term = client.get("/resource", query_string={"iri": str(KG.Case)}, headers=HTML)
    assert term.status_code == 200 and "sag" in term.get_data(as_text=True).lower()


# -- domain pages -------------------------------------------------------------------------------

def test_meeting_page_shows_the_agenda_in_order(client: FlaskClient) -> None:
    page = client.get(MEETING, headers=HTML).get_data(as_text=True)
    numbers = re.findall(r'<span class="num">(\d\.\d)</span>', page)
    assert numbers == ["1.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9"]
    text = text_of(page)
    assert "Drøftelsessager" in text and "Eventuelt" in text
    assert "Torben Mathisen" in text and "SAG-2023-02803" in text
    assert "Præsentation af DIS 02.19 – September 2023" in text       # an attachment


def test_item_29_leads_to_the_boards_decisions_and_other_treatments(client: FlaskClient) -> None:
    page = client.get(ITEM_29, headers=HTML).get_data(as_text=True)
    board = page.split('id="rep-h"', 1)[1].split("</section>", 1)[0]
    assert board.count("/id/decision/arkitekturboard/") == 4          # 29 Aug: 1, 31 Oct: 3
    assert f'href="{PRODUCT}"' in board and "godkendt med bemærkninger" in board
    others = page.split('id="oth-h"', 1)[1].split("</section>", 1)[0]
    for number in ("2.2", "2.3", "2.7", "2.8"):                       # same case SAG-2022-04763
        assert f"/2023-11-30/{number}" in others
    assert "/2023-11-30/2.4" not in others and "/2023-11-30/2.6" not in others  # other cases


def test_links_go_both_ways_between_item_decision_product_and_case(client: FlaskClient) -> None:
    decision = "/id/decision/arkitekturboard/2023-10-31/2"
    page = client.get(decision, headers=HTML).get_data(as_text=True)
    assert f'href="{PRODUCT}"' in page and f'href="{ITEM_29}"' in page
    product = client.get(PRODUCT, headers=HTML).get_data(as_text=True)
    assert f'href="{decision}"' in product and 'href="/id/case/SAG-2022-04763"' in product
    assert "2023-10-31" in product and "Arkitekturboard" in product
    case = client.get("/id/case/SAG-2022-04763", headers=HTML).get_data(as_text=True)
    assert f'href="{ITEM_29}"' in case


def test_every_local_link_on_the_main_pages_resolves(client: FlaskClient) -> None:
    seen: set[str] = set()
    for start in (MEETING, ITEM_29, PRODUCT, "/id/concept/ladeinfrastruktur/ladepunkt"):
        page = client.get(start, headers=HTML).get_data(as_text=True)
        for link in re.findall(r'href="(/(?:id|def|graph)/[^"#?]*)"', page):
            if link in seen:
                continue
            seen.add(link)
            assert client.get(link, headers=HTML).status_code == 200, f"{start} links to {link}"
    assert len(seen) > 40


def test_concept_page_shows_terms_definition_and_relations(client: FlaskClient) -> None:
    page = text_of(client.get("/id/concept/ladeinfrastruktur/ladepunkt", headers=HTML).get_data(as_text=True))
    assert "recharging point" in page and "Fast eller mobil grænseflade" in page
    assert "Digitalt forbundet ladepunkt" in page                     # narrower, found backwards
    assert "AFIR" in page                                             # the source


@pytest.mark.parametrize(("path", "name"), [
    ("/id/dataset/cpr", "Det Centrale Personregister (CPR)"),
    (PRODUCT, "Arkitekturbeskrivelse vedr. datasæt og datakataloger (DCAT)"),
])
def test_dataset_and_product_pages_embed_a_schema_org_dataset(client: FlaskClient, settings: Settings,
                                                               path: str, name: str) -> None:
    page = client.get(path, headers=HTML).get_data(as_text=True)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1 and "<" not in blocks[0]            # Jinja's tojson escapes markup
    graph = Graph().parse(data=blocks[0], format="json-ld")     # the context is inline: no network
    dataset = URIRef(settings.base_iri + path)
    assert (dataset, RDF.type, SCHEMA.Dataset) in graph
    assert (dataset, SCHEMA.name, Literal(name)) in graph
    assert any(True for _ in graph.objects(dataset, SCHEMA.description))
    downloads = list(graph.objects(dataset, SCHEMA.distribution))
    if path == PRODUCT:
        urls = {str(o) for d in downloads for o in graph.objects(d, SCHEMA.contentUrl)}
        assert urls == {settings.base_iri + PRODUCT + ".ttl"}
        assert (dataset, SCHEMA.version, Literal("2.0")) in graph     # what the board said, not a release


# -- language -------------------------------------------------------------------------------------

def test_danish_by_default_english_by_choice_and_remembered(client: FlaskClient) -> None:
    assert 'id="agenda-h">Dagsorden<' in client.get(MEETING, headers=HTML).get_data(as_text=True)
    english = client.get(MEETING + "?lang=en", headers=HTML)
    assert 'id="agenda-h">Agenda<' in english.get_data(as_text=True)
    assert "kg_lang=en" in english.headers["Set-Cookie"]
    assert english.headers["Content-Language"] == "en"
    again = client.get(MEETING, headers=HTML)                          # the cookie remembers
    assert '<html lang="en">' in again.get_data(as_text=True)
    client.get(MEETING + "?lang=da", headers=HTML)
    browser = client.get(MEETING, headers={**HTML, "Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="da">' in browser.get_data(as_text=True)       # the cookie wins


def test_accept_language_chooses_when_nothing_else_does(settings: Settings, loaded_store: Store) -> None:
    client = create_app(settings, store=loaded_store).test_client()
    page = client.get(MEETING, headers={**HTML, "Accept-Language": "en-GB,en;q=0.9,da;q=0.5"})
    assert '<html lang="en">' in page.get_data(as_text=True)


def test_label_fallback_says_so(client: FlaskClient) -> None:
    page = client.get(MEETING + "?lang=en", headers=HTML).get_data(as_text=True)
    h1 = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert 'lang="da"' in h1 and "only in Danish" in h1


def test_choose_prefers_the_language_then_the_label_property() -> None:
    candidates = [(3, "da", "titel"), (1, "en", "pref en"), (1, "da", "pref da"), (2, "", "plain")]
    assert choose(candidates, "da").text == "pref da"
    assert choose(candidates, "en").text == "pref en"
    fallback = choose([(1, "da", "kun dansk")], "en")
    assert fallback is not None and fallback.fallback and fallback.lang == "da"
    assert not choose([(1, "", "untagged")], "en").fallback
    assert choose([], "da") is None
    assert curie("http://purl.org/dc/terms/title") == "dct:title"


def test_standard_terms_get_labels_even_when_the_store_has_none(loaded_store: Store) -> None:
    da = Labeller(loaded_store, "da").label("http://purl.org/dc/terms/title")
    en = Labeller(loaded_store, "en").label("http://purl.org/dc/terms/title")
    assert (da.text, en.text) == ("titel", "title")


# -- escaping and bounded incoming links --------------------------------------------------------------

@pytest.fixture(scope="module")
def hub_store(settings: Settings) -> Iterator[Store]:
    """A small store: the hostile literals, and one resource with many incoming links."""
    store = open_store(settings)
    Writer(store, settings).load([HOSTILE])
    graph = Graph()
    hub = URIRef(settings.base_iri + "/id/test/hub")
    graph.add((hub, RDFS.label, Literal("Knudepunkt", lang="da")))
    for n in range(2 * INCOMING_PER_PAGE + 5):
        node = URIRef(f"{settings.base_iri}/id/test/spoke/{n:03d}")
        graph.add((node, RDFS.seeAlso, hub))
        graph.add((node, RDFS.label, Literal(f"Eger {n:03d}", lang="da")))
    store.replace_graph(settings.base_iri + "/graph/test/hub", graph, source="test")
    yield store
    store.close()


def test_literals_are_escaped(settings: Settings, hub_store: Store) -> None:
    client = create_app(settings, store=hub_store).test_client()
    page = client.get("/id/test/hostile", headers=HTML).get_data(as_text=True)
    assert "<script>window" not in page and "onerror=" not in page.replace("onerror=&#34;", "")
    assert "&lt;script&gt;window.kgPwned = 1&lt;/script&gt;" in page
    assert "<svg" not in page
    english = client.get("/id/test/hostile?lang=en", headers=HTML).get_data(as_text=True)
    assert "&lt;img src=x onerror=" in english and "<img" not in english


def test_incoming_links_are_counted_and_paged(settings: Settings, hub_store: Store) -> None:
    client = create_app(settings, store=hub_store).test_client()
    total = 2 * INCOMING_PER_PAGE + 5
    first = client.get("/id/test/hub", headers=HTML).get_data(as_text=True)
    assert f"({total})" in first and first.count("/id/test/spoke/") == INCOMING_PER_PAGE
    last = client.get("/id/test/hub", headers=HTML, query_string={"in": str(RDFS.seeAlso), "page": 3})
    spokes = re.findall(r"/id/test/spoke/(\d+)", last.get_data(as_text=True))
    assert len(spokes) == 5
    pages = []
    for number in (1, 2, 3):
        query = {"in": str(RDFS.seeAlso), "page": number}
        response = client.get("/id/test/hub", headers=HTML, query_string=query)
        pages.append(set(re.findall(r"/id/test/spoke/(\d+)", response.get_data(as_text=True))))
    assert set().union(*pages) == {f"{n:03d}" for n in range(total)}  # every link once, across pages


def test_every_ui_string_exists_in_danish_and_english() -> None:
    from kg.search import KIND_NAMES
    from webapp.i18n import messages

    templates = Path(__file__).resolve().parents[1] / "webapp" / "templates"
    used = {key for path in templates.rglob("*.html")
            for key in re.findall(r"\bt\('([a-z_]+)'\)", path.read_text(encoding="utf-8"))}
    used |= {f"kind_{k}" for k in KIND_NAMES} | {f"severity_{s}" for s in ("violation", "warning", "info")}
    used |= {f"only_in_{x}" for x in ("da", "en")} | {f"lang_{x}" for x in ("da", "en")}
    used |= {f"role_{r}" for r in ("memberOf", "role", "membership", "responsibleFor", "meeting",
                                   "mentionedIn", "member", "publishes")}
    used |= {f"rel_{r}" for r in ("scheme", "broader", "narrower", "related")}
    used |= {"description", "publisher", "contact", "theme", "keywords", "license", "access_rights",
             "frequency", "issued", "modified", "landing_page", "conforms_to", "definition", "example",
             "comment", "concept_source"}                          # keys the templates name in lists
    catalogue = messages()
    missing = sorted(k for k in used if not all(catalogue.get(k, {}).get(lang) for lang in ("da", "en")))
    assert not missing, missing
