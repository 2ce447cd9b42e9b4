"""RDF documents for RDF clients that dereference an IRI: bytes from the store's own writer.

The web layer must not import the store's back-end library, and rdflib is many times
slower than Oxigraph at writing, so a document is one CONSTRUCT answered and
serialised by the store (:meth:`Store.execute` + ``QueryResult.serialize``).
"""

from __future__ import annotations

import json

from kg.formats import FORMATS, DocumentFormat
from kg.queries import iri, render
from kg.store.base import Store


def resource_document(store: Store, resource: str, fmt: DocumentFormat) -> bytes:
    """The resource's statements and its blank nodes, in ``fmt``."""
    return store.execute(render("browse/describe", s=iri(resource))).serialize(fmt.media_type)


def graph_document(store: Store, graph: str, fmt: DocumentFormat) -> bytes:
    """A named graph's triples, in ``fmt``."""
    return store.execute(render("browse/graph-content", g=iri(graph))).serialize(fmt.media_type)


def json_ld(store: Store, resource: str) -> object:
    """The resource as parsed JSON-LD, for embedding in a page (Jinja's ``tojson`` escapes it for HTML)."""
    return json.loads(resource_document(store, resource, FORMATS["jsonld"]) or b"[]")
