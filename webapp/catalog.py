"""The catalogue for harvesters: ``/catalog`` (paged, negotiated), item documents, VoID, dumps.

Everything RDF is built and serialised by :mod:`kg.catalog`, which hands back bytes;
this blueprint only does HTTP: content negotiation, query parameters, conditional
requests (strong ETag from the bytes, Last-Modified from the last load) and errors as
one clear line.  Hydra page links are built from the URL the client used, so a
harvester can follow them whatever host name it reached kg by.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, render_template, request, send_file

from kg import catalog
from kg.catalog import FORMATS, MEDIA_TYPES, CatalogError, Document, Format
from kg.pages import labeller_for
from kg.pages.catalog_page import catalog_rows
from webapp.context import get_publication, get_settings, get_store
from webapp.i18n import current_language

bp = Blueprint("catalog", __name__)

_EXT = "<any(ttl, rdf, jsonld, nt):ext>"


def _negotiate(allow_html: bool = False) -> Format | None:
    """The format for the Accept header: Turtle when there is none (CKAN sends none); None for HTML."""
    accept = request.accept_mimetypes
    if not accept:
        return FORMATS["ttl"]
    offers = list(MEDIA_TYPES) + (["text/html"] if allow_html else [])
    best = accept.best_match(offers, default=None)
    if best == "text/html":
        return None
    if best is None:
        abort(406, description="available as " + ", ".join(f.media_type for f in FORMATS.values()))
    return MEDIA_TYPES[best]


def _respond(doc: Document, vary: bool = True) -> Response:
    """The document, or 304 when the client's copy is current."""
    headers = {"ETag": doc.etag, "Content-Type": doc.content_type, "Cache-Control": "no-cache"}
    if vary:
        headers["Vary"] = "Accept"
    if doc.last_modified is not None:
        headers["Last-Modified"] = doc.last_modified.strftime("%a, %d %b %Y %H:%M:%S GMT")
    inm = request.headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip() for t in inm.split(",")}
        if doc.etag in tags or "*" in tags:
            return Response(status=304, headers={k: v for k, v in headers.items() if k != "Content-Type"})
    elif doc.last_modified is not None and request.if_modified_since is not None \
            and doc.last_modified.replace(microsecond=0) <= request.if_modified_since:
        return Response(status=304, headers={k: v for k, v in headers.items() if k != "Content-Type"})
    return Response(doc.body, status=200, headers=headers)


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        abort(400, description=f"{name} must be a whole number, got {raw!r}")


def _page_url_factory(per_page: int, modified_since: str | None):  # type: ignore[no-untyped-def]
    """IRIs of the other pages: same path and parameters, on the host the client used."""
    root = request.host_url.rstrip("/") + request.path

    def page_url(n: int) -> str:
        params: list[tuple[str, str]] = [("page", str(n))]
        if per_page != catalog.DEFAULT_PER_PAGE:
            params.append(("per_page", str(per_page)))
        if modified_since is not None:
            params.append(("modified_since", modified_since))
        return root + "?" + urlencode(params)

    return page_url


def _catalog(fmt: Format | None) -> Response | str:
    page = _int_arg("page", 1)
    per_page = _int_arg("per_page", catalog.DEFAULT_PER_PAGE)
    since = request.args.get("modified_since")
    store = get_store()
    if fmt is None:
        return _catalog_html(page, per_page, since)
    try:
        doc = catalog.catalog_page(store, fmt, _page_url_factory(per_page, since), page, per_page, since)
    except CatalogError as exc:
        abort(exc.status, description=str(exc))
    return _respond(doc)


def _catalog_html(page: int, per_page: int, since: str | None) -> str:
    """A small HTML view of a page, pointing to its RDF alternates."""
    store = get_store()
    try:
        paging, items, _ = catalog.plan_page(store, page, per_page, since)
    except CatalogError as exc:
        abort(exc.status, description=str(exc))
    query = request.query_string.decode("ascii", "replace")
    alternates = {f.extension: f"{request.script_root}/catalog.{f.extension}" + (f"?{query}" if query else "")
                  for f in FORMATS.values()}
    rows = catalog_rows(store, items, labeller_for(store, current_language()))
    return render_template("catalog.html", paging=paging, rows=rows, alternates=alternates,
                           formats=FORMATS, settings=get_settings())


@bp.get("/catalog")
def catalog_negotiated() -> Response | str:
    """The catalogue, in the format the Accept header asks for (Turtle without one)."""
    return _catalog(_negotiate(allow_html=True))


@bp.get(f"/catalog.{_EXT}")
def catalog_file(ext: str) -> Response | str:
    """The catalogue in the format its extension names."""
    response = _catalog(FORMATS[ext])
    if isinstance(response, Response):
        response.headers.pop("Vary", None)
    return response


def _item(kind: str, slug: str, ext: str) -> Response:
    iri = f"{get_settings().base_iri}/id/{kind}/{slug}"
    doc = catalog.item_document(get_store(), iri, FORMATS[ext])
    if doc is None:
        abort(404, description=f"no {kind} {iri} in the catalogue")
    return _respond(doc, vary=False)


@bp.get(f"/id/dataset/<path:slug>.{_EXT}")
def dataset_document(slug: str, ext: str) -> Response:
    """A dataset's own document (the description its catalogue page gives it, with its quality)."""
    return _item("dataset", slug, ext)


@bp.get(f"/id/service/<path:slug>.{_EXT}")
def service_document(slug: str, ext: str) -> Response:
    """A data service's own document."""
    return _item("service", slug, ext)


@bp.get("/.well-known/void")
def void() -> Response:
    """The VoID description: SPARQL endpoint, dump, size, class partitions, example resources."""
    fmt = _negotiate() or FORMATS["ttl"]
    return _respond(catalog.void_document(get_store(), fmt))


@bp.get("/dump.nq.gz")
def dump() -> Response:
    """Every graph as gzipped N-Quads, written by the derivation pipeline after each change."""
    found = catalog.published_dump(get_publication())
    if found is None:
        abort(503, description="the dump is being prepared; try again shortly")
    path, etag = found
    # A gzip file, not a transfer encoding: clients save it as it comes.
    return send_file(path, mimetype="application/gzip", as_attachment=True,
                     download_name="kg-dump.nq.gz", conditional=True, etag=etag)
