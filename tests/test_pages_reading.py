"""Pages for reading: words for every term, one language per page, the overview pages' columns, the
catalogue, and what other programs read (the Atom feed, the sitemap, robots.txt)."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from flask.testing import FlaskClient

from kg.config import Settings
from kg.namespaces import PREFIXES
from kg.store import Store
from webapp import create_app

HTML = {"Accept": "text/html"}
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
#: One page of every type a reviewer meets.
PAGES = ["/", "/meetings", "/catalog", "/quality", "/validation", "/search?q=ladepunkt", "/sparql",
         "/id/meeting/it-arkitekturraadet/2023-11-30", "/id/meeting/arkitekturboard/2023-10-31",
         "/id/agenda-item/it-arkitekturraadet/2023-11-30/2.9", "/id/case/SAG-2022-04763",
         "/id/decision/arkitekturboard/2023-10-31/2", "/id/product/dcat-ap-dk", "/id/dataset/cpr",
         "/id/concept/ladeinfrastruktur", "/id/concept/ladeinfrastruktur/ladepunkt",
         "/id/org/arkitekturboard", "/id/person/vibeke-normann", "/def/kg",
         "/graph/agendas/it-arkitekturraadet/2023-11-30",
         "/id/document/it-arkitekturraadet/2023-11-30/2.2/1"]
_NAMES = "|".join(re.escape(p) for p in sorted(PREFIXES, key=len, reverse=True))
_PREFIXED = re.compile(rf"(?<![\w/#.@-])(?:{_NAMES}):[A-Za-z_][\w-]*")
#: An identifier written in camel case (``accessRightsAvailability``), which a page must say in words.
_CAMEL = re.compile(r"\b[a-z]+[A-Z][a-z]+[A-Za-z]*\b")
_WORDS_IN_CAMEL_CASE = {"eDelivery"}          # a product's own name


@pytest.fixture()
def client(settings: Settings, loaded_store: Store) -> FlaskClient:
    return create_app(settings, store=loaded_store).test_client()


def visible(page: str) -> str:
    """What a reader sees without opening the "all statements" table (nor the head, scripts or IRIs)."""
    page = re.sub(r"<head>.*?</head>", " ", page, flags=re.S)
    page = re.sub(r'<details class="allstatements">.*?</details>\s*</section>', "</section>", page,
                  flags=re.S)
    page = re.sub(r'<table class="props">.*?</table>', " ", page, flags=re.S)  # a plain resource's statements
    page = re.sub(r"<(script|code|textarea)[^>]*>.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<option[^>]*>.*?</option>', " ", page, flags=re.S)       # the SPARQL page's formats
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_no_prefixed_names_or_identifiers_in_what_a_reader_sees(client: FlaskClient, path: str,
                                                                lang: str) -> None:
    response = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}", headers=HTML)
    assert response.status_code == 200, path
    seen = visible(response.get_data(as_text=True))
    assert not _PREFIXED.findall(seen), f"{path} ({lang}) shows {sorted(set(_PREFIXED.findall(seen)))}"
    camel = set(_CAMEL.findall(seen)) - _WORDS_IN_CAMEL_CASE
    assert not camel, f"{path} ({lang}) shows {sorted(camel)}"


def test_the_checks_see_what_they_look_for() -> None:
    assert _PREFIXED.findall(visible("<p>type: eli:LegalResource, xsd:dateTime</p>")) == [
        "eli:LegalResource", "xsd:dateTime"]
    assert _CAMEL.findall(visible("<li>accessRightsAvailability</li>")) == ["accessRightsAvailability"]
    assert not _PREFIXED.findall(visible("<p>kl. 10:00, https://rammearkitektur.dk</p>"))
    hidden = '<details class="allstatements"><p>dct:title</p></details></section>'
    assert not _PREFIXED.findall(visible(hidden))


def test_measurements_are_named_in_words(client: FlaskClient) -> None:
    page = client.get("/id/product/dcat-ap-dk", headers=HTML).get_data(as_text=True)
    assert "accessRightsAvailability" not in visible(page)
    assert "Adgangsrettigheder" in visible(page)              # the metric's label names the measurement


def test_one_language_per_page_with_a_quiet_mark(client: FlaskClient) -> None:
    page = client.get("/id/agenda-item/it-arkitekturraadet/2023-11-30/2.9?lang=en", headers=HTML)
    text = page.get_data(as_text=True)
    assert 'class="fallback short"' not in text and ">da<" not in text    # no "DA" badges
    assert re.search(r'<span lang="da">Vibeke Normann</span>', text)       # a name is a name in any language
    assert not re.search(r'class="fb"[^>]*>Vibeke Normann<', text)
    title = re.search(r"<h1>(.*?)</h1>", text, re.S).group(1)             # type: ignore[union-attr]
    assert 'class="fb"' in title and "only in Danish" in title               # a Danish-only title says so
    assert "Texts with a dotted underline exist only in Danish." in text   # once, in the footer
    assert "SAG-2022-04763" in text and "Sag SAG-2022-04763" not in visible(text)  # a case by its number


def test_english_search_snippets_are_english(client: FlaskClient) -> None:
    danish = visible(client.get("/search?q=CPR&lang=da", headers=HTML).get_data(as_text=True))
    english = visible(client.get("/search?q=CPR&lang=en", headers=HTML).get_data(as_text=True))
    assert "Events in CPR" not in danish and "Hændelser i CPR" in danish
    assert "Events in CPR" in english and "Hændelser i CPR" not in english


# -- the overview pages ------------------------------------------------------------------------------

def test_home_page_decisions_are_grouped_by_meeting_and_say_what_they_approve(client: FlaskClient) -> None:
    page = client.get("/", headers=HTML).get_data(as_text=True)
    latest = page.split('id="ldec-h"', 1)[1].split("</section>", 1)[0]
    tables = re.findall(r'<table class="list decisions">(.*?)</table>', latest, re.S)
    captions = [visible(re.search(r"<caption>(.*?)</caption>", t, re.S).group(1)) for t in tables]  # type: ignore[union-attr]
    assert [c.strip() for c in captions] == ["Beslutninger på Arkitekturboardets 18. møde, 31. oktober 2023",
                                             "Beslutninger på Arkitekturboardets 17. møde, 29. august 2023"]
    numbers = [re.findall(r"<tr>\s*<td>(\d+)</td>", t) for t in tables]
    assert numbers == [["1", "2", "3"], ["1"]]                            # the board's own numbering
    for table in tables:
        for cells in re.findall(r"<tr>\s*<td>\d+</td>(.*?)</tr>", table, re.S):
            proposal, approves = (visible(c).strip() for c in re.findall(r"<td>(.*?)</td>", cells, re.S)[:2])
            assert proposal != approves and approves == "produktet med samme titel"
    assert 'href="/feed.atom"' in page                                    # the feed, announced


def test_meetings_without_an_agenda_in_kg_do_not_claim_zero_items(client: FlaskClient) -> None:
    page = client.get("/meetings", headers=HTML).get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>", 1)[1], re.S)
    items = {re.search(r'href="(/id/meeting/[^"]+)"', r).group(1):                  # type: ignore[union-attr]
             visible(re.findall(r'<td class="n">(.*?)</td>', r, re.S)[0]).strip() for r in rows}
    assert items == {"/id/meeting/it-arkitekturraadet/2023-11-30": "9",
                     "/id/meeting/arkitekturboard/2023-10-31": "–",
                     "/id/meeting/arkitekturboard/2023-08-29": "–"}


def test_catalogue_page_lists_titles_publishers_and_themes_with_local_links(client: FlaskClient,
                                                                           settings: Settings) -> None:
    page = client.get("/catalog", headers=HTML).get_data(as_text=True)
    body = page.split("<main", 1)[1]
    links = re.findall(r'href="([^"]*)"', body)
    assert not [link for link in links if link.startswith(settings.base_iri)]   # never off to the base host
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    assert len(rows) == 6
    cpr = next(r for r in rows if 'href="/id/dataset/cpr"' in r)
    assert "Det Centrale Personregister (CPR)" in cpr and "CPR-kontoret" in cpr
    assert "Regeringen og den offentlige sektor" in cpr                   # a theme, in words
    english = client.get("/catalog?lang=en", headers=HTML).get_data(as_text=True)
    assert "The Danish Civil Registration System (CPR)" in english and "Data catalogue" in english


# -- the feed, the sitemap, robots.txt ---------------------------------------------------------------

def _rfc3339(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None, f"{value}: Atom dates need a time zone"
    return parsed


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_feed_is_atom_with_the_meetings_and_decisions(client: FlaskClient, settings: Settings,
                                                         lang: str) -> None:
    response = client.get(f"/feed.atom?lang={lang}")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.get_data())
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{required}") or "").strip(), required
    _rfc3339(feed.findtext(f"{ATOM}updated") or "")
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None          # so no entry needs its own
    self_link = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert len(self_link) == 1 and self_link[0].get("href", "").startswith("http")
    entries = feed.findall(f"{ATOM}entry")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{required}") or "").strip(), required
        _rfc3339(entry.findtext(f"{ATOM}updated") or "")
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("href", "").startswith("http")
        assert client.get(link.get("href", "").split("localhost", 1)[1], headers=HTML).status_code == 200
    base = settings.base_iri
    assert ids[:1] == [f"{base}/id/meeting/it-arkitekturraadet/2023-11-30"]      # newest first
    decisions = [i for i in ids if "/id/decision/" in i]
    assert decisions == [f"{base}/id/decision/arkitekturboard/2023-10-31/{n}" for n in (1, 2, 3)] + [
        f"{base}/id/decision/arkitekturboard/2023-08-29/1"]
    titles = {e.findtext(f"{ATOM}id"): e.findtext(f"{ATOM}title") for e in entries}
    outcome = "godkendt med bemærkninger" if lang == "da" else "approved with remarks"
    assert titles[f"{base}/id/decision/arkitekturboard/2023-10-31/2"].endswith(outcome)  # type: ignore[union-attr]


def test_sitemap_and_robots(client: FlaskClient) -> None:
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in robots and "Disallow: /sparql" in robots
    sitemap = ET.fromstring(client.get("/sitemap.xml").get_data())
    assert sitemap.tag == f"{SITEMAP}urlset"
    urls = [u.findtext(f"{SITEMAP}loc") or "" for u in sitemap.findall(f"{SITEMAP}url")]
    for path in ("/", "/id/meeting/it-arkitekturraadet/2023-11-30", "/id/product/dcat-ap-dk", "/def/kg",
                 "/id/agenda-item/it-arkitekturraadet/2023-11-30/2.9",
                 "/id/concept/ladeinfrastruktur/ladepunkt"):
        assert "http://localhost" + path in urls, path
    assert not [u for u in urls if "/id/quality-measurement/" in u or "/id/validation/" in u]  # derived
    for url in urls[::25]:
        assert client.get(url.split("localhost", 1)[1], headers=HTML).status_code == 200, url


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_property_class_and_datatype_kg_holds_has_a_label_in_both_languages(loaded_store: Store,
                                                                                 lang: str) -> None:
    from kg.pages.labels import Labeller

    terms: set[str] = set()
    for query in ("SELECT DISTINCT ?t WHERE { ?s ?t ?o }", "SELECT DISTINCT ?t WHERE { ?s a ?t }",
                  "SELECT DISTINCT (DATATYPE(?o) AS ?t) WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }"):
        terms |= {str(r["t"]) for r in loaded_store.select(query) if r.get("t") is not None}
    found = Labeller(loaded_store, lang).terms(sorted(terms))
    unlabelled = sorted(t for t, term in found.items() if term.label.derived)
    assert not unlabelled, unlabelled
    other_language = sorted(t for t, term in found.items() if term.label.fallback)
    assert not other_language, other_language
