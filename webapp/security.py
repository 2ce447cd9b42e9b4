"""HTTP hardening for the whole app: security headers, request hygiene, per-client limits.

Registered once by the app factory, so every blueprint gets it without knowing:

* every answer carries a Content-Security-Policy with no inline script (``frame-ancestors
  'none'`` and ``X-Frame-Options: DENY`` against framing), ``X-Content-Type-Options:
  nosniff`` and a ``Referrer-Policy``;
* requests are checked before any view runs: a request target longer than
  ``max_url_length`` is 414; a path or an IRI parameter that is not an IRI by RFC 3987 is
  400 (otherwise it would reach a query and fail there, as a 500); a body over
  ``max_upload_bytes`` is 413 with the limit in the message;
* the expensive endpoints (SPARQL, search, catalogue, VoID, dump) take a token from the
  client's bucket (:mod:`kg.ratelimit`) when ``rate_limit`` is set: an empty bucket is 429
  with ``Retry-After``, answered before any work is done.

Error answers follow kg's rule: one clear line of text, or the error page for browsers.
"""

from __future__ import annotations

import math

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    RequestEntityTooLarge,
    RequestURITooLarge,
    TooManyRequests,
)

from kg.config import Settings
from kg.iri_syntax import is_absolute_iri, is_iri_path, problem
from kg.ratelimit import RateLimiter, client_key
from webapp.errors import error_answer

#: The policy for every page: scripts, styles, images and fetches from kg itself only; no inline
#: script or style, no plugins, no framing, forms post back to kg only.  JSON-LD and YASGUI's
#: configuration are ``<script type="application/…json">`` data blocks, which CSP does not run.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
#: The query page only: YASGUI's bundled libraries (CodeMirror, its results table) write ``style``
#: attributes into the markup they generate, which ``style-src 'self'`` would block.  Styles only:
#: scripts stay ``'self'`` (no ``'unsafe-eval'``, no inline script), as on every other page.
CSP_QUERY_PAGE = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
#: Views whose work grows with the data or the query: they spend the client's tokens.
EXPENSIVE = frozenset({"sparql.query", "search.search", "catalog.catalog_negotiated", "catalog.catalog_file",
                       "catalog.void", "catalog.dump"})
#: Parameters that carry an IRI, in the URL or a form body.
IRI_PARAMETERS = ("iri", "graph", "default-graph-uri", "named-graph-uri", "using-graph-uri",
                  "using-named-graph-uri")
_FORM = "application/x-www-form-urlencoded"


def init_app(app: Flask, settings: Settings) -> None:
    """Install the checks, the limits, the headers and the 413/414/429 answers on ``app``."""
    limiter = RateLimiter(settings.rate_limit, settings.rate_burst) if settings.rate_limit > 0 else None
    app.extensions["kg.ratelimit"] = limiter

    @app.before_request
    def check_request() -> Response | None:
        _check_size(settings)
        _check_iris()
        if limiter is not None and request.endpoint in EXPENSIVE and request.method != "OPTIONS":
            _spend_token(limiter, settings)
        return None

    @app.after_request
    def add_headers(response: Response) -> Response:
        policy = CSP_QUERY_PAGE if request.endpoint == "sparql.query" and response.mimetype == "text/html" \
            else CSP
        response.headers.setdefault("Content-Security-Policy", policy)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    for code in (413, 414, 429):
        app.register_error_handler(code, _limit_error)


def _check_size(settings: Settings) -> None:
    """414 for an over-long request target; 413 up front when ``Content-Length`` says the body is too big."""
    length = len(request.path) + len(request.query_string) + 1
    if length > settings.max_url_length:
        _abort(414, f"the request target is {length} characters long; this server accepts at most "
               f"{settings.max_url_length} (send a long SPARQL query by POST)")
    if request.content_length is not None and request.content_length > settings.max_upload_bytes:
        _abort(413, _too_large_message(settings))


def _too_large_message(settings: Settings) -> str:
    size = f"{request.content_length} bytes" if request.content_length is not None else "too large"
    limit = settings.max_upload_bytes
    if request.mimetype == _FORM or request.mimetype == "multipart/form-data":
        form_limit = current_app.config.get("MAX_FORM_MEMORY_SIZE") or 500_000
        if request.content_length is None or request.content_length <= limit:
            return (f"the form is {size}; a form may carry at most {form_limit} bytes "
                    "(send a long query as application/sparql-query)")
    return f"the request body is {size}; this server accepts at most {limit} bytes (max_upload_bytes)"


def _check_iris() -> None:
    """400 for a path, or an IRI parameter, that no IRI could hold."""
    if not is_iri_path(request.path):
        _abort(400, f"the path is not a valid IRI path: {problem('x:' + request.path)}")
    sources = [request.args]
    if request.method == "POST" and request.mimetype == _FORM:
        request.get_data(cache=True)   # keep the raw body: the SPARQL endpoint reads it strictly as UTF-8
        sources.append(request.form)
    for source in sources:
        for name in IRI_PARAMETERS:
            for value in source.getlist(name):
                if not is_absolute_iri(value):
                    _abort(400, f"{name!r} must be an absolute IRI (RFC 3987): {problem(value)}")


def _spend_token(limiter: RateLimiter, settings: Settings) -> None:
    forwarded = request.headers.get(settings.trusted_proxy_header) if settings.trusted_proxy_header else None
    wait = limiter.take(client_key(request.remote_addr, forwarded))
    if wait > 0:
        g.kg_retry_after = max(1, math.ceil(wait))
        _abort(429, f"this client has used its share of the expensive endpoints ({settings.rate_burst} at "
               f"once, {settings.rate_limit:g} a second); try again in {g.kg_retry_after} s")


_ERRORS: dict[int, type[HTTPException]] = {
    400: BadRequest, 413: RequestEntityTooLarge, 414: RequestURITooLarge, 429: TooManyRequests}


def _abort(code: int, message: str) -> None:
    """Refuse the request; Flask picks the handler by the exception's class, so each code has its own."""
    g.kg_refusal = message
    raise _ERRORS[code](description=message)


_NAMES = {413: "Content Too Large", 414: "URI Too Long", 429: "Too Many Requests"}


def _limit_error(exc: HTTPException) -> Response:
    """413, 414 and 429 as kg answers errors, with the limit named (Werkzeug's own text names none)."""
    code = exc.code or 400
    message = g.get("kg_refusal") or (
        _too_large_message(current_app.config["KG_SETTINGS"]) if code == 413 else exc.description)
    headers = {}
    if code == 429:
        headers["Retry-After"] = str(g.get("kg_retry_after", 1))
    if code == 413:
        headers["Connection"] = "close"  # the rest of the body is never read
    return error_answer(code, _NAMES[code], message or "", headers)
