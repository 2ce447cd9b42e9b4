"""The RDF documents kg serves, in one table: each format's file extension, media type and syntax.

Resource pages, graph pages, vocabulary terms and the catalogue are all served in these four
formats, at ``<address>.<extension>`` or by ``Accept``; the names clients use for them besides the
registered media types are in :data:`MEDIA_TYPES`.  (What the store itself reads and writes, and
Oxigraph's name for each syntax, is :data:`kg.store.terms.OX_FORMATS`.)
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.store.base import RdfSyntax


@dataclass(frozen=True)
class DocumentFormat:
    """One serialisation of a served document."""

    extension: str
    media_type: str
    syntax: RdfSyntax

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


#: Formats by file extension; Turtle first, because it is the answer when there is no Accept header.
FORMATS: dict[str, DocumentFormat] = {
    "ttl": DocumentFormat("ttl", "text/turtle", "turtle"),
    "rdf": DocumentFormat("rdf", "application/rdf+xml", "rdfxml"),
    "jsonld": DocumentFormat("jsonld", "application/ld+json", "jsonld"),
    "nt": DocumentFormat("nt", "application/n-triples", "ntriples"),
}
#: Media types a client may ask for, and the format each one gets (older names included).
MEDIA_TYPES: dict[str, DocumentFormat] = {f.media_type: f for f in FORMATS.values()} | {
    "application/x-turtle": FORMATS["ttl"], "application/xml": FORMATS["rdf"],
}
#: Generic media types the catalogue also takes for RDF, as harvesters send them.  Pages do not: there
#: ``text/plain`` asks for kg's plain-text answers (an error in one line), not for N-Triples.
HARVESTER_MEDIA_TYPES: dict[str, DocumentFormat] = MEDIA_TYPES | {
    "application/json": FORMATS["jsonld"], "text/plain": FORMATS["nt"],
}
