"""Error answers, rendered in one place: a page for browsers, one line of text for everything else.

Every error kg answers outside the SPARQL protocol (which answers in its own problem documents,
:mod:`kg.sparql.errors`) comes through :func:`error_answer`: no traceback ever, the status, its name
and a message that says what to do.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template
from werkzeug.exceptions import HTTPException

from kg.store import StoreUnavailable
from webapp.negotiation import preferred

#: What an error can be written as; with no Accept header, plain text.
_OFFERS = ("text/html", "text/plain", "application/json")


def error_answer(code: int, name: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """The error as the client prefers it: the error page, or ``"<code> <name>: <message>"``."""
    if preferred(_OFFERS, absent="text/plain") == "text/html":
        body = render_template("error.html", code=code, name=name, message=message)
        content_type = "text/html; charset=utf-8"
    else:
        body, content_type = f"{code} {name}: {message}\n", "text/plain; charset=utf-8"
    response = Response(body, status=code, content_type=content_type)
    for key, value in (headers or {}).items():
        if key.lower() != "content-type":
            response.headers[key] = value
    return response


def register_error_handlers(app: Flask) -> None:
    """Errors are answers: every HTTP error, and the store being unreachable, through :func:`error_answer`."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        code = exc.code or 500
        return error_answer(code, exc.name, exc.description or "", dict(exc.get_headers()))

    @app.errorhandler(StoreUnavailable)
    def unavailable(exc: StoreUnavailable) -> Response:
        current_app.logger.warning("store unavailable: %s", exc)
        return error_answer(503, "Service Unavailable",
                            "The store is not reachable right now; try again shortly.", {"Retry-After": "10"})
