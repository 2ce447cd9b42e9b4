"""The SPARQL Service Description (``GET /sparql`` without a query, for RDF clients).

The static part is a Turtle template beside this module, resolved against the
endpoint's URL; the dynamic part is the dataset: the named graphs the store
holds now, each with its triple count, so a client can see what it may name in
``FROM NAMED`` or ``GRAPH``.  It is small and served rarely, so rdflib writes it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from kg.namespaces import RDF, SD, VOID, XSD, bind_all
from kg.store.base import GraphInfo

_TEMPLATE = Path(__file__).with_name("service-description.ttl")
_RDFLIB_FORMATS = {
    "text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}


@cache
def _template() -> str:
    return _TEMPLATE.read_text(encoding="utf-8")


def service_description(endpoint: str, graphs: list[GraphInfo], update_endpoint: str | None = None) -> Graph:
    """The description of the endpoint at ``endpoint`` serving ``graphs``.

    ``update_endpoint`` is described as a second service only when writes are enabled.
    """
    graph = Graph()
    graph.parse(data=_template(), format="turtle", publicID=endpoint)
    service = URIRef(endpoint + "#service")
    dataset, default = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(sum(g.triples for g in graphs), datatype=XSD.integer)))
    for info in graphs:
        named, inner = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(info.name)))
        graph.add((named, SD.graph, inner))
        graph.add((inner, RDF.type, SD.Graph))
        graph.add((inner, VOID.triples, Literal(info.triples, datatype=XSD.integer)))
    if update_endpoint:
        updates = URIRef(update_endpoint + "#service")
        graph.add((updates, RDF.type, SD.Service))
        graph.add((updates, SD.endpoint, URIRef(update_endpoint)))
        graph.add((updates, SD.supportedLanguage, SD.SPARQL11Update))
    return bind_all(graph)


def serialize_description(graph: Graph, media_type: str) -> bytes:
    """The description in one of the RDF media types of :data:`kg.sparql.conneg.OFFERS`."""
    fmt = _RDFLIB_FORMATS.get(media_type)
    if fmt is None:
        raise ValueError(f"cannot write the service description as {media_type}")
    return graph.serialize(format=fmt, encoding="utf-8")
