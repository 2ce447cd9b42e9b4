"""The generic resource page: any IRI, its statements, its incoming links, its sources.

One query per section, the resource's IRI bound first (``kg/queries/browse/``):
outgoing statements, nested blank nodes, incoming counts per property, one page of
incoming links per property, named graphs with PROV, and one label query for every
IRI the page names.  Incoming links are counted and paged, so a hub with a hundred
thousand links costs the same page as a leaf.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg import graphs
from kg.iris import Minter
from kg.namespaces import (
    ADMS,
    BESLUIT,
    CV,
    DCAT,
    DCTERMS,
    FOAF,
    KG,
    MDL,
    ORG,
    OWL,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
)
from kg.pages.labels import Labeller, literal_in
from kg.pages.model import GraphSource, IncomingGroup, PropertyValues, ResourcePage, Term, Value
from kg.queries import iri, literal, render
from kg.store.base import Store, record_fields

#: How many values of one property a page shows before it says "n more".
MAX_VALUES = 200
#: Incoming links shown per property and page.
INCOMING_PER_PAGE = 20

#: Properties shown first, in this order; the rest follow alphabetically by label.
PROPERTY_ORDER: tuple[str, ...] = tuple(str(p) for p in (
    SKOS.prefLabel, DCTERMS.title, RDFS.label, FOAF.name, SCHEMA.name, KG.number, DCTERMS.identifier,
    SKOS.notation, SKOS.altLabel, MDL.deprecatedLabel, RDF.type, SKOS.definition, DCTERMS.description,
    RDFS.comment, SKOS.example, BESLUIT.geplandeStart, BESLUIT.opLocatie, BESLUIT.isGehoudenDoor,
    KG.case, KG.responsibleOfficer, KG.outcome, KG.approves, KG.decidedAt, KG.productType, ADMS.status,
    KG.approvalStatus, KG.approvedBy, URIRef(str(DCAT) + "version"), OWL.versionInfo, SKOS.inScheme,
    SKOS.broader,
    SKOS.narrower, SKOS.related, DCTERMS.source, CV.hasLegalResource, DCTERMS.publisher,
    DCTERMS.issued, DCTERMS.modified, ORG.memberOf,
))
_RANK = {p: n for n, p in enumerate(PROPERTY_ORDER)}
#: Properties whose values are shown in the domain sections and so need no second row.
LABEL_PROPERTIES = frozenset(str(p) for p in (SKOS.prefLabel, RDFS.label, DCTERMS.title, FOAF.name))
_PLAIN = {str(XSD.string), "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}
def described(store: Store, resource: str) -> bool:
    """Whether kg holds statements about ``resource`` as a subject, or names a graph with it."""
    try:
        return store.ask(render("browse/described", s=iri(resource)))
    except ValueError:
        return False


def exists(store: Store, resource: str) -> bool:
    """Whether kg holds anything about ``resource`` (as subject, object or graph name)."""
    try:
        return store.ask(render("browse/exists", s=iri(resource)))
    except ValueError:
        return False


def _sort_key(labeller: Labeller, predicate: str) -> tuple[int, str]:
    return (_RANK.get(predicate, len(_RANK)), labeller.label(predicate).text.lower())


def _value(node: Node, labeller: Labeller, nested: dict[str, list[tuple[str, Node]]],
           depth: int = 0) -> Value:
    if isinstance(node, URIRef):
        term = labeller.term(str(node))
        return Value("iri", term.label.text, term=term)
    if isinstance(node, BNode):
        groups = _group(nested.get(str(node), []), labeller, nested, depth + 1) if depth < 2 else []
        return Value("bnode", "", nested=groups)
    assert isinstance(node, Literal)
    datatype = None
    if node.datatype is not None and str(node.datatype) not in _PLAIN:
        datatype = labeller.term(str(node.datatype))
    return Value("literal", str(node), lang=node.language, datatype=datatype)


def _group(pairs: list[tuple[str, Node]], labeller: Labeller, nested: dict[str, list[tuple[str, Node]]],
           depth: int = 0, where: dict[str, int] | None = None) -> list[PropertyValues]:
    by_predicate: dict[str, list[Node]] = defaultdict(list)
    for predicate, obj in pairs:
        by_predicate[predicate].append(obj)
    # Label every IRI of this level in one go before building values.
    labeller.terms(list(by_predicate) + [str(o) for objs in by_predicate.values() for o in objs
                                         if isinstance(o, URIRef)]
                   + [str(o.datatype) for objs in by_predicate.values() for o in objs
                      if isinstance(o, Literal) and o.datatype is not None])
    groups = []
    for predicate in sorted(by_predicate, key=lambda p: _sort_key(labeller, p)):
        objects = by_predicate[predicate]
        values = [_value(o, labeller, nested, depth) for o in objects[:MAX_VALUES]]
        values.sort(key=lambda v: _value_order(v, labeller.lang, where or {}))
        more = max(0, len(objects) - MAX_VALUES)
        groups.append(PropertyValues(labeller.term(predicate), values, more=more))
    return groups


def _value_order(value: Value, lang: str, where: dict[str, int]) -> tuple[int, int, str]:
    """Values in the reader's language first; resources in the source's order (``schema:position``)
    where it gives one, so a decision's remarks read as the board wrote them; then by text."""
    if value.kind == "literal":
        first = 0 if value.lang in (None, lang) else 1
        return (first, 0, value.text.lower())
    position = where.get(value.term.iri, 10**9) if value.term is not None else 10**9
    return (0, position, value.text.lower())


def hidden_graphs(store: Store) -> str:
    """The graphs whose links the incoming lists leave out: inference, kg's catalogue bookkeeping and the
    validation report (a page shows its own findings in its own section)."""
    names = ("inferred", "void", "validation")
    return ", ".join(iri(graphs.derived_graph(store.base_iri, name)) for name in names)


def incoming_groups(store: Store, resource: str, labeller: Labeller, focus: str | None = None,
                    page: int = 1) -> list[IncomingGroup]:
    """Incoming links grouped by property, counted; one page of subjects each (``page`` for ``focus``)."""
    rows = store.select(render("browse/incoming-counts", o=iri(resource), hidden=hidden_graphs(store)))
    counts = {str(r["p"]): int(str(r["n"])) for r in rows}
    labeller.terms(counts)
    groups = []
    for predicate in sorted(counts, key=lambda p: _sort_key(labeller, p)):
        current = page if predicate == focus else 1
        current = max(1, min(current, -(-counts[predicate] // INCOMING_PER_PAGE)))
        subjects = incoming_page(store, resource, predicate, labeller, current)
        groups.append(IncomingGroup(labeller.term(predicate), counts[predicate], subjects, current,
                                    INCOMING_PER_PAGE))
    return groups


def incoming_page(store: Store, resource: str, predicate: str, labeller: Labeller, page: int) -> list[Term]:
    """One page of the resources pointing at ``resource`` through ``predicate``, sorted by label."""
    rows = store.select(render("browse/incoming", p=iri(predicate), o=iri(resource),
                               limit=literal(INCOMING_PER_PAGE), hidden=hidden_graphs(store),
                               offset=literal((page - 1) * INCOMING_PER_PAGE)))
    subjects = [str(r["s"]) for r in rows if isinstance(r.get("s"), URIRef)]
    # Blank subjects (a qualified relation, say) have no page of their own; the count still tells of them.
    terms = labeller.terms(subjects)
    where = positions(store, subjects)
    return sorted((terms[s] for s in subjects), key=lambda t: (where.get(t.iri, 10**9), t.label.text.lower()))


def positions(store: Store, nodes: list[str]) -> dict[str, int]:
    """``schema:position`` of each node that has one: the source's order, which lists keep."""
    if not nodes:
        return {}
    out: dict[str, int] = {}
    for start in range(0, len(nodes), 300):
        text = render("browse/node-values", nodes=" ".join(iri(n) for n in nodes[start:start + 300]),
                      predicates=iri(str(SCHEMA.position)))
        for row in store.select(text):
            try:
                out[str(row["s"])] = int(str(row["o"]))
            except ValueError:
                continue
    return out


def graph_sources(store: Store, resource: str) -> list[GraphSource]:
    """The named graphs holding the resource's statements, with their PROV."""
    meta = Minter(store.base_iri).meta_graph()
    rows = store.select(render("browse/graphs", s=iri(resource), meta=iri(meta)))
    counts = {str(row["g"]): int(str(row["n"])) for row in rows}
    records = record_fields((str(row["g"]), _text(row.get("p")), _text(row.get("o"))) for row in rows)
    return sorted((GraphSource(g, n, **records.get(g, {})) for g, n in counts.items()),
                  key=lambda g: (-g.statements, g.iri))


def _text(term: Node | None) -> str | None:
    return None if term is None else str(term)


def build(store: Store, resource: str, lang: str, kind: str = "resource", incoming_focus: str | None = None,
          incoming_page_number: int = 1, labeller: Labeller | None = None) -> ResourcePage:
    """The generic page of ``resource`` in ``lang`` (sections are added by :mod:`kg.pages.domain`)."""
    labeller = labeller or Labeller(store, lang)
    s = iri(resource)
    pairs = [(str(r["p"]), r["o"]) for r in store.select(render("browse/outgoing", s=s))]
    nested: dict[str, list[tuple[str, Node]]] = defaultdict(list)
    for row in store.select(render("browse/blank-nodes", s=s)):
        nested[str(row["b"])].append((str(row["p"]), row["o"]))
    labeller.terms([resource])
    properties = _group(pairs, labeller, nested,
                        where=positions(store, list({str(o) for _, o in pairs if isinstance(o, URIRef)})))
    types = [v.term for g in properties if g.predicate.iri == str(RDF.type) for v in g.values if v.term]
    texts = (str(SKOS.definition), str(DCTERMS.description), str(RDFS.comment))
    descriptions = [o for p, o in pairs if p in texts and isinstance(o, Literal)]
    chosen = literal_in(descriptions, lang)
    return ResourcePage(
        iri=resource, label=labeller.label(resource), kind=kind, types=types, properties=properties,
        incoming=incoming_groups(store, resource, labeller, incoming_focus, incoming_page_number),
        graphs=graph_sources(store, resource),
        description=None if chosen is None else str(chosen)[:300],
    )
