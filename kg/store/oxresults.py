"""Writing Oxigraph's answers in the media type a client asked for: solutions that may be cut short,
booleans, graphs.  One set of writers for the embedded back end and the remote one.

Oxigraph's own writer consumes a whole ``QuerySolutions`` and cannot stop at a
row limit or a deadline, and a ``QuerySolutions`` cannot be rebuilt from rows.
These writers take the rows one at a time, so the embedded back end can stop at
``max_rows`` (and say so) or at the query's deadline.  They follow the W3C
formats: SPARQL 1.1 Query Results JSON, XML, CSV and TSV, with blank nodes kept.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg.namespaces import PREFIXES, XSD

_XSD_STRING = str(XSD.string)


def _json_term(term: object) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    raise ValueError(f"cannot write {term!r}")


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>"
                f"{_xml_term(term.predicate)}</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise ValueError(f"cannot write {term!r}")


def _csv_term(term: object) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_json(variables: list[str], rows: Iterable[ox.QuerySolution]) -> bytes:
    bindings = []
    for row in rows:
        binding = {}
        for v in variables:
            term = row[v]
            if term is not None:
                binding[v] = _json_term(term)
        bindings.append(binding)
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_xml(variables: list[str], rows: Iterable[ox.QuerySolution]) -> bytes:
    out = io.StringIO()
    out.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
    out.writelines(f"<variable name={quoteattr(v)}/>" for v in variables)
    out.write("</head><results>")
    for row in rows:
        out.write("<result>")
        for v in variables:
            term = row[v]
            if term is not None:
                out.write(f"<binding name={quoteattr(v)}>{_xml_term(term)}</binding>")
        out.write("</result>")
    out.write("</results></sparql>\n")
    return out.getvalue().encode("utf-8")


def write_csv(variables: list[str], rows: Iterable[ox.QuerySolution]) -> bytes:
    lines = [",".join(_csv_field(v) for v in variables)]
    for row in rows:
        cells = []
        for v in variables:
            term = row[v]
            cells.append("" if term is None else _csv_field(_csv_term(term)))
        lines.append(",".join(cells))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def write_tsv(variables: list[str], rows: Iterable[ox.QuerySolution]) -> bytes:
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in rows:
        # str() of an Oxigraph term is its N-Triples form, which is what TSV asks for.
        lines.append("\t".join("" if row[v] is None else str(row[v]) for v in variables))
    return ("\n".join(lines) + "\n").encode("utf-8")


#: The column an ASK answer is written under in CSV and TSV, which define no boolean form: Jena writes
#: (and reads) this header, and rdflib reads it as a one-row table (TSV: with an xsd:boolean value).
ASK_COLUMN = "_askResult"


WRITERS = {
    "application/sparql-results+json": write_json,
    "application/sparql-results+xml": write_xml,
    "text/csv": write_csv,
    "text/tab-separated-values": write_tsv,
}

#: Graph syntaxes written with kg's prefixes, and those that carry a graph name (a CONSTRUCT's triples
#: are then the dataset's default graph).
_PREFIXED = {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML}
_QUADS = {ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS}


def media_of(media_type: str) -> str:
    """The bare media type of a Content-Type or negotiated type (parameters and case dropped)."""
    return media_type.split(";")[0].strip().lower()


def write_solutions(variables: list[str], rows: Iterable[ox.QuerySolution], media_type: str) -> bytes:
    """A SELECT answer in ``media_type``, row by row (so the rows may stop at a limit or deadline)."""
    writer = WRITERS.get(media_of(media_type))
    if writer is None:
        raise ValueError(f"cannot write results as {media_type}")
    return writer(variables, rows)


def write_boolean(answer: ox.QueryBoolean, media_type: str) -> bytes:
    """An ASK answer in ``media_type``; CSV and TSV as a header line and the value."""
    media = media_of(media_type)
    word = "true" if answer else "false"
    if media == "text/csv":
        return f"{ASK_COLUMN}\r\n{word}\r\n".encode()
    if media == "text/tab-separated-values":
        return f"?{ASK_COLUMN}\n{word}\n".encode()
    fmt = ox.QueryResultsFormat.from_media_type(media)
    if fmt is None:
        raise ValueError(f"cannot write results as {media_type}")
    return answer.serialize(format=fmt)  # type: ignore[no-any-return]


def write_graph(triples: Iterable[ox.Triple], media_type: str) -> bytes:
    """A CONSTRUCT or DESCRIBE answer in ``media_type``, with kg's prefixes where the syntax has them."""
    fmt = ox.RdfFormat.from_media_type(media_of(media_type))
    if fmt is None:
        raise ValueError(f"cannot write a graph as {media_type}")
    statements: Iterable[ox.Triple] | Iterable[ox.Quad] = triples
    if fmt in _QUADS:
        default = ox.DefaultGraph()
        statements = (ox.Quad(t.subject, t.predicate, t.object, default) for t in triples)
    return ox.serialize(statements, format=fmt, prefixes=PREFIXES if fmt in _PREFIXED else None) or b""
