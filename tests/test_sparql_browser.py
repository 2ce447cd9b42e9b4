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
from tests.w3c_protocol import serve
from webapp import create_app

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
YASGUI = Path(__file__).resolve().parents[1] / "node_modules/@zazuko/yasgui/build/yasgui.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(settings: Settings, loaded_store: Store) -> Iterator[str]:
    with serve(create_app(settings, loaded_store)) as url:
        yield url


def _recording_page(browser: object, site: str,
                    **context_options: object) -> tuple[object, list[str], list[str]]:
    """A page whose requests are recorded; any request off kg's own host is aborted and listed apart."""
    context = browser.new_context(**context_options)  # type: ignore[attr-defined]
    page = context.new_page()
    own, foreign = [], []
    host = urlsplit(site).netloc

    def route(r: object) -> None:
        url = r.request.url  # type: ignore[attr-defined]
        if urlsplit(url).netloc == host or url.startswith(("data:", "blob:")):
            own.append(f"{r.request.method} {url}")  # type: ignore[attr-defined]
            r.continue_()  # type: ignore[attr-defined]
        else:
            foreign.append(url)
            r.abort()  # type: ignore[attr-defined]

    page.route("**/*", route)
    return page, own, foreign


def test_yasgui_runs_a_gallery_query_against_kg_only(browser: object, site: str) -> None:
    if not YASGUI.is_file():
        if os.environ.get("CI"):
            pytest.fail("YASGUI is not installed: the setup must run `npm ci`")
        pytest.skip("YASGUI is not installed (run `npm ci`)")
    page, own, foreign = _recording_page(browser, site)
    page.goto(site + "/sparql")
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
