"""RDF sent to the Graph Store endpoint: its syntax from ``Content-Type``, and N-Triples for merging.

Uploads are parsed by Oxigraph's parsers, which never fetch anything (no remote
JSON-LD contexts, no external XML entities).  Blank nodes get fresh labels, so
two uploads that both say ``_:b0`` do not become one node when merged.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pyoxigraph as ox

from kg.store.base import ParseError, RdfSyntax
from kg.store.terms import OX_FORMATS, reading

#: Upload media types and the syntax each one is.
SYNTAX_BY_MEDIA_TYPE: dict[str, RdfSyntax] = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "ntriples",
    "text/plain": "ntriples", "application/rdf+xml": "rdfxml", "application/ld+json": "jsonld",
    "application/n-quads": "nquads", "application/trig": "trig",
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

    with reading(source):
        triples = [ox.Triple(term(q.subject), q.predicate, term(q.object))  # type: ignore[arg-type]
                   for q in ox.parse(data, format=OX_FORMATS[syntax], base_iri=base_iri)]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


#: Deepest nesting an upload may have (JSON-LD objects and arrays; Turtle and TriG blank nodes,
#: collections and graphs).  Real documents stay under 20; a 300 kB JSON-LD document nested 20 000
#: deep took 5 GB before the parser gave up.
MAX_UPLOAD_NESTING = 100

_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_TURTLE_TOKENS = re.compile(
    rb'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    rb'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\'|<[^>\n]*>|\#[^\n\r]*|[\[\](){}]')


def nesting(data: bytes, syntax: RdfSyntax) -> int:
    """How deep an upload nests its brackets (outside strings, IRIs and comments)."""
    if syntax == "jsonld":
        tokens = _JSON_TOKENS
    elif syntax in ("turtle", "trig"):
        tokens = _TURTLE_TOKENS
    else:
        return 0
    depth = deepest = 0
    for match in tokens.finditer(data):
        mark = match.group()
        if mark in (b"[", b"{", b"("):
            depth += 1
            deepest = max(deepest, depth)
        elif mark in (b"]", b"}", b")"):
            depth -= 1
    return deepest


def check_upload(data: bytes, syntax: RdfSyntax, source: str = "the request body") -> None:
    """Refuse what would take the parser's time or memory: deep nesting, and RDF/XML the loader refuses.

    Oxigraph expands internal DTD entities without a bound (a 1 kB "billion laughs"
    upload would hold a worker for minutes and take gigabytes), so uploads get the
    same expat pre-check as files (:func:`kg.loading.check_rdfxml`).
    """
    if syntax in ("jsonld", "turtle", "trig") and data.count(b"[") + data.count(b"{") + data.count(b"(") \
            > MAX_UPLOAD_NESTING:
        depth = nesting(data, syntax)
        if depth > MAX_UPLOAD_NESTING:
            raise ParseError(source, f"nested {depth} deep; kg accepts at most {MAX_UPLOAD_NESTING} "
                             "(limit: nesting depth)")
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
