"""RDF sent to the Graph Store endpoint: its syntax from ``Content-Type``, and N-Triples for merging.

Uploads are parsed by Oxigraph's parsers, which never fetch anything (no remote
JSON-LD contexts, no external XML entities).  Blank nodes get fresh labels, so
two uploads that both say ``_:b0`` do not become one node when merged.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph as ox

from kg.store.base import ParseError, RdfSyntax

#: Upload media types and the syntax each one is.
SYNTAX_BY_MEDIA_TYPE: dict[str, RdfSyntax] = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "ntriples",
    "text/plain": "ntriples", "application/rdf+xml": "rdfxml", "application/ld+json": "jsonld",
    "application/n-quads": "nquads", "application/trig": "trig",
}
_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG, "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD,
}


def syntax_of(media_type: str) -> RdfSyntax | None:
    """The syntax of an upload's media type (parameters ignored), or None when kg cannot read it."""
    return SYNTAX_BY_MEDIA_TYPE.get(media_type.split(";")[0].strip().lower())


def to_ntriples(data: bytes, syntax: RdfSyntax, base_iri: str, source: str = "the request body") -> bytes:
    """The upload's triples (of every graph it names) as N-Triples with fresh blank nodes."""
    fresh: dict[str, ox.BlankNode] = {}

    def term(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> object:
        if isinstance(node, ox.BlankNode):
            return fresh.setdefault(node.value, ox.BlankNode())
        return node

    try:
        triples = [ox.Triple(term(q.subject), q.predicate, term(q.object))  # type: ignore[arg-type]
                   for q in ox.parse(data, format=_FORMATS[syntax], base_iri=base_iri)]
    except SyntaxError as exc:
        raise ParseError(source, str(exc)) from None
    except ValueError as exc:
        raise ParseError(source, str(exc)) from None
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def check_upload(data: bytes, syntax: RdfSyntax, source: str = "the request body") -> None:
    """Refuse RDF/XML the loader would refuse: external entities, entity amplification, absurd depth.

    Oxigraph expands internal DTD entities without a bound (a 1 kB "billion laughs"
    upload would hold a worker for minutes and take gigabytes), so uploads get the
    same expat pre-check as files (:func:`kg.loading.check_rdfxml`).
    """
    if syntax != "rdfxml" or b"<!" not in data:
        return
    from kg.loading import check_rdfxml

    with tempfile.TemporaryDirectory(prefix="kg-upload-") as folder:
        path = Path(folder) / "upload.rdf"
        path.write_bytes(data)
        try:
            check_rdfxml(path)
        except ParseError as exc:  # named again after the request, not the temporary file
            where = str(path) + (f", line {exc.line}" if exc.line else "") + (
                f", column {exc.column}" if exc.column else "")
            raise ParseError(source, str(exc)[len(where) + 2:], exc.line, exc.column) from None
