"""``/search``: ranked search with type facets and highlighting, over the load-time index.

The index (:mod:`kg.search`) is SQLite FTS5 built when data changes; a request runs
one MATCH for the hits and one for the facet counts.  Works as a plain GET form, so
no JavaScript is needed.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from kg.search import KIND_NAMES, SearchIndex
from webapp.context import get_publication
from webapp.i18n import current_language
from webapp.params import page_number

bp = Blueprint("search", __name__)
PER_PAGE = 20


@bp.get("/search")
def search() -> str:
    """Hits for ``q`` (all words, as words or word starts), optionally of one ``type``, page by page."""
    text = request.args.get("q", "").strip()[:200]
    kind = request.args.get("type") or None
    if kind is not None and kind not in KIND_NAMES:
        abort(400, description="type must be one of " + ", ".join(KIND_NAMES))
    page = page_number()
    result = None
    if text:
        index = SearchIndex(get_publication())
        result = index.search(text, current_language(), kind, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    pages = max(1, -(-result.total // PER_PAGE)) if result else 1
    return render_template("search.html", q=text, result=result, kind=kind or "", page=page, pages=pages)
