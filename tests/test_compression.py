"""Every textual answer compressed when asked, and right: Vary, ETags per encoding, 304, ranges, streams.

The catalogue pages and the VoID description are stored compressed by the pipeline, for kg's own
address; elsewhere (another host) they are compressed on the fly.  Either way a client gets the
same document after decoding.  Assets are precompressed files served under content-hashed names.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator

import brotli
import pytest
from backports import zstd
from flask.testing import FlaskClient

from kg import catalog
from kg.config import Settings
from kg.store import Store
from webapp import create_app

HTML = {"Accept": "text/html"}
MEETING = "/id/meeting/it-arkitekturraadet/2023-11-30"
#: One answer of every textual kind kg gives: (path, request headers, its media type).
TEXTUAL = [
    ("/", HTML, "text/html"),
    (MEETING, HTML, "text/html"),
    (MEETING + ".ttl", {}, "text/turtle"),
    (MEETING + ".jsonld", {}, "application/ld+json"),
    (MEETING + ".rdf", {}, "application/rdf+xml"),
    (MEETING + ".nt", {}, "application/n-triples"),
    ("/sparql", HTML, "text/html"),
    ("/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%20200", {},
     "application/sparql-results+json"),
    ("/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%20200",
     {"Accept": "application/sparql-results+xml"}, "application/sparql-results+xml"),
    ("/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%20200", {"Accept": "text/csv"}, "text/csv"),
    ("/sparql?query=CONSTRUCT%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%20200", {"Accept": "text/turtle"},
     "text/turtle"),
    ("/catalog?page=1", {}, "text/turtle"),
    ("/catalog.jsonld?page=1", {}, "application/ld+json"),
    ("/catalog", HTML, "text/html"),
    ("/.well-known/void", {}, "text/turtle"),
    ("/search?q=ladepunkt", HTML, "text/html"),
    ("/openapi.json", {}, "application/json"),
    ("/feed.atom", {}, "application/atom+xml"),
    ("/sitemap.xml", {}, "application/xml"),
    ("/no/such/page", HTML, "text/html"),
]
DECODE = {"gzip": gzip.decompress, "br": brotli.decompress, "zstd": zstd.decompress,
          "deflate": zlib.decompress}


@pytest.fixture(scope="module")
def client(settings: Settings, loaded_store: Store) -> Iterator[FlaskClient]:
    yield create_app(settings, loaded_store).test_client()


def _get(client: FlaskClient, path: str, headers: dict[str, str], **kw: object) -> object:
    return client.get(path, headers=headers, follow_redirects=False, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
@pytest.mark.parametrize(("path", "headers", "media"), TEXTUAL, ids=[f"{p} {m}" for p, _, m in TEXTUAL])
def test_textual_answers_are_compressed_when_asked(client: FlaskClient, path: str, headers: dict[str, str],
                                                   media: str, encoding: str) -> None:
    plain = _get(client, path, headers)
    packed = _get(client, path, {**headers, "Accept-Encoding": encoding})
    assert plain.mimetype == media and packed.mimetype == media  # type: ignore[attr-defined]
    assert "Content-Encoding" not in plain.headers  # type: ignore[attr-defined]
    assert packed.headers["Content-Encoding"] == encoding  # type: ignore[attr-defined]
    assert "accept-encoding" in packed.headers["Vary"].lower()  # type: ignore[attr-defined]
    assert "accept-encoding" in plain.headers["Vary"].lower()  # type: ignore[attr-defined]
    body = DECODE[encoding](packed.get_data())  # type: ignore[attr-defined]
    if "sparql?" not in path and "feed" not in path:  # (results carry no timestamps; pages none either)
        assert body == plain.get_data()  # type: ignore[attr-defined]
    assert len(packed.get_data()) < len(body)  # type: ignore[attr-defined]


def test_the_client_preference_and_refusals_are_honoured(client: FlaskClient) -> None:
    assert _get(client, "/", {**HTML, "Accept-Encoding": "gzip;q=0.5, br;q=0.9"}).headers[
        "Content-Encoding"] == "br"  # type: ignore[attr-defined]
    assert _get(client, "/", {**HTML, "Accept-Encoding": "gzip, br"}).headers[
        "Content-Encoding"] == "br"  # type: ignore[attr-defined]
    assert _get(client, "/", {**HTML, "Accept-Encoding": "br;q=0, gzip"}).headers[
        "Content-Encoding"] == "gzip"  # type: ignore[attr-defined]
    assert "Content-Encoding" not in _get(client, "/", {**HTML, "Accept-Encoding": "identity"}).headers  # type: ignore[attr-defined]
    assert "Content-Encoding" not in _get(client, "/", {**HTML, "Accept-Encoding": "compress"}).headers  # type: ignore[attr-defined]


def test_a_streamed_answer_stays_streamed_and_is_compressed_as_it_streams(settings: Settings,
                                                                        loaded_store: Store) -> None:
    """kg's own answers are bounded and sent whole; the compression layer must still keep any streamed
    answer streaming (a view that yields its body): chunk by chunk, no Content-Length, nothing buffered."""
    from flask import Response, stream_with_context

    app = create_app(settings, loaded_store)
    produced: list[int] = []

    def rows() -> Iterator[bytes]:
        for n in range(2000):
            produced.append(n)
            yield f"{n},row {n}\n".encode()

    app.add_url_rule("/streamed", "streamed",
                     lambda: Response(stream_with_context(rows()), mimetype="text/csv"))
    streamed = app.test_client().get("/streamed", headers={"Accept-Encoding": "gzip"}, buffered=False)
    assert streamed.headers["Content-Encoding"] == "gzip" and "Content-Length" not in streamed.headers
    assert streamed.is_streamed and len(produced) < 2000  # the body is made as it is read
    body = b"".join(streamed.response)
    assert gzip.decompress(body).count(b"\n") == 2000
    streamed.close()


def test_encoded_answers_have_their_own_etag_and_answer_304(client: FlaskClient) -> None:
    for path, headers in [("/catalog?page=1", {}), ("/id/dataset/cpr.ttl", {}), ("/.well-known/void", {})]:
        plain = _get(client, path, headers)
        packed = _get(client, path, {**headers, "Accept-Encoding": "gzip"})
        tag, packed_tag = plain.headers.get("ETag"), packed.headers["ETag"]  # type: ignore[attr-defined]
        assert tag and packed_tag == tag[:-1] + ':gzip"', path
        again = _get(client, path, {**headers, "Accept-Encoding": "gzip", "If-None-Match": packed_tag})
        assert again.status_code == 304, path  # type: ignore[attr-defined]


def test_catalogue_pages_at_kgs_own_address_are_stored_compressed(client: FlaskClient, settings: Settings,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """At kg's own address the stored encoded page is sent as it is: no compressing on the way out."""
    base = settings.base_iri
    calls: list[str] = []
    import flask_compress.flask_compress as fc

    real = fc._compress_data
    monkeypatch.setattr(fc, "_compress_data",
                        lambda app, data, algo: calls.append(algo) or real(app, data, algo))
    for ext in ("ttl", "jsonld", "rdf", "nt"):
        for path in (f"/catalog.{ext}?page=1", "/catalog?page=1"):
            headers = {} if path.startswith("/catalog.") else {"Accept": {
                "ttl": "text/turtle", "jsonld": "application/ld+json", "rdf": "application/rdf+xml",
                "nt": "application/n-triples"}[ext]}
            plain = client.get(path, headers=headers, base_url=base)
            for encoding in catalog.STORED_ENCODINGS:
                packed = client.get(path, headers={**headers, "Accept-Encoding": encoding}, base_url=base)
                assert packed.headers["Content-Encoding"] == encoding
                assert DECODE[encoding](packed.get_data()) == plain.get_data()
                assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + f':{encoding}"'
                # a range of the stored encoded bytes
                part = client.get(path, base_url=base,
                                  headers={**headers, "Accept-Encoding": encoding, "Range": "bytes=0-99"})
                assert part.status_code == 206 and part.get_data() == packed.get_data()[:100]
                assert part.headers["Content-Encoding"] == encoding
                assert part.headers["Content-Range"] == f"bytes 0-99/{len(packed.get_data())}"
    void = client.get("/.well-known/void", headers={"Accept-Encoding": "gzip"}, base_url=base)
    assert void.headers["Content-Encoding"] == "gzip"
    assert calls == [], f"compressed on the way out: {calls}"
    assert catalog.STORED_ENCODINGS == ("gzip",)   # what harvesters ask for; brotli comes on the fly:
    packed = client.get("/catalog.ttl?page=1", headers={"Accept-Encoding": "br"}, base_url=base)
    assert packed.headers["Content-Encoding"] == "br" and calls == ["br"]


def test_a_range_elsewhere_is_a_range_of_the_identity_form(client: FlaskClient) -> None:
    whole = _get(client, "/catalog.nt?page=1", {})
    part = _get(client, "/catalog.nt?page=1", {"Accept-Encoding": "gzip", "Range": "bytes=10-29"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers  # type: ignore[attr-defined]
    assert part.get_data() == whole.get_data()[10:30]  # type: ignore[attr-defined]
    assert "accept-encoding" in part.headers["Vary"].lower()  # type: ignore[attr-defined]


def test_head_gives_the_encoded_length(client: FlaskClient) -> None:
    packed = _get(client, "/", {**HTML, "Accept-Encoding": "gzip"})
    head = client.head("/", headers={**HTML, "Accept-Encoding": "gzip"})
    assert head.headers["Content-Encoding"] == "gzip" and head.get_data() == b""
    assert int(head.headers["Content-Length"]) == len(packed.get_data())  # type: ignore[attr-defined]


def test_nothing_is_compressed_twice(client: FlaskClient) -> None:
    """The dump is a gzip file (not a coding); assets are precompressed files; both go out once."""
    dump = client.get("/dump.nq.gz", headers={"Accept-Encoding": "gzip, br"})
    if dump.status_code == 200:
        assert "Content-Encoding" not in dump.headers
        assert gzip.decompress(dump.get_data())
    page = client.get("/sparql", headers={**HTML, "Accept-Encoding": "identity"}).get_data(as_text=True)
    for url in re.findall(r'(?:href|src|data-script|data-style)="(/assets/[^"]+)"', page):
        plain = client.get(url)
        packed = client.get(url, headers={"Accept-Encoding": "br, gzip"})
        if url.endswith((".css", ".js", ".svg")):
            assert packed.headers["Content-Encoding"] == "br", url
            assert brotli.decompress(packed.get_data()) == plain.get_data(), url
        plain.close()
        packed.close()
