"""The VoID description of the whole dataset, built by the pipeline."""

from __future__ import annotations

import hashlib

from kg.catalog.stored import (
    bookkeeping,
    bookkeeping_graphs,
    etag_of,
    latest_load,
    parse_ntriples,
    put_encoded,
    serialize,
    void_dataset,
    void_graph,
)
from kg.formats import FORMATS
from kg.namespaces import DCTERMS, RDF, VOID, XSD
from kg.publication import Publication
from kg.queries import iri, literal, render
from kg.store.base import Store

# -- VoID --------------------------------------------------------------------------------------

def publish_void(store: Store, publication: Publication) -> None:
    """The VoID description of the whole dataset: into its graph, and for ``/.well-known/void`` into the
    publication.

    ``void:triples`` and the class partitions count what kg publishes (the sources, the links between
    them, the inferences), not its bookkeeping (PROV, validation, quality, VoID itself): the same data
    gives the same description however it got into the store.  The endpoint and the dump are named by
    kg's base IRI, its public address.
    """
    base = store.base_iri
    ds = iri(void_dataset(base))
    own = set(bookkeeping_graphs(base))
    triples = sum(g.triples for g in store.graphs() if g.name not in own)
    lines = [
        f"{ds} {iri(str(RDF.type))} {iri(str(VOID.Dataset))} .",
        f"{ds} {iri(str(DCTERMS.title))} {literal('kg: den fælleskommunale rammearkitektur', lang='da')} .",
        f"{ds} {iri(str(VOID.sparqlEndpoint))} {iri(base + '/sparql')} .",
        f"{ds} {iri(str(VOID.dataDump))} {iri(base + '/dump.nq.gz')} .",
        f"{ds} {iri(str(VOID.uriSpace))} {literal(base + '/id/')} .",
        f"{ds} {iri(str(VOID.triples))} {literal(str(triples), str(XSD.integer))} .",
        f"{ds} {iri(str(VOID.feature))} {iri('http://www.w3.org/ns/formats/N-Quads')} .",
        f"{ds} {iri(str(DCTERMS.hasPart))} {iri(base + '/catalog')} .",
    ]
    rows = store.select(render("catalog/void-classes", unpublished=bookkeeping(base)))
    examples_added = 0
    for row in sorted(rows, key=lambda r: str(r["class"])):
        cls = str(row["class"])
        part = iri(void_dataset(base) + "-class-" + hashlib.sha1(cls.encode()).hexdigest()[:12])
        lines += [f"{ds} {iri(str(VOID.classPartition))} {part} .",
                  f"{part} {iri(str(VOID['class']))} {iri(cls)} .",
                  f"{part} {iri(str(VOID.entities))} {literal(str(row['n']), str(XSD.integer))} ."]
        example = str(row.get("example") or "")
        if example.startswith(base + "/id/") and examples_added < 20:
            lines.append(f"{ds} {iri(str(VOID.exampleResource))} {iri(example)} .")
            examples_added += 1
    data = ("\n".join(lines) + "\n").encode("utf-8")
    store.replace_if_changed(void_graph(base), data, "kg void")
    latest = latest_load(store)
    if latest:  # when the sources last changed: in the served document, not in the stored graph
        lines.append(f"{ds} {iri(str(DCTERMS.modified))} {literal(latest, str(XSD.dateTime))} .")
    served = parse_ntriples(("\n".join(lines) + "\n").encode("utf-8"))
    with publication.writing() as batch:
        for fmt in FORMATS.values():
            body = serialize(served, fmt)
            batch.put(f"void:{fmt.extension}", body, fmt.media_type, etag_of(body), latest)
            put_encoded(batch, f"void:{fmt.extension}", body, fmt, "", latest)
