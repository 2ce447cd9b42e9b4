"""Chromium for the browser tests: Debian's ``/usr/bin/chromium`` driven by Playwright, kept on kg's host.

One launcher and one rule for what a page may reach, shared by every test that opens pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium() -> Iterator[object]:
    """A headless Chromium for a module's tests (a fixture body: ``yield from chromium()``)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def keep_on_host(page: object, site: str, own: list[str] | None = None) -> list[str]:
    """Let ``page`` reach ``site`` (and data:/blob: URLs) only: anything else is aborted and listed in
    the list returned; with ``own``, the requests that were let through are listed there."""
    foreign: list[str] = []
    host = urlsplit(site).netloc

    def route(r: object) -> None:
        url = r.request.url  # type: ignore[attr-defined]
        if urlsplit(url).netloc == host or url.startswith(("data:", "blob:")):
            if own is not None:
                own.append(f"{r.request.method} {url}")  # type: ignore[attr-defined]
            r.continue_()  # type: ignore[attr-defined]
        else:
            foreign.append(url)
            r.abort()  # type: ignore[attr-defined]

    page.route("**/*", route)  # type: ignore[attr-defined]
    return foreign
