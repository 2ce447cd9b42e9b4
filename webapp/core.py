"""Home page, health check and error pages (the home page's content comes from :mod:`kg.pages.overview`)."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from kg.pages import labeller_for, overview
from kg.pages.cache import memo
from kg.store import Store, StoreError, StoreUnavailable
from webapp.context import get_store
from webapp.i18n import current_language

bp = Blueprint("core", __name__)


@bp.get("/")
def home() -> str:
    """What kg holds: counts, latest meetings and decisions, products by status, quality, a search box."""
    store = get_store()
    lang = current_language()
    return render_template("home.html", **memo(store, ("home", lang), lambda: _home(store, lang)))


def _home(store: Store, lang: str) -> dict[str, object]:
    """The home page's content: aggregates over the whole graph, so computed once per state of the store."""
    labeller = labeller_for(store, lang)
    meeting_rows = overview.meetings(store, labeller)
    return {
        "counts": overview.counts(store, labeller), "meetings": meeting_rows,
        "decisions": overview.latest_decisions(store, labeller, meeting_rows),
        "products": overview.products(store, labeller),
        "dimensions": overview.quality_overview(store, labeller),
        "graphs": [g for g in store.graphs() if g.source],
    }


@bp.get("/healthz")
def healthz() -> tuple[object, int]:
    """Liveness and readiness: answers 200 only when the store answers."""
    try:
        get_store().ask("ASK { }")
    except StoreError as exc:
        return jsonify(status="unavailable", error=str(exc)), 503
    return jsonify(status="ok"), 200


def register_error_handlers(app: Flask) -> None:
    """Errors are answers: plain text for machines, a page for browsers, never a traceback."""

    def wants_html() -> bool:
        best = request.accept_mimetypes.best_match(["text/html", "text/plain", "application/json"])
        return best == "text/html"

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        code = exc.code or 500
        if wants_html():
            return render_template("error.html", code=code, name=exc.name, message=exc.description), code
        return f"{code} {exc.name}: {exc.description}\n", code, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(StoreUnavailable)
    def unavailable(exc: StoreUnavailable):  # type: ignore[no-untyped-def]
        message = "The store is not reachable right now; try again shortly."
        app.logger.warning("store unavailable: %s", exc)
        if wants_html():
            return render_template("error.html", code=503, name="Service Unavailable", message=message), 503
        return f"503 Service Unavailable: {message}\n", 503, {"Content-Type": "text/plain; charset=utf-8",
                                                              "Retry-After": "10"}
