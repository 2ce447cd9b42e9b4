"""Answering requests from what the build stored: pages, item documents, VoID (no store query)."""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Sequence

from kg.catalog.stored import (
    DEFAULT_PER_PAGE,
    HEADER_KEY,
    MAX_PER_PAGE,
    MODIFIED_KEY,
    PAGES_KEY,
    CatalogError,
    Document,
    Paging,
    as_served,
    encoded_key,
    etag_of,
    http_date,
    hydra_triples,
    parse_instant,
    parse_ntriples,
    serialize,
    stored_body,
    stored_value,
)
from kg.formats import DocumentFormat
from kg.publication import Publication

# -- serving (requests) -----------------------------------------------------------------------------

#: A collection address that can stand in a served document as it is, in every format: a plain
#: http(s) URL of letters, digits and ``._~-/`` (nothing to escape in N-Triples, Turtle, RDF/XML or
#: JSON-LD).  Any other request address (odd Host headers) falls back to kg's base.
_ROOT = re.compile(r"https?://(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~\-/]*)?")


def safe_root(candidate: str, fallback: str) -> str:
    """The address to name the collection by: the request's own when it is a plain URL, else the fallback."""
    return candidate if _ROOT.fullmatch(candidate) else fallback


def _document(body: bytes, fmt: DocumentFormat, modified: str | None) -> Document:
    return Document(body, fmt, etag_of(body), http_date(modified))


def _encoded(publication: Publication, key: str, here: str, fmt: DocumentFormat,
             encodings: Sequence[str]) -> Document | None:
    """The stored encoded form of a document as served at ``here``: the first of ``encodings`` (the
    client's, best first) that is stored; None when none is (another address, an older publication)."""
    for encoding in encodings:
        stored = publication.get(encoded_key(key, here, encoding))
        if stored is not None:
            return Document(stored.body, fmt, stored.etag, http_date(stored.modified), encoding)
    return None


def _unavailable() -> CatalogError:
    return CatalogError(503, "the catalogue is being prepared; try again shortly")


def check_request(page_number: int, per_page: int, modified_since: str | None) -> str | None:
    """Raise :class:`CatalogError` (400) for parameters no page can answer; the ``modified_since`` key."""
    if per_page < 1 or per_page > MAX_PER_PAGE:
        raise CatalogError(400, f"per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}")
    if page_number < 1:
        raise CatalogError(400, f"page must be 1 or more, got {page_number}")
    if modified_since is None:
        return None
    try:
        return parse_instant(modified_since)
    except ValueError:
        raise CatalogError(400, f"modified_since must be an ISO 8601 date or date-time "
                                f"(2024-01-31 or 2024-01-31T12:00:00Z), got {modified_since!r}") from None


def plan(publication: Publication, page_number: int, per_page: int = DEFAULT_PER_PAGE,
         modified_since: str | None = None) -> tuple[Paging, list[str]]:
    """Which items a page holds; raises :class:`CatalogError` for a request out of bounds."""
    since_key = check_request(page_number, per_page, modified_since)
    try:
        with publication.connection() as db:
            if stored_value(db, PAGES_KEY) is None:
                raise _unavailable()
            if since_key is None and per_page == DEFAULT_PER_PAGE:
                # stored pages: positions (n-1)*100+1 .. n*100, gaps included
                last = int(stored_value(db, PAGES_KEY) or 1)
                total = int(db.execute("SELECT count(*) FROM catalogue_items").fetchone()[0])
                items = [r[0] for r in db.execute(
                    "SELECT iri FROM catalogue_items WHERE position > ? AND position <= ? ORDER BY position",
                    ((page_number - 1) * per_page, page_number * per_page))]
            else:
                where, args = ("WHERE sortkey >= ?", [since_key]) if since_key else ("", [])
                total = int(db.execute(f"SELECT count(*) FROM catalogue_items {where}", args).fetchone()[0])
                last = max(1, math.ceil(total / per_page))
                items = [r[0] for r in db.execute(
                    f"SELECT iri FROM catalogue_items {where} ORDER BY position LIMIT ? OFFSET ?",
                    [*args, per_page, (page_number - 1) * per_page])]
    except (sqlite3.OperationalError, FileNotFoundError):  # nothing published yet
        raise _unavailable() from None
    if page_number > last:
        raise CatalogError(404, f"page {page_number} does not exist: the catalogue has {total} item(s) "
                                f"in {last} page(s) of {per_page}")
    return Paging(page_number, per_page, total, last), items


def page(publication: Publication, fmt: DocumentFormat, here: str, page_number: int = 1,
         per_page: int = DEFAULT_PER_PAGE, modified_since: str | None = None,
         encodings: Sequence[str] = ()) -> Document:
    """One page: stored bytes for the default size, else put together from the stored item documents.

    ``here`` is the collection's address as the client reached it (it passed :func:`safe_root`);
    pages name themselves and their neighbours by it.  ``encodings``: the content codings the client
    accepts, best first; a stored page at kg's own address comes in the first one stored.  No store
    query either way.
    """
    paging, items = plan(publication, page_number, per_page, modified_since)
    if modified_since is None and per_page == DEFAULT_PER_PAGE:
        key = f"page:{page_number}:{fmt.extension}"
        encoded = _encoded(publication, key, here, fmt, encodings)
        if encoded is not None:
            return encoded
        stored = publication.get(key)
        if stored is None:
            raise _unavailable()
        return _document(as_served(stored.body, here), fmt, stored.modified)
    with publication.connection() as db:
        parts = [stored_body(db, HEADER_KEY), *(stored_body(db, "item:" + i) for i in items)]
        modified = stored_value(db, MODIFIED_KEY)
    parts.append(hydra_triples(paging.page, paging.last, paging.total, here, per_page, modified_since))
    body = serialize(parse_ntriples(b"".join(parts)), fmt)
    return _document(body, fmt, str(modified) if modified else None)


def item_document(publication: Publication, item: str, fmt: DocumentFormat) -> Document | None:
    """One dataset's (or data service's) own document: the description its page gives it."""
    stored = publication.get("item:" + item)
    if stored is None:
        return None
    body = stored.body if fmt.extension == "nt" else serialize(parse_ntriples(stored.body), fmt)
    return _document(body, fmt, stored.modified)


def void_document(publication: Publication, fmt: DocumentFormat, encodings: Sequence[str] = ()) -> Document:
    """The VoID description (``/.well-known/void``), as the pipeline stored it (in the first of the
    client's ``encodings`` stored)."""
    encoded = _encoded(publication, f"void:{fmt.extension}", "", fmt, encodings)
    if encoded is not None:
        return encoded
    stored = publication.get(f"void:{fmt.extension}")
    if stored is None:
        raise CatalogError(503, "the VoID description is being prepared; try again shortly")
    return _document(stored.body, fmt, stored.modified)


def catalogue_items(publication: Publication) -> list[str]:
    """Every item in catalogue order (for benchmarks and tests)."""
    try:
        with publication.connection() as db:
            return [r[0] for r in db.execute("SELECT iri FROM catalogue_items ORDER BY position")]
    except (sqlite3.OperationalError, FileNotFoundError):
        return []
