"""The query page in a real browser: YASGUI queries kg alone; without JavaScript the plain form works.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright's Python client.
Every request the page makes is recorded: all must go to kg itself (no DBpedia,
prefix.cc or LOV), and requests elsewhere are aborted.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kg.config import Settings
from kg.store import Store
from tests.browsers import keep_on_host
from tests.w3c_protocol import serve
from webapp import create_app

pytestmark = pytest.mark.browser

YASGUI = Path(__file__).resolve().parents[1] / "node_modules/@zazuko/yasgui/build/yasgui.min.js"
AXE = Path(__file__).resolve().parents[1] / "node_modules/axe-core/axe.min.js"
#: What a first visit to the query page may transfer, headers included (the issue's budget).
FIRST_VISIT_BYTES = 350_000


@pytest.fixture(scope="module")
def site(settings: Settings, loaded_store: Store) -> Iterator[str]:
    with serve(create_app(settings, loaded_store)) as url:
        yield url


def _recording_page(browser: object, site: str,
                    **context_options: object) -> tuple[object, list[str], list[str]]:
    """A page whose requests are recorded; any request off kg's own host is aborted and listed apart."""
    context = browser.new_context(**context_options)  # type: ignore[attr-defined]
    page = context.new_page()
    own: list[str] = []
    foreign = keep_on_host(page, site, own)
    return page, own, foreign


def test_yasgui_runs_a_gallery_query_against_kg_only(browser: object, site: str) -> None:
    if not YASGUI.is_file():
        if os.environ.get("CI"):
            pytest.fail("YASGUI is not installed: the setup must run `npm ci`")
        pytest.skip("YASGUI is not installed (run `npm ci`)")
    page, own, foreign = _recording_page(browser, site)
    page.goto(site + "/sparql")
    page.focus("#query")   # the editor is fetched when the reader starts on a query
    page.wait_for_selector(".yasqe .CodeMirror", timeout=20_000)
    assert page.is_hidden("#plain-form")
    page.click("a[data-example='products-by-approval-status']")
    editor = page.evaluate("document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()")
    assert "kg:approvalStatus" in editor
    def is_query(r: object) -> bool:
        return urlsplit(r.url).path == "/sparql" and r.request.method == "POST"  # type: ignore[attr-defined]

    with page.expect_response(is_query) as info:
        page.click(".yasqe_queryButton")
    response = info.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    page.wait_for_selector(".yasr table", timeout=20_000)
    table = page.inner_text(".yasr table")
    assert "dcat-ap-dk" in table and "ApprovedWithRemarks" in table
    assert foreign == [], f"the page tried to reach other hosts: {foreign}"
    assert any(r.startswith("POST ") and urlsplit(r.split(" ", 1)[1]).path == "/sparql" for r in own)
    page.context.close()


def test_without_javascript_the_form_answers_with_a_table(browser: object, site: str) -> None:
    page, _, foreign = _recording_page(browser, site, java_script_enabled=False)
    page.goto(site + "/sparql?example=concepts-of-a-scheme")
    assert page.is_visible("#plain-form")
    page.click("#plain-form button[type=submit]")
    page.wait_for_selector("table.sparql-results")
    cells = page.inner_text("table.sparql-results")
    assert "godkendt med bemærkninger" in cells
    assert foreign == []
    page.context.close()


def _need_yasgui() -> None:
    if not YASGUI.is_file():
        if os.environ.get("CI"):
            pytest.fail("YASGUI is not installed: the setup must run `npm ci`")
        pytest.skip("YASGUI is not installed (run `npm ci`)")


def test_a_first_visit_is_light_and_the_form_comes_before_the_editor(browser: object, site: str) -> None:
    """The page paints its plain form with no editor fetched; the editor comes when the reader starts."""
    _need_yasgui()
    page, _, foreign = _recording_page(browser, site)
    finished: list[object] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(site + "/sparql", wait_until="networkidle")
    assert page.is_visible("#plain-form") and page.is_visible("#query") and page.is_hidden("#yasgui")
    fetched = [r.url for r in finished]  # type: ignore[attr-defined]
    assert not any("yasgui" in url for url in fetched), fetched
    sizes = [r.sizes() for r in finished]  # type: ignore[attr-defined]
    total = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
    assert 0 < total < FIRST_VISIT_BYTES, f"{total} bytes on a first visit: {fetched}"
    page.focus("#query")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=20_000)
    assert page.is_hidden("#plain-form")
    assert foreign == []
    page.context.close()


def test_the_plain_form_is_used_until_the_editor_is_there(browser: object, site: str) -> None:
    """Typed before the editor arrives, a query is kept: the editor opens with it."""
    _need_yasgui()
    page, _, _ = _recording_page(browser, site)
    held: list[object] = []
    page.route("**/assets/yasgui.*", lambda r: held.append(r))   # the editor waits until the query is typed
    page.goto(site + "/sparql")
    page.fill("#query", "ASK { ?s ?p ?o }")
    page.wait_for_function("document.getElementById('yasgui').getAttribute('aria-busy') === 'true'")
    assert page.is_visible("#plain-form")
    while len(held) < 2:
        page.wait_for_timeout(50)
    for route in held:
        route.continue_()  # type: ignore[attr-defined]
    page.wait_for_selector(".yasqe .CodeMirror", timeout=20_000)
    value = page.evaluate("document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()")
    assert value == "ASK { ?s ?p ?o }"
    page.context.close()


def test_escape_leaves_the_editor_and_tab_goes_on(browser: object, site: str) -> None:
    _need_yasgui()
    page, _, _ = _recording_page(browser, site)
    page.goto(site + "/sparql")
    page.focus("#query")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=20_000)
    in_text = "document.activeElement === document.querySelector('.CodeMirror').CodeMirror.getInputField()"
    page.wait_for_function(in_text)
    page.keyboard.press("Tab")      # in the editor, Tab indents ...
    assert page.evaluate(in_text)
    page.keyboard.press("Escape")   # ... and Esc leaves it, for the run button
    assert not page.evaluate(in_text)
    assert "yasqe_queryButton" in page.evaluate("document.activeElement.className")
    for _ in range(3):              # and Tab goes on through the page, never back into the text
        page.keyboard.press("Tab")
        assert not page.evaluate(in_text)
        assert page.evaluate("document.activeElement !== document.body")
    hint = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getInputField()"
                         ".getAttribute('aria-describedby')")
    assert hint == "editor-hint" and "Esc" in page.inner_text("#editor-hint")
    page.context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_axe_finds_nothing_on_the_query_page_with_its_editor_and_results(browser: object, site: str,
                                                                        width: int) -> None:
    _need_yasgui()
    if not AXE.is_file():
        pytest.fail("axe-core is not installed: the setup must run `npm ci`")
    page, _, foreign = _recording_page(browser, site, bypass_csp=True,
                                       viewport={"width": width, "height": 900})
    page.goto(site + "/sparql")
    page.focus("#query")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=20_000)
    page.click("a[data-example='products-by-approval-status']")
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table", timeout=20_000)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', "
                           "'wcag21aa', 'best-practice']})")
    bad = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
           for v in result["violations"]]
    assert not bad, "\n".join(bad)
    assert foreign == []
    page.context.close()
