"""The browser assets as a fast site serves them: content-hashed names, precompressed, cached for a year.

kg's own CSS, JavaScript and icons (``webapp/static/``) and YASGUI's build (installed by ``npm ci``)
are copied by :func:`build` into one folder under names that carry a hash of their bytes
(``kg.3f2a9c1b7e.css``), each beside its gzip and brotli forms, with a manifest mapping the
plain name to the hashed one.  Pages reference assets through :func:`url` only, so a changed file
gets a new name and a browser never needs to ask again: WhiteNoise serves the folder with
``Cache-Control: public, max-age=31536000, immutable``, the precompressed form the client
accepts, ETags, conditional and range requests.

The build runs at install time (``kg assets``, which the setup scripts call) and again whenever
the app starts: a file already built is left alone, so that costs reading and hashing the sources,
and a checkout that skipped the install step still works.  Names are hashes of content, so two
processes building at once write the same files.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import brotli
from flask import Flask, request
from whitenoise import WhiteNoise

from kg.config import Settings
from webapp.security import CSP, HEADERS

#: Where each asset comes from: kg's own folder first, then YASGUI as ``npm ci`` installs it (or a
#: copy beside kg's own files, for installs without the checkout).
STATIC = Path(__file__).resolve().parent / "static"
_YASGUI_DIRS = (Path(__file__).resolve().parents[1] / "node_modules" / "@zazuko" / "yasgui" / "build",
                STATIC / "vendor" / "yasgui")
OWN = ("kg.css", "kg.js", "sparql.css", "sparql.js", "favicon.svg", "favicon.ico")
YASGUI = ("yasgui.min.js", "yasgui.min.css")
#: The URL prefix the hashed assets are served under.
PREFIX = "/assets/"
MANIFEST = "manifest.json"
#: Worth compressing: text.  Icons in ICO hold PNG, already compressed.
_TEXTUAL = (".css", ".js", ".svg", ".json")
_YEAR = 365 * 24 * 3600


def yasgui_dir() -> Path | None:
    """YASGUI's build folder, when it is installed."""
    return next((d for d in _YASGUI_DIRS if (d / "yasgui.min.js").is_file()), None)


def sources() -> dict[str, Path]:
    """Every asset by its plain name (YASGUI's only when installed)."""
    found = {name: STATIC / name for name in OWN}
    folder = yasgui_dir()
    if folder is not None:
        found.update({name: folder / name for name in YASGUI if (folder / name).is_file()})
    return found


def hashed_name(name: str, body: bytes) -> str:
    stem, dot, ext = name.partition(".")
    return f"{stem}.{hashlib.sha256(body).hexdigest()[:12]}.{ext}" if dot else name


def _write(path: Path, body: bytes) -> None:
    """Write atomically, so a reader (or a second builder) never sees half a file."""
    if path.is_file() and path.stat().st_size == len(body) and path.read_bytes() == body:
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as out:
        out.write(body)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def build(folder: Path, progress: Callable[[str], None] | None = None) -> dict[str, str]:
    """Copy every asset into ``folder`` under its hashed name, with ``.gz`` and ``.br`` beside it.

    Returns the manifest (plain name → hashed name).  Files of earlier builds stay: a page served
    just before a rebuild may still reference them.
    """
    folder.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, str] = {}
    for name, source in sources().items():
        body = source.read_bytes()
        target = hashed_name(name, body)
        manifest[name] = target
        packed = not name.endswith(_TEXTUAL) or (folder / (target + ".br")).is_file()
        if (folder / target).is_file() and packed:
            continue
        if progress is not None:
            progress(name)
        if name.endswith(_TEXTUAL):
            _write(folder / (target + ".gz"), gzip.compress(body, compresslevel=9, mtime=0))
            _write(folder / (target + ".br"), brotli.compress(body, quality=11))
        _write(folder / target, body)   # last: a present file means its compressed forms are there
    _write(folder / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8"))
    return manifest


def _security_headers(headers: object, path: str, url: str) -> None:
    headers["Content-Security-Policy"] = CSP  # type: ignore[index]
    for name, value in HEADERS.items():
        headers[name] = value  # type: ignore[index]


class _Assets(WhiteNoise):  # type: ignore[misc]
    #: How long "immutable" files are cached: a year, the longest lifetime HTTP caches are asked to keep.
    FOREVER = _YEAR


def init_app(app: Flask, settings: Settings) -> None:
    """Build (when needed) and serve the assets; give templates ``asset(name)``, the URL to use."""
    manifest = build(settings.assets_dir)   # nothing to do when it is up to date
    app.extensions["kg.assets"] = manifest

    def asset(name: str) -> str:
        return f"{request.script_root}{PREFIX}{manifest[name]}"

    def has_asset(name: str) -> bool:
        return name in manifest

    app.jinja_env.globals.update(asset=asset, has_asset=has_asset)
    # Every file here is named by its content: cache it for a year, never revalidate.
    app.wsgi_app = _Assets(app.wsgi_app, root=str(settings.assets_dir), prefix=PREFIX,  # type: ignore[method-assign]
                              max_age=_YEAR, immutable_file_test=lambda path, url: not url.endswith(MANIFEST),
                              add_headers_function=_security_headers, allow_all_origins=True)
