"""The catalogue for harvesters: ``/catalog`` (paged, negotiated), item documents, VoID, dumps.

Everything here is stored bytes the derivation pipeline wrote (:mod:`kg.catalog`); this
blueprint only does HTTP: content negotiation, query parameters, the canonical page
address, conditional and range requests (strong ETag from the bytes), and errors as one
clear line.  No request reads the store.

A page names itself by the address it was fetched from, and the collection links to it
with ``hydra:view``, because Hydra clients (Comunica) follow ``hydra:next`` only from the
node named by the URL they requested.  A request for the collection itself, or with its
parameters in another order, is redirected (303) to the page's canonical address.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, redirect, render_template, request, send_file

from kg import catalog
from kg.catalog import CatalogError, Document
from kg.formats import FORMATS, HARVESTER_MEDIA_TYPES, DocumentFormat
from kg.pages import labeller_for
from kg.pages.catalog_page import catalog_rows
from webapp.compression import accepted_encodings
from webapp.context import get_publication, get_settings, get_store
from webapp.i18n import current_language
from webapp.negotiation import preferred
from webapp.params import page_number, whole_number

bp = Blueprint("catalog", __name__)

_EXT = "<any(ttl, rdf, jsonld, nt):ext>"


def _negotiate(allow_html: bool = False) -> DocumentFormat | None:
    """The format for the Accept header: Turtle when there is none (CKAN sends none); None for HTML."""
    offers = list(HARVESTER_MEDIA_TYPES) + (["text/html"] if allow_html else [])
    best = preferred(offers, absent=FORMATS["ttl"].media_type)
    if best == "text/html":
        return None
    if best is None:
        abort(406, description="available as " + ", ".join(f.media_type for f in FORMATS.values()))
    return HARVESTER_MEDIA_TYPES[best]


def _respond(doc: Document, vary: bool = True) -> Response:
    """The document as a file server gives it: ETag, Last-Modified, 304, HEAD and byte ranges."""
    response = Response(doc.body, status=200, content_type=doc.content_type)
    tag = doc.etag.strip('"')
    if doc.encoding is None:
        response.set_etag(tag)
    else:  # stored compressed: the ETag names the coding, as for answers compressed on the fly
        response.headers["Content-Encoding"] = doc.encoding
        response.set_etag(f"{tag}:{doc.encoding}")
    response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = "no-cache"
    if vary:
        response.vary.add("Accept")
    if doc.last_modified is not None:
        response.last_modified = doc.last_modified
    return response.make_conditional(request, accept_ranges=True, complete_length=len(doc.body))


def _here(path: str) -> str:
    """An address on the host the client used, when it is a plain one (else kg's base)."""
    base = get_settings().base_iri.rstrip("/")
    return catalog.safe_root(request.host_url.rstrip("/") + request.script_root + path,
                             base + path)


def _canonical_query(page: int, per_page: int, since: str | None) -> str:
    params = [("page", str(page))]
    if per_page != catalog.DEFAULT_PER_PAGE:
        params.append(("per_page", str(per_page)))
    if since is not None:
        params.append(("modified_since", since))
    return urlencode(params)


def _catalog(fmt: DocumentFormat | None) -> Response | str:
    page = page_number()
    per_page = whole_number("per_page", catalog.DEFAULT_PER_PAGE, high=catalog.MAX_PER_PAGE)
    since = request.args.get("modified_since")
    if fmt is None:
        return _catalog_html(page, per_page, since)
    try:
        catalog.check_request(page, per_page, since)
    except CatalogError as exc:
        abort(exc.status, description=str(exc))
    canonical = _canonical_query(page, per_page, since)
    if request.query_string.decode("ascii", "replace") != canonical:
        # the page's own address names it (and its links): send the client there
        return redirect(f"{request.script_root}{request.path}?{canonical}", code=303)
    try:
        doc = catalog.page(get_publication(), fmt, _here(request.path), page, per_page, since,
                           accepted_encodings(catalog.STORED_ENCODINGS))
    except CatalogError as exc:
        abort(exc.status, description=str(exc))
    return _respond(doc)


def _catalog_html(page: int, per_page: int, since: str | None) -> str:
    """A small HTML view of a page, pointing to its RDF alternates."""
    try:
        paging, items = catalog.plan(get_publication(), page, per_page, since)
    except CatalogError as exc:
        abort(exc.status, description=str(exc))
    query = _canonical_query(page, per_page, since)
    alternates = {f.extension: f"{request.script_root}/catalog.{f.extension}?{query}"
                  for f in FORMATS.values()}
    store = get_store()  # the page's own entries, bound first: the cost follows the page
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
        response.vary.discard("Accept")
    return response


def _item(kind: str, slug: str, ext: str) -> Response:
    iri = f"{get_settings().base_iri}/id/{kind}/{slug}"
    doc = catalog.item_document(get_publication(), iri, FORMATS[ext])
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
    try:
        doc = catalog.void_document(get_publication(), fmt, accepted_encodings(catalog.STORED_ENCODINGS))
    except CatalogError as exc:
        abort(exc.status, description=str(exc))
    return _respond(doc)


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
