"""Content negotiation for SPARQL answers: ``Accept`` with q-values and wildcards, and ``format=``.

Each answer kind (bindings, boolean, graph, service description) has an ordered
list of media types the server can write, best first; the client's ``Accept``
picks among them by kg's one negotiator (:mod:`kg.negotiation`, RFC 9110).  With no
``Accept`` the first offer is the answer, so a bare ``curl`` gets JSON results
or Turtle.
"""

from __future__ import annotations

from kg.negotiation import choose

RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
RDFXML = "application/rdf+xml"
JSONLD = "application/ld+json"
TRIG = "application/trig"
NQUADS = "application/n-quads"
HTML = "text/html"

#: What each answer kind can be written as, in the server's order of preference.
OFFERS: dict[str, list[str]] = {
    "bindings": [RESULTS_JSON, RESULTS_XML, CSV, TSV, "application/json", "application/xml", HTML],
    "boolean": [RESULTS_JSON, RESULTS_XML, CSV, TSV, "application/json", "application/xml", "text/plain",
                HTML],
    "graph": [TURTLE, NTRIPLES, RDFXML, JSONLD, TRIG, NQUADS, "text/plain", "application/xml",
              "application/json", HTML],
    "description": [TURTLE, RDFXML, JSONLD, NTRIPLES, "application/xml", HTML],
}

#: Generic types a client may ask for, and the specific type that is actually written.
ALIASES: dict[str, str] = {
    "application/json": RESULTS_JSON,
    "application/xml": RESULTS_XML,
    "text/plain": NTRIPLES,
}
_GRAPH_ALIASES = {"application/xml": RDFXML, "application/json": JSONLD, "text/plain": NTRIPLES}
_BOOLEAN_ALIASES = {"text/plain": CSV}

#: ``format=`` values, by name or media type (YASGUI and SPARQLWrapper send names like ``json``).
FORMAT_NAMES: dict[str, dict[str, str]] = {
    "bindings": {"json": RESULTS_JSON, "srj": RESULTS_JSON, "xml": RESULTS_XML, "srx": RESULTS_XML,
                 "csv": CSV, "tsv": TSV, "html": HTML},
    "graph": {"turtle": TURTLE, "ttl": TURTLE, "n3": TURTLE, "nt": NTRIPLES, "ntriples": NTRIPLES,
              "n-triples": NTRIPLES, "xml": RDFXML, "rdf": RDFXML, "rdfxml": RDFXML, "rdf+xml": RDFXML,
              "json-ld": JSONLD, "jsonld": JSONLD, "json": JSONLD, "trig": TRIG, "nq": NQUADS,
              "nquads": NQUADS, "html": HTML},
}
FORMAT_NAMES["boolean"] = FORMAT_NAMES["bindings"]
FORMAT_NAMES["description"] = FORMAT_NAMES["graph"]


class NotAcceptable(ValueError):
    """No offer is acceptable; the message lists what could have been asked for."""


def negotiate(accept: str | None, kind: str, format_override: str | list[str] | None = None) -> str:
    """The media type to answer with: returns the offer written to the client as it asked for it.

    ``format_override`` holds the ``format=`` values; some clients (SPARQLWrapper) send several,
    names and media types, even comma-separated lists: the first one available wins.
    Raises :class:`NotAcceptable` when nothing offered is acceptable or ``format=`` names no
    format this kind of answer can be written in.
    """
    offers = OFFERS[kind]
    values = [format_override] if isinstance(format_override, str) else list(format_override or [])
    wanted = [w.strip().lower() for value in values for w in value.split(",") if w.strip()]
    if wanted:
        for name in wanted:
            media = FORMAT_NAMES[kind].get(name, name)
            if media in offers:
                return media
        raise NotAcceptable(f"format {', '.join(values)!r} is not available for this answer; "
                            f"use one of: {', '.join(sorted(FORMAT_NAMES[kind]))}")
    offer = choose(accept, offers)
    if offer is None:
        raise NotAcceptable(f"none of the media types in Accept can be written for this answer; "
                            f"available: {', '.join(o for o in offers if o != HTML)}")
    return offer


def writer_type(kind: str, media_type: str) -> str:
    """The specific format written for a negotiated media type (``application/json`` means results JSON)."""
    if kind in ("graph", "description"):
        return _GRAPH_ALIASES.get(media_type, media_type)
    if kind == "boolean" and media_type in _BOOLEAN_ALIASES:
        return _BOOLEAN_ALIASES[media_type]
    return ALIASES.get(media_type, media_type)


def content_type(media_type: str) -> str:
    """The ``Content-Type`` header value: every answer is UTF-8 and says so."""
    return f"{media_type}; charset=utf-8"
