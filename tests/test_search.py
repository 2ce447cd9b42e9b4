"""Search: a load-time SQLite FTS5 index; ranked, faceted, highlighted safely, never stale."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib.namespace import SKOS

from kg.config import Settings
from kg.publication import Publication
from kg.search import HIT_END, HIT_START, SearchIndex, match_expression, segments
from kg.store import Store, open_store
from kg.write import Writer, publication_for
from webapp import create_app

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "browse" / "hostile.ttl"


def search_index(store: Store, settings: Settings) -> SearchIndex:
    """The index the derivation pipeline published for this store."""
    return SearchIndex(publication_for(store, settings))


def test_user_words_never_become_fts_syntax() -> None:
    assert match_expression("ladepunkt") == '"ladepunkt"*'
    assert match_expression('SAG-2022-04763') == '"sag"* "2022"* "04763"*'
    assert match_expression('a" OR b* NEAR(c) -d') == '"a"* "or"* "b"* "near"* "c"* "d"*'
    assert match_expression("  ---  ") == ""


def test_segments_mark_hits_without_markup() -> None:
    marked = f"Digitalt forbundet {HIT_START}ladepunkt{HIT_END} <b>"
    assert segments(marked) == [("Digitalt forbundet ", False), ("ladepunkt", True), (" <b>", False)]
    assert segments(f"x{HIT_START}") == [("x", False)]   # a stray marker is dropped, never shown


def test_labels_are_found_ranked_and_highlighted(loaded_store: Store, settings: Settings) -> None:
    result = search_index(loaded_store, settings).search("ladepunkt", "da")
    assert result.total >= 3 and result.facets.get("concept", 0) >= 3
    exact = {settings.base_iri + "/id/concept/ladeinfrastruktur/ladepunkt",
             "https://kg.rammearkitektur.dk/def/ladeinfrastruktur#Ladepunkt"}   # the concept and its class
    assert {h.iri for h in result.hits[:2]} == exact                   # exact labels first
    assert all([(t.lower(), m) for t, m in h.label] == [("ladepunkt", True)] for h in result.hits[:2])
    assert any(hit for h in result.hits[2:] for _, hit in h.label)     # the rest highlighted too


def test_the_thing_a_reviewer_means_comes_first(loaded_store: Store, settings: Settings) -> None:
    index = search_index(loaded_store, settings)
    ladepunkt = index.search("ladepunkt", "da").hits
    assert ladepunkt[0].iri == settings.base_iri + "/id/concept/ladeinfrastruktur/ladepunkt"  # then the class
    assert ladepunkt[1].iri == "https://kg.rammearkitektur.dk/def/ladeinfrastruktur#Ladepunkt"
    cpr = [h.iri for h in index.search("CPR", "da", limit=20).hits]                        # page 1
    assert settings.base_iri + "/id/agenda-item/it-arkitekturraadet/2023-11-30/2.5" in cpr
    assert cpr[0] == settings.base_iri + "/id/dataset/cpr"


def test_snippets_are_in_the_readers_language(loaded_store: Store, settings: Settings) -> None:
    index = search_index(loaded_store, settings)
    scheme = settings.base_iri + "/id/concept/cpr-event"
    for lang, words in (("da", "Hændelser i CPR"), ("en", "Events in CPR")):
        hit = next(h for h in index.search("CPR", lang, limit=40).hits if h.iri == scheme)
        snippet = "".join(text for text, _ in hit.snippet)
        assert words in snippet and not hit.snippet_fallback, (lang, snippet)


def test_case_numbers_and_item_numbers_are_found(loaded_store: Store, settings: Settings) -> None:
    index = search_index(loaded_store, settings)
    result = index.search("SAG-2022-04763", "da")
    iris = {h.iri for h in result.hits}
    assert settings.base_iri + "/id/case/SAG-2022-04763" in iris
    assert settings.base_iri + "/id/agenda-item/it-arkitekturraadet/2023-11-30/2.9" in iris
    items = index.search("SAG-2022-04763", "da", kind="item")
    assert items.hits and all(h.kind == "item" for h in items.hits)
    assert items.total == result.facets["item"] == 5                 # 2.2, 2.3, 2.7, 2.8, 2.9


def test_item_text_is_searched(loaded_store: Store, settings: Settings) -> None:
    result = search_index(loaded_store, settings).search("Dynamisk Indkøbssystem", "da", kind="item")
    assert result.hits[0].iri.endswith("/2023-11-30/2.2")


def test_english_labels_when_asked_and_fallback_marked(loaded_store: Store, settings: Settings) -> None:
    index = search_index(loaded_store, settings)
    english = index.search("recharging point", "en")
    assert english.hits[0].label == [("recharging", True), (" ", False), ("point", True)]
    danish_only = index.search("Torben Mathisen", "en")
    assert danish_only.hits[0].fallback                             # the name is only tagged @da


def test_the_index_follows_every_write(settings: Settings, tmp_path: Path) -> None:
    store = open_store(settings)
    writer = Writer(store, settings)
    try:
        assert search_index(store, settings).search("kvasikrystal", "da").total == 0
        concept = settings.base_iri + "/id/test/kvasikrystal"
        path = tmp_path / "kvasi.ttl"
        path.write_text(f'<{concept}> a <{SKOS.Concept}> ; <{SKOS.prefLabel}> "Kvasikrystal"@da .\n')
        writer.load([path], graph=settings.base_iri + "/graph/test/search")
        hits = search_index(store, settings).search("kvasikrystal", "da").hits
        assert [h.iri for h in hits] == [concept]
        writer.drop(settings.base_iri + "/graph/test/search")
        assert search_index(store, settings).search("kvasikrystal", "da").total == 0
    finally:
        store.close()


def test_the_embedded_store_publishes_its_index_beside_it(settings: Settings, tmp_path: Path) -> None:
    disk = settings.replace(store="embedded", store_path=tmp_path / "store")
    store = open_store(disk)
    try:
        Writer(store, disk).load([HOSTILE])
        path = tmp_path / "store-published.sqlite"
        assert path.is_file()
        reopened = SearchIndex(Publication(path, readonly=True))     # another process reads it as published
        assert reopened.search("fjendtlig", "da").total == 1
        reopened.publication.close()
    finally:
        store.close()


@pytest.fixture()
def client(settings: Settings, loaded_store: Store) -> FlaskClient:
    return create_app(settings, store=loaded_store).test_client()


def test_search_page_has_facets_and_marks(client: FlaskClient) -> None:
    page = client.get("/search?q=ladepunkt").get_data(as_text=True)
    assert "<mark>" in page and 'href="/id/concept/ladeinfrastruktur/ladepunkt"' in page
    assert "type=concept" in page                                     # a facet link
    filtered = client.get("/search?q=SAG-2022-04763&type=case").get_data(as_text=True)
    assert filtered.count('class="hit"') == 1
    assert client.get("/search?q=x&type=nonsense").status_code == 400
    assert client.get("/search").status_code == 200                   # the empty form


def test_search_highlighting_cannot_inject_markup(settings: Settings) -> None:
    store = open_store(settings)
    try:
        Writer(store, settings).load([HOSTILE])
        page = create_app(settings, store=store).test_client().get("/search?q=fjendtlig+script")
        html = page.get_data(as_text=True)
        assert "<script>window" not in html
        assert "&lt;<mark>script</mark>&gt;" in html
    finally:
        store.close()


def test_common_words_rank_label_hits_first_then_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.search as search

    monkeypatch.setattr(search, "RANK_LIMIT", 50)
    docs = [(f"http://x/text/{n:03d}", "dataset", f"Datasæt {n:03d}", "", "",
             "Oversigt over skoler i Køge Kommune", "") for n in range(120)]
    docs += [(f"http://x/org/{n}", "organisation", f"Køge Kommune {n}", "", "", "", "") for n in range(3)]
    monkeypatch.setattr(search, "collect", lambda store: sorted(docs))
    publication = Publication(None)
    search.refresh(None, None, publication)  # type: ignore[arg-type]
    index = SearchIndex(publication)
    first = index.search("kommune", "da", limit=10)
    assert first.total == 123 and set(first.facets) == {"dataset", "organisation"}
    assert all(count is None for count in first.facets.values())       # not counted past the limit
    assert [h.iri for h in first.hits[:3]] == [f"http://x/org/{n}" for n in range(3)]  # labels first
    seen = [h.iri for page in range(13)
            for h in index.search("kommune", "da", limit=10, offset=10 * page).hits]
    assert len(seen) == 123 == len(set(seen))                          # every match once, across pages
    orgs = index.search("kommune", "da", kind="organisation")
    assert orgs.total == 3 and {h.kind for h in orgs.hits} == {"organisation"}
