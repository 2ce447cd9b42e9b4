"""OWL RL reasoning into the inferred graph, at load time.

owlrl is pure Python and slow on big graphs (10k datasets: 376 s), so it is not
run over the data.  Instead, as the architecture's data flow allows:

1. the T-box (schema triples of the ontologies and data, plus the standard
   vocabularies' axioms in ``kg/queries/reason/standard-axioms.ttl``) is closed
   with owlrl - it is small;
2. the OWL 2 RL instance rules (``kg/queries/reason/*.ru``: cax-sco, prp-spo1,
   prp-spo2, prp-dom, prp-rng, prp-inv, prp-symp, prp-trp, prp-fp/ifp, prp-key,
   eq-*) run as SPARQL updates against that closure, to a fixpoint, in a private
   in-memory Oxigraph store holding the asserted triples;
3. what they add, minus axiomatic noise (:func:`useful`), replaces the inferred
   graph in one atomic step.  Asserted graphs are never touched.

``tests/test_reason.py`` checks that the result equals owlrl's full closure of the
same input after the same noise filter.  Class restrictions (someValuesFrom,
hasValue, intersectionOf …) are not implemented as rules; kg's ontologies use
none, and :func:`infer` reports them if they appear.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import owlrl
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from kg.config import Settings
from kg.iris import Minter
from kg.queries import iri, render
from kg.store.base import Store

STANDARD_AXIOMS = Path(__file__).parent / "queries" / "reason" / "standard-axioms.ttl"
_TBOX = "urn:x-kg:reason:tbox"
_ASSERTED = "urn:x-kg:reason:asserted"
#: Instance rules, run in this order each round until nothing new appears.
RULES = ("prp-spo1", "prp-inv", "prp-symp", "prp-trp", "prp-dom", "prp-rng", "cax-sco", "prp-fp",
         "prp-key", "eq")
_META_NAMESPACES = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
_KEEP_META_PREDICATES = {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
                         OWL.equivalentProperty, OWL.inverseOf}


@dataclass(frozen=True)
class InferOutcome:
    """What ``kg infer`` did."""

    graph: str
    triples: int
    input_triples: int
    seconds: float
    unsupported: tuple[str, ...] = ()


def useful(triple: tuple[Node, Node, Node]) -> bool:
    """Whether an entailed triple is worth keeping (the same filter for kg's rules and for owlrl).

    Dropped as noise: anything about a literal or about the RDF/RDFS/OWL/XSD vocabularies themselves;
    types from those vocabularies (owl:Thing, rdfs:Resource, owl:Class …); reflexive sameAs,
    subClassOf and subPropertyOf; sub-class or sub-property links to those vocabularies' terms; and
    every other RDF/RDFS/OWL predicate.
    """
    s, p, o = triple
    if isinstance(s, Literal) or str(s).startswith(_META_NAMESPACES):
        return False
    if p == RDF.type:
        return not (isinstance(o, Literal) or str(o).startswith(_META_NAMESPACES))
    if str(p).startswith(_META_NAMESPACES):
        return p in _KEEP_META_PREDICATES and s != o and not isinstance(o, Literal) \
            and not str(o).startswith(_META_NAMESPACES)
    return True


def _asserted_graphs(store: Store, settings: Settings) -> list[str]:
    minter = Minter(settings.base_iri)
    derived = {minter.meta_graph(), minter.inferred_graph(), minter.validation_graph()}
    staging = minter.base + "/graph/staging/"
    return [g.name for g in store.graphs() if g.name not in derived and not g.name.startswith(staging)]


def standard_axioms() -> Graph:
    return Graph().parse(STANDARD_AXIOMS, format="turtle")


def _to_ox(graph: Iterable[tuple[Node, Node, Node]]) -> bytes:
    g = Graph()
    for t in graph:
        g.add(t)
    return g.serialize(format="nt", encoding="utf-8")


def _from_ox(triples: Iterable[ox.Triple]) -> Graph:
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return Graph().parse(data=data, format="nt")


def closure(asserted_nt: bytes) -> tuple[Graph, tuple[str, ...]]:
    """The useful OWL RL entailments of some N-Triples (plus the standard axioms), and what was skipped."""
    scratch = ox.Store()
    axioms = _to_ox(standard_axioms())
    for data in (asserted_nt, axioms):  # once as the record of what was asserted, once as working data
        scratch.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(_ASSERTED))
        scratch.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    # 1. the T-box, closed by owlrl
    tbox = _from_ox(scratch.query(render("reason/tbox")))  # type: ignore[arg-type]
    closed = Graph()
    for t in tbox:
        closed.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(closed)
    tbox_nt = closed.serialize(format="nt", encoding="utf-8")
    scratch.bulk_load(tbox_nt, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(_TBOX))
    scratch.bulk_load(tbox_nt, format=ox.RdfFormat.N_TRIPLES)
    unsupported = _unsupported(closed)
    chains = _chains(closed)
    # 2. instance rules to a fixpoint
    updates = [render(f"reason/{rule}", tbox=iri(_TBOX)) for rule in RULES]
    updates += [render("reason/prp-spo2", property=iri(prop), chain="/".join(iri(p) for p in steps))
                for prop, steps in chains]
    size = -1
    while size != len(scratch):
        size = len(scratch)
        for update in updates:
            scratch.update(update)
    # 3. what is new and useful
    new = _from_ox(scratch.query(render("reason/new-triples", asserted=iri(_ASSERTED))))  # type: ignore[arg-type]
    result = Graph()
    for t in new:
        if useful(t):
            result.add(t)
    return result, unsupported


def _chains(tbox: Graph) -> list[tuple[URIRef, list[URIRef]]]:
    out = []
    for prop, lst in tbox.subject_objects(OWL.propertyChainAxiom):
        steps = list(Collection(tbox, lst))
        if isinstance(prop, URIRef) and steps and all(isinstance(s, URIRef) for s in steps):
            out.append((prop, steps))  # type: ignore[arg-type]
    return out


def _unsupported(tbox: Graph) -> tuple[str, ...]:
    """OWL RL features of the T-box that kg's rules do not implement (reported, never silently wrong)."""
    found = []
    for pred in (OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.intersectionOf, OWL.unionOf):
        if (None, pred, None) in tbox:
            found.append(f"class restrictions ({pred.n3()})")
    return tuple(sorted(set(found)))


def owlrl_reference(asserted: Graph) -> Graph:
    """owlrl's full closure of the same input, through the same filter: what :func:`closure` must equal."""
    full = Graph()
    for t in asserted:
        full.add(t)
    for t in standard_axioms():
        full.add(t)
    before = set(full)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(full)
    result = Graph()
    for t in full:
        if t not in before and useful(t):
            result.add(t)
    return result


def infer(store: Store, settings: Settings) -> InferOutcome:
    """Replace the inferred graph with the OWL RL closure of every asserted graph."""
    start = time.perf_counter()
    graphs = _asserted_graphs(store, settings)
    data = store.execute(render("reason/all-triples"), default_graphs=graphs, max_rows=None) \
        .serialize("application/n-triples")
    inferred, unsupported = closure(data)
    target = Minter(settings.base_iri).inferred_graph()
    count = store.replace_graph(target, inferred, source="kg infer")
    input_triples = data.count(b"\n")
    return InferOutcome(target, count, input_triples, time.perf_counter() - start, unsupported)
