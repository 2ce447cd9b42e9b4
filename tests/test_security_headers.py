"""Security headers on every answer; no inline script anywhere; no versions of the server software told.

The Content-Security-Policy is checked three ways: on the headers of every kind of
answer (pages, RDF, SPARQL results, errors, static files), in the templates and
rendered pages (no inline script, no ``on*=`` handlers, no ``style=`` attributes), and
in Chromium, which reports every violation of the policy while the pages run.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient

from kg.config import Settings
from kg.store import Store
from tests.servers import free_port, stop
from tests.w3c_protocol import serve
from webapp import create_app, security

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "webapp" / "templates"
YASGUI = ROOT / "node_modules/@zazuko/yasgui/build/yasgui.min.js"
MEETING = "/id/meeting/it-arkitekturraadet/2023-11-30"
HTML = {"Accept": "text/html"}

#: One request per kind of answer kg gives: (path, headers, expected status).
ANSWERS = [
    ("/", HTML, 200),
    ("/sparql", HTML, 200),
    ("/sparql?query=ASK%7B%7D", {}, 200),
    ("/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%201&format=html", HTML, 200),
    ("/sparql?query=NOT%20SPARQL", {}, 400),
    ("/sparql", {"Accept": "text/turtle"}, 200),
    ("/catalog?page=1", {}, 200),
    ("/catalog", {}, 303),
    ("/catalog", HTML, 200),
    ("/catalog.jsonld?page=1", {}, 200),
    ("/.well-known/void", {}, 200),
    (MEETING, HTML, 200),
    (MEETING + ".ttl", {}, 200),
    ("/search?q=arkitektur", HTML, 200),
    ("/quality", HTML, 200),
    ("/validation", HTML, 200),
    ("/meetings", HTML, 200),
    ("/static/kg.css", {}, 200),
    ("/static/kg.js", {}, 200),
    ("/healthz", {}, 200),
    ("/openapi.json", {}, 200),
    ("/no/such/page", HTML, 404),
    ("/no/such/page", {"Accept": "text/plain"}, 404),
    ("/catalog?page=x", {}, 400),
    ("/catalog", {"Accept": "image/png"}, 406),
    ("/sparql/update", {}, 405),
    ("/id/%25zz", {}, 400),
]


@pytest.fixture(scope="module")
def client(settings: Settings, loaded_store: Store) -> FlaskClient:
    return create_app(settings, loaded_store).test_client()


def _directives(policy: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.parametrize(("path", "headers", "status"), ANSWERS)
def test_every_answer_carries_the_security_headers(client: FlaskClient, path: str, headers: dict[str, str],
                                                    status: int) -> None:
    r = client.get(path, headers=headers)
    assert r.status_code == status, r.get_data(as_text=True)[:300]
    policy = _directives(r.headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["script-src"] == ["'self'"], "no inline script, no eval, no other origin"
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["default-src"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "X-Powered-By" not in r.headers


def test_only_the_query_page_allows_inline_styles_and_only_styles(client: FlaskClient) -> None:
    page = _directives(client.get("/sparql", headers=HTML).headers["Content-Security-Policy"])
    results = _directives(client.get("/sparql?query=ASK%7B%7D").headers["Content-Security-Policy"])
    home = _directives(client.get("/", headers=HTML).headers["Content-Security-Policy"])
    assert page["style-src"] == ["'self'", "'unsafe-inline'"]
    assert home["style-src"] == ["'self'"] and results["style-src"] == ["'self'"]
    assert {k: v for k, v in page.items() if k != "style-src"} == {k: v for k, v in home.items()
                                                                   if k != "style-src"}


def test_cors_is_left_as_the_endpoint_sets_it(client: FlaskClient) -> None:
    assert client.get("/sparql?query=ASK%7B%7D").headers["Access-Control-Allow-Origin"] == "*"
    for path in ("/", "/catalog", "/sparql/update", "/sparql/graph?default"):
        assert "Access-Control-Allow-Origin" not in client.get(path).headers, path


# -- no inline script or style, in the templates and in what they render ------------------------------

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/(?:ld\+)?json\")[^>]*>",
                            re.I)
_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
_STYLE_ATTR = re.compile(r"<[^>]*\sstyle\s*=", re.I)
_STYLE_ELEMENT = re.compile(r"<style\b", re.I)


def _inline_code(html: str) -> list[str]:
    found = []
    for name, pattern in (("inline script", _INLINE_SCRIPT), ("event handler", _HANDLER),
                          ("style attribute", _STYLE_ATTR), ("style element", _STYLE_ELEMENT)):
        found += [f"{name}: {m.group(0)[:80]}" for m in pattern.finditer(html)]
    return found


def test_templates_hold_no_inline_script_handlers_or_styles() -> None:
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 10
    problems = {str(t.relative_to(ROOT)): _inline_code(t.read_text(encoding="utf-8")) for t in templates}
    assert {k: v for k, v in problems.items() if v} == {}


def test_the_checker_sees_inline_code() -> None:
    assert _inline_code('<script>alert(1)</script><a onclick="x()">') == [
        "inline script: <script>", 'event handler: <a onclick=']
    assert _inline_code('<span style="width: 5%">') and _inline_code("<style>p{}</style>")
    assert _inline_code('<script src="/static/kg.js"></script><script type="application/ld+json">') == []


@pytest.mark.parametrize("path", ["/", "/quality", "/catalog", MEETING, "/id/dataset/cpr",
                                  "/search?q=arkitektur", "/sparql", "/validation", "/meetings",
                                  "/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%205&format=html"])
def test_rendered_pages_hold_no_inline_code(client: FlaskClient, path: str) -> None:
    r = client.get(path, headers=HTML)
    assert r.status_code in (200, 404)
    assert _inline_code(r.get_data(as_text=True)) == []


# -- in a real browser -----------------------------------------------------------------------------

_RECORD_VIOLATIONS = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                      "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' "
                      "+ e.sourceFile));")


@pytest.fixture(scope="module")
def site(settings: Settings, loaded_store: Store) -> Iterator[str]:
    with serve(create_app(settings, loaded_store)) as url:
        yield url


def _run_yasgui_query(browser: object, url: str) -> list[str]:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.add_init_script(_RECORD_VIOLATIONS)
    page.goto(url + "/sparql")
    page.focus("#query")   # the editor is fetched when the reader starts on a query
    page.wait_for_selector(".yasqe .CodeMirror", timeout=20_000)
    page.click("a[data-example='products-by-approval-status']")
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table", timeout=20_000)
    page.wait_for_timeout(500)
    violations: list[str] = page.evaluate("window.__csp")
    page.close()
    return violations


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/", "/quality", "/catalog", MEETING, "/id/dataset/cpr",
                                  "/search?q=arkitektur", "/validation"])
def test_pages_run_under_the_policy_without_violations(browser: object, site: str, path: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.add_init_script(_RECORD_VIOLATIONS)
    page.goto(site + path)
    page.wait_for_load_state("load")
    assert page.evaluate("window.__csp") == []
    page.close()


@pytest.mark.browser
def test_yasgui_runs_a_query_under_the_query_pages_policy(browser: object, site: str) -> None:
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed (run `npm ci`)")
    assert _run_yasgui_query(browser, site) == []


@pytest.mark.browser
def test_yasgui_needs_inline_styles_which_is_why_the_query_page_allows_them(
        browser: object, settings: Settings, loaded_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """If a YASGUI upgrade stops writing ``<style>`` elements, this fails: then drop the exception."""
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed (run `npm ci`)")
    monkeypatch.setattr(security, "CSP_QUERY_PAGE", security.CSP)
    with serve(create_app(settings, loaded_store)) as url:
        violations = _run_yasgui_query(browser, url)
    assert violations and all(v.startswith("style-src") for v in violations), violations


# -- what the server software says about itself ------------------------------------------------------

def test_gunicorn_tells_no_versions(tmp_path: Path) -> None:
    """kg's production server: the ``Server`` header names no version; errors show no traceback."""
    port = free_port()
    script = ("import sys; from kg.config import load_settings; from webapp.server import run_server; "
              "run_server(load_settings(environ={}, config_file=None, store='memory'), "
              f"'127.0.0.1:{port}', 2)")
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = requests.get(f"http://127.0.0.1:{port}/no/such/page", timeout=5)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail((tmp_path / "gunicorn.log").read_text())
                time.sleep(0.2)
        assert r.status_code == 404
        assert r.headers.get("Server", "") == "gunicorn", r.headers.get("Server")
        assert not re.search(r"\d+\.\d+", " ".join(f"{k}: {v}" for k, v in r.headers.items()
                                                    if k not in ("Date", "Content-Length")))
        assert "Traceback" not in r.text and "werkzeug" not in r.text.lower()
    finally:
        stop(process)
        log.close()


def test_an_unexpected_error_shows_no_traceback_and_keeps_the_headers(settings: Settings,
                                                                       loaded_store: Store) -> None:
    app = create_app(settings, loaded_store)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals at /srv/app/kg/x.py line 3")

    for headers in ({}, HTML):
        r = app.test_client().get("/boom", headers=headers)
        body = r.get_data(as_text=True)
        assert r.status_code == 500
        assert "Traceback" not in body and "secret internals" not in body and "RuntimeError" not in body
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
