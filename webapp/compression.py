"""Compression of every textual answer, negotiated on ``Accept-Encoding`` (Flask-Compress does the work).

Pages, SPARQL results, RDF in every syntax, catalogue pages, feeds and errors go out as brotli,
zstd or gzip when the client accepts one, with ``Vary: Accept-Encoding`` and an ETag that names
the encoding (``"abc:br"``), so a cache never hands one encoding to a client that asked for
another and a conditional request for the encoded form still gets its 304.  Streamed answers
(large SPARQL results) are compressed as they stream.

Two kinds of answer are left as they are:

* those that already carry a ``Content-Encoding``: the catalogue pages and the VoID description,
  which the derivation pipeline stores compressed (:mod:`kg.catalog`), so a harvest costs no
  compression work; the assets, which WhiteNoise serves precompressed (:mod:`webapp.assets`);
* partial answers (206): a byte range is a range of the representation the client chose; kg
  serves ranges of the stored encoded bytes, or of the identity form, never compresses a slice.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, Response, request
from flask_compress import Compress

#: The media types worth compressing: every textual format kg answers in.
TEXTUAL = (
    "text/html", "text/plain", "text/css", "text/javascript", "text/csv", "text/tab-separated-values",
    "text/turtle", "text/xml", "application/json", "application/ld+json", "application/problem+json",
    "application/sparql-results+json", "application/sparql-results+xml", "application/xml",
    "application/rdf+xml", "application/n-triples", "application/n-quads", "application/trig",
    "application/atom+xml", "application/javascript", "application/x-turtle", "image/svg+xml",
    "application/vnd.oai.openapi+json",
)
#: The encodings kg offers, best first when a client accepts several equally.
ENCODINGS = ("br", "zstd", "gzip", "deflate")


def init_app(app: Flask) -> None:
    """Compress what the app answers.  Register this before any other after-request hook: Flask runs
    those hooks last-registered first, so this one runs after every other has set its headers."""
    app.config.update(
        COMPRESS_MIMETYPES=list(TEXTUAL),
        COMPRESS_ALGORITHM=list(ENCODINGS),
        COMPRESS_ALGORITHM_STREAMING=list(ENCODINGS),
        COMPRESS_LEVEL=6, COMPRESS_BR_LEVEL=4, COMPRESS_ZSTD_LEVEL=3,
        COMPRESS_MIN_SIZE=256,
        COMPRESS_REGISTER=False,
    )
    compress = Compress(app)

    @app.after_request
    def compressed(response: Response) -> Response:
        status = response.status_code
        if status == 206 or "Content-Range" in response.headers:
            response.vary.add("Accept-Encoding")
            return response
        if status < 400:
            return compress.after_request(response)
        # Flask-Compress leaves answers outside 2xx alone; kg's errors are pages and problem documents
        # too (a 404 page, a SPARQL syntax error).  Compressed as a 200 would be, then given back their
        # status: they carry no validators, so nothing conditional can happen to them on the way.
        response.status_code = 200
        try:
            response = compress.after_request(response)
        finally:
            response.status_code = status
        return response


def accepted_encodings(offered: Sequence[str]) -> list[str]:
    """Which of ``offered`` the client accepts, its preferred first (``offered``'s order breaks ties):
    for answers stored already encoded, chosen by the same rule as those compressed on the fly."""
    accept = request.accept_encodings
    ranked = [(accept.quality(e), -i, e) for i, e in enumerate(offered)]
    return [e for q, _, e in sorted(ranked, reverse=True) if q > 0]
