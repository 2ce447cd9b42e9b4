"""kg's own vocabularies as documents and term pages: what ``/def/kg`` and ``/def/kg/Case`` serve.

A vocabulary's IRI (``…/def/kg``) names its document: for RDF clients the whole file it was loaded
from (classes, properties, labels in Danish and English, definitions, alignments); browsers get its
resource page, a row per term anchored by the term's name, so that ``…/def/kg#Case`` lands on it.
Each term also has a page of its own at ``…/def/kg/Case`` (the fragment cannot reach a server):
its labels, definition and alignments to the standard vocabularies, with links.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from kg.namespaces import OWL, RDF, RDFS, SKOS
from kg.queries import iri, literal, render
from kg.store.base import Store

#: Statements of a term shown as alignments, with their label on the page.
ALIGNMENTS: dict[str, str] = {
    str(RDFS.subClassOf): "rdfs:subClassOf", str(RDFS.subPropertyOf): "rdfs:subPropertyOf",
    str(OWL.equivalentClass): "owl:equivalentClass", str(OWL.equivalentProperty): "owl:equivalentProperty",
    str(OWL.inverseOf): "owl:inverseOf", str(SKOS.exactMatch): "skos:exactMatch",
    str(SKOS.closeMatch): "skos:closeMatch", str(SKOS.broadMatch): "skos:broadMatch",
    str(SKOS.narrowMatch): "skos:narrowMatch", str(SKOS.relatedMatch): "skos:relatedMatch",
    str(RDFS.domain): "rdfs:domain", str(RDFS.range): "rdfs:range", str(SKOS.broader): "skos:broader",
    str(SKOS.inScheme): "skos:inScheme",
}
_KINDS = {str(OWL.Class): "class", str(RDFS.Class): "class", str(OWL.ObjectProperty): "property",
          str(OWL.DatatypeProperty): "property", str(RDF.Property): "property",
          str(OWL.AnnotationProperty): "property", str(SKOS.Concept): "concept",
          str(SKOS.ConceptScheme): "scheme", str(OWL.NamedIndividual): "individual"}
_ORDER = {"class": 0, "property": 1, "scheme": 2, "concept": 3, "individual": 4, "term": 5}


@dataclass
class Term:
    """One term of a vocabulary as its page shows it."""

    iri: str
    local: str
    kind: str = "term"
    types: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)         # language -> label
    definitions: dict[str, str] = field(default_factory=dict)    # language -> definition
    comments: dict[str, str] = field(default_factory=dict)
    alignments: list[tuple[str, str]] = field(default_factory=list)  # (property label, IRI)

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.labels.get("da") or self.local


def namespace_of(ontology: str) -> str:
    """kg's vocabularies name their terms with ``#`` after the ontology IRI (kg/namespaces.py)."""
    return ontology + "#"


def defining_graph(store: Store, ontology: str) -> str | None:
    """The named graph a vocabulary was loaded into, or None when ``ontology`` is no vocabulary kg holds."""
    rows = store.select(render("vocabulary/graph", ontology=iri(ontology)))
    return str(rows[0]["g"]) if rows else None


def terms(store: Store, ontology: str) -> list[Term]:
    """Every term the vocabulary defines, classes first, then properties, each group by local name."""
    namespace = namespace_of(ontology)
    found: dict[str, Term] = {}
    rows = store.select(render("vocabulary/terms", ontology=iri(ontology), namespace=literal(namespace)))
    by_term: dict[str, list[tuple[str, object]]] = defaultdict(list)
    for row in rows:
        by_term[str(row["term"])].append((str(row["p"]), row["o"]))
    for term_iri, statements in by_term.items():
        local = term_iri[len(namespace):] if term_iri.startswith(namespace) else term_iri.rsplit("/", 1)[-1]
        term = found[term_iri] = Term(term_iri, local)
        for predicate, value in statements:
            _add(term, predicate, value)
    return sorted(found.values(), key=lambda t: (_ORDER.get(t.kind, 9), t.local.lower()))


def term(store: Store, ontology: str, local: str) -> Term | None:
    """One term by its local name (``Case`` in ``…/def/kg#Case``), or None when the vocabulary lacks it."""
    wanted = namespace_of(ontology) + local
    return next((t for t in terms(store, ontology) if t.iri == wanted), None)


def _add(term: Term, predicate: str, value: object) -> None:
    if predicate == str(RDF.type) and isinstance(value, URIRef):
        term.types.append(str(value))
        kind = _KINDS.get(str(value))
        if kind is not None and _ORDER[kind] < _ORDER.get(term.kind, 9):
            term.kind = kind
    elif isinstance(value, Literal):
        lang = value.language or "en"
        if predicate in (str(RDFS.label), str(SKOS.prefLabel)):
            term.labels.setdefault(lang, str(value))
        elif predicate == str(SKOS.definition):
            term.definitions.setdefault(lang, str(value))
        elif predicate == str(RDFS.comment):
            term.comments.setdefault(lang, str(value))
    elif predicate in ALIGNMENTS and isinstance(value, URIRef):
        term.alignments.append((ALIGNMENTS[predicate], str(value)))
