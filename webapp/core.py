"""Home page and health check (the home page's content comes from :mod:`kg.pages.overview`)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from kg.pages.summaries import summary
from kg.store import StoreError
from webapp.context import get_publication, get_store, get_writer
from webapp.i18n import current_language

bp = Blueprint("core", __name__)


@bp.get("/")
def home() -> str:
    """What kg holds: counts, latest meetings and decisions, products by status, quality, a search box."""
    context = summary(get_publication(), f"home:{current_language()}") or _NOT_YET
    return render_template("home.html", **context)


#: Endpoints whose answer Accept chooses (HTML or an RDF syntax, a results format, a 406).
NEGOTIATED = frozenset({"browse.id_resource", "browse.graph_resource", "browse.def_resource",
                        "browse.any_resource", "catalog.catalog_negotiated", "catalog.void", "sparql.query",
                        "sparql.graph_store"})


@bp.after_app_request
def vary_on_accept(response: Response) -> Response:
    """``Vary: Accept`` on every answer Accept chose, and on every 406 (RFC 9110 §12.5.5): one rule for
    every route, so a cache never hands a Turtle client the HTML it stored for a browser."""
    if response.status_code == 406 or request.endpoint in NEGOTIATED:
        response.vary.add("Accept")
    return response


#: The home page before the pipeline has published its summary (a store being loaded).
_NOT_YET = {"counts": [], "meetings": [], "decisions": [], "products": {}, "dimensions": [], "graphs": []}


@bp.get("/healthz")
def healthz() -> tuple[object, int]:
    """Liveness, readiness and freshness: 200 when the store answers; how far derived state lags.

    ``fresh`` is false while writes wait for the derivation pipeline; ``failed`` names the steps
    whose last run failed (they run again after the next change).  ``?wait=N`` waits up to N
    seconds for the derived state to be fresh before answering.
    """
    writer = get_writer()
    wait = request.args.get("wait")
    if wait:
        try:
            writer.wait(min(max(float(wait), 0.0), 60.0))
        except ValueError:
            return jsonify(status="error", error="wait must be a number of seconds"), 400
    try:
        get_store().ask("ASK { }")
    except StoreError as exc:
        return jsonify(status="unavailable", error=str(exc)), 503
    status = writer.status()
    steps = status.get("steps") or {}
    failed = {name: s.get("error") for name, s in steps.items() if isinstance(s, dict) and not s.get("ok")}
    return jsonify(status="ok", fresh=bool(status.get("fresh")), last_write=status.get("last_write"),
                   last_refresh=status.get("last_refresh"), pending=status.get("pending"),
                   failed=failed), 200
