"""The browse pages in a real browser: a reviewer's path through the council's decisions, and back.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright's Python client.  The
walk follows the issue: the meeting of 30 November 2023 → item 2.9 → the board's approval
of DCAT-AP-DK → the product → back to the case → another item of the same case; search
for "ladepunkt" and open the concept; switch to English; a literal holding ``<script>``
shows as text; axe-core finds no violation at all on any page type, at 1280 and at 320 CSS px; and at
320 px no page scrolls sideways (WCAG 2.1 1.4.10, reflow), in Danish or English.
Every request must stay on kg's own host (pages work offline), and a screenshot of each
page type is saved under ``tests/artifacts/`` for people to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from kg.config import Settings
from kg.loading import default_sources
from kg.store import Store, open_store
from kg.write import Writer
from tests.browsers import keep_on_host
from tests.w3c_protocol import serve
from webapp import create_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "tests" / "artifacts"
HOSTILE = ROOT / "tests" / "fixtures" / "browse" / "hostile.ttl"
MEETING = "/id/meeting/it-arkitekturraadet/2023-11-30"


@pytest.fixture(scope="module")
def store(settings: Settings) -> Iterator[Store]:
    """kg's data, its quality graph and validation report, plus test-only hostile literals."""
    store = open_store(settings)
    outcomes = Writer(store, settings).load([*default_sources(settings), HOSTILE])
    failed = [o.message for o in outcomes if o.status == "failed"]
    assert not failed, failed
    from kg import quality
    quality.run(store, settings, validate=False)
    try:
        from kg.validation import default_shape_files, load_shapes, store_report, validate_store
        files = [p for p in default_shape_files(settings) if p.is_file()]
        if files:
            store_report(store, settings, validate_store(store, settings, load_shapes(files, settings.base)))
    except ImportError:  # validation not available: the pages say "not validated yet"
        pass
    yield store
    store.close()


@pytest.fixture(scope="module")
def site(settings: Settings, store: Store) -> Iterator[str]:
    with serve(create_app(settings, store)) as url:
        yield url


@pytest.fixture()
def page(browser: object, site: str) -> Iterator[object]:
    """A Danish-speaking browser page; any request off kg's host is aborted and fails the test."""
    yield from _page(browser, site)


@pytest.fixture()
def narrow_page(browser: object, site: str) -> Iterator[object]:
    """A page 320 CSS px wide: a phone, or 1280 px at 400 % zoom (WCAG 2.1 1.4.10)."""
    yield from _page(browser, site, viewport={"width": 320, "height": 800})


@pytest.fixture()
def axe_page(browser: object, site: str) -> Iterator[object]:
    """A page that lets the test inject axe-core despite kg's Content-Security-Policy (script-src 'self')."""
    yield from _page(browser, site, bypass_csp=True)


def _page(browser: object, site: str, **options: object) -> Iterator[object]:
    options.setdefault("viewport", {"width": 1200, "height": 900})
    context = browser.new_context(locale="da-DK", **options)  # type: ignore[attr-defined]
    page = context.new_page()
    foreign = keep_on_host(page, site)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not foreign, f"pages reached outside kg: {foreign}"
    assert not errors, f"script errors: {errors}"


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def heading(page: object) -> str:
    return page.locator("h1").inner_text()  # type: ignore[attr-defined,no-any-return]


def test_follow_a_decision_to_its_product_and_back_to_the_case(page: object, site: str) -> None:
    page.goto(site + MEETING)  # type: ignore[attr-defined]
    assert "30. november 2023" in heading(page)
    agenda = page.locator("section[aria-labelledby=agenda-h]")  # type: ignore[attr-defined]
    assert agenda.locator("article.item").count() == 9          # 1.1, 2.2 … 2.9
    assert "SAG-2022-04763" in agenda.inner_text() and "Vibeke Normann" in agenda.inner_text()
    shot(page, "meeting")

    agenda.get_by_role("link", name=re.compile(r"2\.9 .*Arkitekturboard")).click()
    page.wait_for_url(re.compile(r"/agenda-item/it-arkitekturraadet/2023-11-30/2\.9$"))  # type: ignore[attr-defined]
    assert "Afrapportering" in heading(page)
    board = page.locator("section[aria-labelledby=rep-h]")  # type: ignore[attr-defined]
    row = board.locator("tr", has=page.locator("a[href$='/id/product/dcat-ap-dk']"))  # type: ignore[attr-defined]
    assert "godkendt med bemærkninger" in row.inner_text()
    shot(page, "item")

    row.locator("a[href*='/id/decision/arkitekturboard/2023-10-31/']").click()
    page.wait_for_url(re.compile(r"/id/decision/arkitekturboard/2023-10-31/\d+$"))  # type: ignore[attr-defined]
    facts = page.locator("section[aria-labelledby=dec-h]").inner_text()  # type: ignore[attr-defined]
    assert "godkendt med bemærkninger" in facts and "Arkitekturboard" in facts
    shot(page, "decision")

    page.locator("section[aria-labelledby=dec-h] a[href$='/id/product/dcat-ap-dk']").click()  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"/id/product/dcat-ap-dk$"))  # type: ignore[attr-defined]
    approval = page.locator("section[aria-labelledby=appr-h]").inner_text()  # type: ignore[attr-defined]
    assert "31. oktober 2023" in approval and "godkendt med bemærkninger" in approval
    shot(page, "product")

    page.locator("section[aria-labelledby=appr-h] a[href$='/id/case/SAG-2022-04763']").first.click()  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"/id/case/SAG-2022-04763$"))  # type: ignore[attr-defined]
    history = page.locator("section[aria-labelledby=hist-h]")  # type: ignore[attr-defined]
    assert history.locator("article.item").count() >= 5          # 2.2, 2.3, 2.7, 2.8, 2.9
    shot(page, "case")

    history.get_by_role("link", name=re.compile(r"^2\.2 ")).click()
    page.wait_for_url(re.compile(r"/agenda-item/it-arkitekturraadet/2023-11-30/2\.2$"))  # type: ignore[attr-defined]
    assert "Dynamisk Indkøbssystem" in heading(page)
    others = page.locator("section[aria-labelledby=oth-h]").inner_text()  # type: ignore[attr-defined]
    assert "2.9" in others                                        # and back again


def test_search_finds_the_concept_and_english_is_remembered(page: object, site: str) -> None:
    page.goto(site + "/")  # type: ignore[attr-defined]
    shot(page, "home")
    page.locator("#home-q").fill("ladepunkt")  # type: ignore[attr-defined]
    page.locator("#home-q").press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"/search\?q=ladepunkt"))  # type: ignore[attr-defined]
    hits = page.locator("ol.hits > li")  # type: ignore[attr-defined]
    assert hits.count() >= 1
    assert page.locator("ol.hits mark").first.inner_text().lower().startswith("ladepunkt")  # type: ignore[attr-defined]
    shot(page, "search")
    page.locator("nav.facets a", has_text=re.compile(r"^begreb \(")).click()  # type: ignore[attr-defined]
    page.locator("ol.hits a.hit", has_text=re.compile(r"^Ladepunkt$")).click()  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"/id/concept/ladeinfrastruktur/ladepunkt$"))  # type: ignore[attr-defined]
    assert heading(page) == "Ladepunkt"
    relations = page.locator("section[aria-labelledby=rel-h]").inner_text()  # type: ignore[attr-defined]
    assert "Digitalt forbundet ladepunkt" in relations           # a narrower concept, found backwards
    shot(page, "concept")

    page.get_by_role("link", name="English").click()  # type: ignore[attr-defined]
    assert page.locator("html").get_attribute("lang") == "en"  # type: ignore[attr-defined]
    assert heading(page) == "recharging point"
    assert page.locator("h2#terms-h").inner_text() == "Terms"  # type: ignore[attr-defined]
    page.goto(site + MEETING)  # type: ignore[attr-defined] -- no ?lang=: the cookie remembers
    assert page.locator("html").get_attribute("lang") == "en"  # type: ignore[attr-defined]
    assert page.locator("h2#agenda-h").inner_text() == "Agenda"  # type: ignore[attr-defined]
    assert "only in Danish" in page.locator("h1").inner_text()  # type: ignore[attr-defined] -- a Danish-only title says so


def test_literals_are_shown_as_text_never_run(page: object, site: str) -> None:
    page.goto(site + "/id/test/hostile")  # type: ignore[attr-defined]
    assert "<script>window.kgPwned = 1</script>" in heading(page)
    page.locator("details.allstatements > summary").click()  # type: ignore[attr-defined] -- every statement
    main = page.locator("main").inner_text()  # type: ignore[attr-defined]
    assert "<svg onload=window.kgPwned=5>" in main and "</p><script>" in main
    page.goto(site + "/search?q=fjendtlig")  # type: ignore[attr-defined]
    assert "<script>" in page.locator("ol.hits").inner_text()  # type: ignore[attr-defined]
    page.goto(site + "/id/test/hostile?lang=en")  # type: ignore[attr-defined]
    assert "<img src=x" in heading(page)
    page.locator("main").hover()  # type: ignore[attr-defined]
    assert page.evaluate("window.kgPwned") is None  # type: ignore[attr-defined]


PAGE_TYPES = {
    "home": "/", "meetings": "/meetings", "meeting": MEETING,
    "item": "/id/agenda-item/it-arkitekturraadet/2023-11-30/2.9", "case": "/id/case/SAG-2022-04763",
    "decision": "/id/decision/arkitekturboard/2023-10-31/2", "product": "/id/product/dcat-ap-dk",
    "dataset": "/id/dataset/cpr", "scheme": "/id/concept/ladeinfrastruktur",
    "concept": "/id/concept/ladeinfrastruktur/ladepunkt", "organisation": "/id/org/arkitekturboard",
    "person": "/id/person/vibeke-normann", "search": "/search?q=ladepunkt", "validation": "/validation",
    "quality": "/quality", "ontology": "/def/kg", "graph": "/graph/meetings/it-arkitekturraadet-2023-11-30",
    "notfound": "/id/no/such-thing", "catalog": "/catalog",
    "board-meeting": "/id/meeting/arkitekturboard/2023-10-31",
}


# Besides the page types: a page about an IRI outside kg's base, and the SPARQL page as served (its plain
# form; the editor is fetched only when a reader starts on a query) with and without an HTML result table.
REFLOW_PAGES = {
    **PAGE_TYPES,
    "resource": "/resource?" + urlencode({"iri": "https://data.gov.dk/model/core/approvalstatus#ApprovedWithRemarks"}),
    "sparql": "/sparql",
    "sparql-results": "/sparql?" + urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 20",
                                              "format": "html"}),
}
AXE_RULES = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']"
# How wide the page is, and the element reaching furthest right (outside any element that scrolls on its
# own), as a selector a person can find: the cause of a sideways scroll.
WIDEST = """() => {
  const path = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      let part = e.localName + [...e.classList].map((c) => "." + c).join("");
      if (e.id) { parts.unshift(part + "#" + e.id); break; }
      const same = [...e.parentElement.children].filter((c) => c.localName === e.localName);
      if (same.length > 1) part += `:nth-of-type(${same.indexOf(e) + 1})`;
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  let widest = null, right = document.documentElement.clientWidth;
  const walk = (el) => {
    for (const child of el.children) {
      const box = child.getBoundingClientRect();
      if (box.right > right + 0.5) { right = box.right; widest = child; }
      if (getComputedStyle(child).overflowX === "visible") walk(child);
    }
  };
  walk(document.body);
  return {width: document.documentElement.scrollWidth, widest: widest ? path(widest) : "",
          right: Math.round(right + window.scrollX)};
}"""


def in_language(path: str, lang: str) -> str:
    return path + ("&" if "?" in path else "?") + f"lang={lang}"


OPEN_ALL = "document.querySelectorAll('details').forEach((d) => { d.open = true; })"


@pytest.mark.parametrize("lang", ["da", "en"])
def test_no_page_scrolls_sideways_at_320_px(narrow_page: object, site: str, lang: str) -> None:
    """WCAG 2.1 1.4.10 (reflow): at 320 CSS px nothing scrolls the page sideways, as served and with every
    disclosure (the statements table, the source marks) open."""
    page = narrow_page
    wide: list[str] = []
    for kind, path in sorted(REFLOW_PAGES.items()):
        response = page.goto(site + in_language(path, lang))  # type: ignore[attr-defined]
        assert response.status == (404 if kind == "notfound" else 200), kind
        for state in ("as served", "details open"):
            if state == "details open":
                page.evaluate(OPEN_ALL)  # type: ignore[attr-defined]
            found = page.evaluate(WIDEST)  # type: ignore[attr-defined]
            if found["width"] > 320:
                wide.append(f"{kind} ({state}): scrollWidth {found['width']}, widest {found['widest']} "
                            f"(right edge at {found['right']})")
    assert not wide, "pages wider than 320 px:\n" + "\n".join(wide)


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("kind", sorted(REFLOW_PAGES))
def test_axe_finds_no_violations_at_all(axe_page: object, site: str, kind: str, width: int) -> None:
    """Every axe rule of WCAG 2.0/2.1 A and AA and axe's best practices, whatever its impact, with every
    disclosure open so that the statements and the source marks are checked too."""
    page = axe_page
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (npm ci)")
    page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
    response = page.goto(site + REFLOW_PAGES[kind])  # type: ignore[attr-defined]
    assert response.status == (404 if kind == "notfound" else 200)
    assert page.locator("h1").count() == 1  # type: ignore[attr-defined]
    if width == 1280 and kind in ("dataset", "scheme", "organisation", "validation", "quality", "ontology",
                                  "meetings"):
        shot(page, kind)
    page.evaluate(OPEN_ALL)  # type: ignore[attr-defined]
    page.add_script_tag(path=str(AXE))  # type: ignore[attr-defined]
    result = page.evaluate(f"async () => await axe.run(document, {{runOnly: {AXE_RULES}}})")  # type: ignore[attr-defined]
    bad = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
           for v in result["violations"]]
    assert not bad, "\n".join(bad)


def test_pages_work_without_javascript(browser: object, site: str) -> None:
    context = browser.new_context(java_script_enabled=False, locale="da-DK")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(site + "/")
    page.locator("#home-q").fill("SAG-2022-04763")
    page.locator("#home-q").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=SAG-2022-04763"))
    assert page.locator("ol.hits > li").count() >= 1
    page.goto(site + "/id/concept/ladeinfrastruktur")
    page.locator("#within").fill("stik")
    page.locator("#within").press("Enter")
    index = page.locator("dl.azindex").inner_text()
    assert "Stik" in index and "Ladepunkt" not in index
    context.close()


@pytest.mark.parametrize("lang", ["da", "en"])
def test_screenshots_of_every_page_type_in_both_languages(page: object, site: str, lang: str) -> None:
    """One full-page screenshot per page type and language in tests/artifacts/, for people to look at."""
    for kind, path in sorted(PAGE_TYPES.items()):
        response = page.goto(site + path + ("&" if "?" in path else "?") + f"lang={lang}")  # type: ignore[attr-defined]
        assert response.status == (404 if kind == "notfound" else 200), kind
        assert page.locator("html").get_attribute("lang") == lang  # type: ignore[attr-defined]
        assert page.locator("h1").count() == 1, kind  # type: ignore[attr-defined]
        shot(page, f"{kind}-{lang}")


def test_a_source_mark_opens_the_passage_without_javascript(browser: object, site: str) -> None:
    context = browser.new_context(java_script_enabled=False, locale="da-DK",  # type: ignore[attr-defined]
                                  viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(site + "/id/decision/arkitekturboard/2023-10-31/2")
    outcome = page.locator("xpath=//section[@aria-labelledby='dec-h']//dt[normalize-space()='Udfald']"
                           "/following-sibling::dd[1]//details")
    quote = "Arkitekturbeskrivelsen blev godkendt med følgende bemærkninger:"
    assert not page.get_by_text(quote).first.is_visible()            # closed: one quiet word
    outcome.locator("summary").click()
    assert page.get_by_text(quote).first.is_visible()                # open: the agenda's own words
    assert "punkt 2.9" in outcome.inner_text() and "sagsfremstilling" in outcome.inner_text()
    shot(page, "decision-source-open")
    page.goto(site + "/id/product/dcat-ap-dk")
    version = page.locator("xpath=//section[@aria-labelledby='rec-h']//dt[normalize-space()='version']"
                           "/following-sibling::dd[1]//details")
    version.locator("summary").click()
    assert "version 2.0 af standarden" in version.inner_text()
    shot(page, "product-editorial-open")
    context.close()


def test_the_meeting_page_prints_as_a_document(page: object, site: str) -> None:
    page.goto(site + MEETING)  # type: ignore[attr-defined]
    page.emulate_media(media="print")  # type: ignore[attr-defined]
    assert not page.locator("header.site nav").is_visible()  # type: ignore[attr-defined]
    assert not page.locator("section#incoming").is_visible()  # type: ignore[attr-defined]
    head = page.locator("section.meetinghead").inner_text()  # type: ignore[attr-defined]
    assert "30. november 2023" in head and "KOMBIT, Halfdansgade 8" in head
    assert page.locator("article.item").count() == 9  # type: ignore[attr-defined]
    shot(page, "meeting-print")
    page.pdf(path=str(ARTIFACTS / "meeting-print.pdf"))  # type: ignore[attr-defined]
