"""Between Oxigraph and the rest of kg: terms to rdflib terms and back, each RDF syntax's format,
what a failed read means, and writing quads out.

Kept apart so that the conversion rules (language tags, datatypes, blank
nodes), the syntax table and the translation of Oxigraph's read errors are
written once for the embedded back end, the remote one, uploads and the tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.namespaces import RDF, XSD
from kg.store.base import EvaluationError, ParseError, QuerySyntaxError, RdfSyntax, StoreError

_XSD_STRING = str(XSD.string)
_RDF_LANGSTRING = str(RDF.langString)

#: Oxigraph's format for each RDF syntax kg reads and writes.
OX_FORMATS: dict[RdfSyntax, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG, "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD,
}


def to_rdflib(term: object) -> Node:
    """An rdflib term for an Oxigraph term (the default graph becomes ``None``-less URIRef-free)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _RDF_LANGSTRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.DefaultGraph):
        return URIRef("urn:x-kg:default-graph")
    raise TypeError(f"unsupported term {term!r}")


def value_of(term: object) -> str | None:
    """An Oxigraph term's lexical value (an IRI, a literal's text); None for an unbound variable."""
    return None if term is None else term.value  # type: ignore[attr-defined, no-any-return]


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An Oxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def parse_error(source: str, exc: Exception) -> ParseError:
    """A :class:`ParseError` from an Oxigraph parser's exception, with its line and column."""
    message = str(exc)
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "offset", None)
    # Oxigraph writes "Parser error at line L column C: message (…line L…)"; keep only the message.
    if message.startswith("Parser error at line") and ": " in message:
        message = message.split(": ", 1)[1]
    message = re.sub(r"\s*\([^()]*line \d+[^()]*\)$", "", message)
    return ParseError(source, message, line, column)


@contextmanager
def reading(source: str) -> Iterator[None]:
    """Oxigraph's read errors, raised while the block parses ``source``, as kg's :class:`ParseError`.

    The one rule for every reader (loads, dumps, uploads): a syntax error keeps its line and column;
    a term over Oxigraph's 16 MiB token cap is named as such (it raises MemoryError, which must not
    read as the process running out of memory); an unreadable file or a bad base IRI keeps its
    message.  Parsing is lazy, so the quads must be consumed inside the block.
    """
    try:
        yield
    except SyntaxError as exc:
        raise parse_error(source, exc) from None
    except MemoryError as exc:
        raise ParseError(source, f"a single term is too large to read ({exc})") from None
    except (OSError, ValueError) as exc:
        raise ParseError(source, str(exc)) from None


@contextmanager
def evaluating(what: str) -> Iterator[None]:
    """Oxigraph's errors, raised while the block runs a query or update, as kg's.

    Invalid SPARQL is the client's :class:`QuerySyntaxError`; valid SPARQL the engine refuses (an
    unknown function, a graph that exists or does not, a type error) its :class:`EvaluationError`;
    a failure of the storage itself is the store's ``StoreError``, prefixed with ``what`` failed.
    """
    try:
        yield
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from None
    except RuntimeError as exc:
        raise EvaluationError(str(exc)) from None
    except OSError as exc:
        raise StoreError(f"{what} failed: {exc}") from None


def serialize_counted(quads: Iterable[ox.Quad], output: IO[bytes], syntax: RdfSyntax) -> int:
    """Write ``quads`` to ``output`` in ``syntax`` as one stream; how many there were (for dumps)."""
    count = 0

    def counted() -> Iterator[ox.Quad]:
        nonlocal count
        for quad in quads:
            count += 1
            yield quad

    ox.serialize(counted(), output, format=OX_FORMATS[syntax])
    return count
