"""The pages' assets: content-hashed names, cached for a year, precompressed, rebuilt when a source changes.

Also what every page tells search engines and link previews about itself (description, Open Graph).
"""

from __future__ import annotations

import gzip
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import brotli
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.config import Settings
from kg.store import Store
from webapp import assets, create_app

HTML = {"Accept": "text/html"}


def _referenced(page: str) -> list[str]:
    return re.findall(r'(?:href|src|data-script|data-style)="(/assets/[^"]+)"', page)


def test_pages_name_assets_by_their_content_and_they_are_cached_for_a_year(settings: Settings,
                                                                          loaded_store: Store) -> None:
    client = create_app(settings, loaded_store).test_client()
    urls = set()
    for path in ("/", "/sparql", "/id/product/dcat-ap-dk"):
        urls |= set(_referenced(client.get(path, headers=HTML).get_data(as_text=True)))
    names = {url.rsplit("/", 1)[1] for url in urls}
    assert {n.split(".")[0] for n in names} >= {"kg", "favicon", "sparql"}
    for url in urls:
        response = client.get(url)
        body = response.get_data()
        digest = url.rsplit("/", 1)[1].split(".")[1]
        assert re.fullmatch(r"[0-9a-f]{12}", digest), url
        assert assets.hashed_name(url.rsplit("/", 1)[1].replace(f".{digest}", ""), body).endswith(
            url.rsplit("/", 1)[1]), f"{url}: the name does not match the content"
        assert response.headers["Cache-Control"] == "max-age=31536000, public, immutable", url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        gz = client.get(url, headers={"Accept-Encoding": "gzip"})
        if url.endswith((".css", ".js", ".svg")):
            assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.get_data()) == body
            assert "Accept-Encoding" in gz.headers["Vary"]
        etag = response.headers["ETag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        part = client.get(url, headers={"Range": "bytes=0-9"})
        assert part.status_code == 206 and part.get_data() == body[:10]
        for r in (response, gz, part):
            r.close()


def test_a_changed_source_gets_a_new_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          settings: Settings) -> None:
    static = tmp_path / "static"
    shutil.copytree(assets.STATIC, static)
    monkeypatch.setattr(assets, "STATIC", static)
    here = settings.replace(assets_dir=tmp_path / "built")
    first = assets.build(here.assets_dir)
    (static / "kg.css").write_text((static / "kg.css").read_text() + "\n/* changed */\n")
    second = assets.build(here.assets_dir)
    assert first["kg.css"] != second["kg.css"] and first["kg.js"] == second["kg.js"]
    for name in (second["kg.css"], first["kg.css"]):   # the old file stays for pages already out there
        assert (here.assets_dir / name).is_file()
    assert brotli.decompress((here.assets_dir / (second["kg.css"] + ".br")).read_bytes()).endswith(
        b"/* changed */\n")


def test_kg_assets_builds_them(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["assets"], env={"KG_ASSETS_DIR": str(tmp_path / "a"),
                                                       "KG_CONFIG": str(tmp_path / "none.toml")})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a" / "manifest.json").is_file()
    assert any(p.name.endswith(".css.br") for p in (tmp_path / "a").iterdir())


def test_the_favicon_is_there(settings: Settings, loaded_store: Store) -> None:
    client = create_app(settings, loaded_store).test_client()
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.get_data()[:4] == b"\x00\x00\x01\x00"   # an ICO file
    icon.close()
    page = client.get("/", headers=HTML).get_data(as_text=True)
    assert re.search(r'<link rel="icon" href="/assets/favicon\.[0-9a-f]{12}\.svg" type="image/svg\+xml">',
                     page)


class _Metas(HTMLParser):
    """The ``<meta>`` elements of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.metas: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self.metas.append(dict(attrs))


PAGES = ["/", "/meetings", "/id/meeting/it-arkitekturraadet/2023-11-30",
         "/id/agenda-item/it-arkitekturraadet/2023-11-30/2.9", "/id/case/SAG-2022-04763",
         "/id/decision/arkitekturboard/2023-10-31/2", "/id/product/dcat-ap-dk", "/id/dataset/cpr",
         "/id/concept/ladeinfrastruktur", "/id/concept/ladeinfrastruktur/ladepunkt",
         "/id/org/arkitekturboard",
         "/id/person/vibeke-normann", "/search?q=ladepunkt", "/search", "/validation", "/quality", "/def/kg",
         "/graph/meetings/it-arkitekturraadet-2023-11-30", "/id/no/such-thing", "/catalog", "/sparql",
         "/id/meeting/arkitekturboard/2023-10-31"]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_page_says_what_it_is_to_search_engines_and_link_previews(
        settings: Settings, loaded_store: Store, lang: str) -> None:
    client = create_app(settings, loaded_store).test_client()
    seen: dict[str, str] = {}
    for path in PAGES:
        page = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}", headers=HTML)
        heads = _Metas()
        heads.feed(page.get_data(as_text=True))
        by = {(m.get("name") or m.get("property")): m.get("content") for m in heads.metas}
        description = by.get("description") or ""
        assert 20 <= len(description) <= 320, (path, description)
        assert "{" not in description, (path, description)
        assert by.get("og:title") and by.get("og:description") == description, path
        assert by.get("theme-color") == "#00529c"
        seen[path] = description
    resource_pages = [p for p in PAGES if p.startswith("/id/") and "no/such" not in p]
    assert len({seen[p] for p in resource_pages}) == len(resource_pages), "resource pages share a description"
