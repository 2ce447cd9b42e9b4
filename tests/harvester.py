"""A test harvester that behaves like CKAN's DCAT harvester (ckanext-dcat), and is as unforgiving.

It sends HEAD, then GET without an Accept header, picks its parser from the
response's Content-Type, follows ``hydra:next`` (or ``hydra:nextPage``) on a
``hydra:PartialCollectionView`` or ``hydra:PagedCollection`` until there is none,
and imports all or nothing: any failing request, unparseable page, dataset without
title, identifier or HTTP IRI, or dataset seen twice aborts the whole harvest.
The transport is pluggable: a Flask test client or real HTTP.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, Namespace

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
#: Parsers by media type, as ckanext-dcat chooses them.
PARSERS = {
    "text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}
MAX_PAGES = 100_000


class HarvestError(Exception):
    """The harvest failed; a CKAN harvester would import nothing."""


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes


#: ``fetch(method, url) -> Reply``; never sends an Accept header.
Fetch = Callable[[str, str], Reply]


@dataclass
class Harvest:
    datasets: dict[str, str] = field(default_factory=dict)  # IRI -> identifier
    services: set[str] = field(default_factory=set)
    pages: int = 0
    total_items: int | None = None


def flask_fetch(client) -> Fetch:  # type: ignore[no-untyped-def]
    """A fetch over a Flask test client (following redirects, as CKAN's requests does)."""
    def fetch(method: str, url: str) -> Reply:
        response = client.open(url, method=method, follow_redirects=True)
        return Reply(response.status_code, response.headers.get("Content-Type", ""), response.get_data())
    return fetch


def http_fetch(timeout: float = 60.0) -> Fetch:
    """A fetch over real HTTP (urllib: no Accept header unless asked)."""
    def fetch(method: str, url: str) -> Reply:
        request = urllib.request.Request(url, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Reply(response.status, response.headers.get("Content-Type", ""), response.read())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.headers.get("Content-Type", ""), exc.read())
    return fetch


def _next_page(graph: Graph) -> str | None:
    for node in graph.subjects(RDF.type, HYDRA.PagedCollection):
        for link in graph.objects(node, HYDRA.nextPage):
            return str(link)
    for node in graph.subjects(RDF.type, HYDRA.PartialCollectionView):
        for link in graph.objects(node, HYDRA.next):
            return str(link)
    return None


def harvest(fetch: Fetch, url: str) -> Harvest:
    """Harvest every page from ``url``; raises :class:`HarvestError` on the first problem."""
    result = Harvest()
    seen_pages: set[str] = set()
    while url:
        if url in seen_pages or result.pages >= MAX_PAGES:
            raise HarvestError(f"page loop at {url}")
        seen_pages.add(url)
        head = fetch("HEAD", url)
        if head.status != 200:
            raise HarvestError(f"HEAD {url}: {head.status}")
        reply = fetch("GET", url)
        if reply.status != 200:
            raise HarvestError(f"GET {url}: {reply.status}")
        media = reply.content_type.split(";", 1)[0].strip().lower()
        if media not in PARSERS:
            raise HarvestError(f"{url}: no parser for Content-Type {reply.content_type!r}")
        graph = Graph()
        try:
            graph.parse(data=reply.body, format=PARSERS[media])
        except Exception as exc:  # any parser failure aborts, as in CKAN
            raise HarvestError(f"{url}: does not parse as {media}: {exc}") from exc
        result.pages += 1
        for node in graph.subjects(RDF.type, HYDRA.PartialCollectionView):
            for total in graph.objects(node, HYDRA.totalItems):
                result.total_items = int(total)
        for dataset in set(graph.subjects(RDF.type, DCAT.Dataset)):
            iri = str(dataset)
            if not isinstance(dataset, URIRef) or not iri.startswith(("http://", "https://")):
                raise HarvestError(f"{url}: a dataset without an HTTP IRI: {dataset!r}")
            if graph.value(dataset, DCTERMS.title) is None:
                raise HarvestError(f"{url}: dataset {iri} has no dct:title")
            identifier = graph.value(dataset, DCTERMS.identifier)
            if identifier is None:
                raise HarvestError(f"{url}: dataset {iri} has no dct:identifier")
            if iri in result.datasets:
                raise HarvestError(f"{url}: dataset {iri} repeats (first seen on an earlier page)")
            result.datasets[iri] = str(identifier)
        for service in set(graph.subjects(RDF.type, DCAT.DataService)):
            if str(service) in result.services:
                raise HarvestError(f"{url}: data service {service} repeats")
            result.services.add(str(service))
        url = _next_page(graph)  # type: ignore[assignment]
    return result
