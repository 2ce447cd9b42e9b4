"""OWL RL reasoning into the inferred graph, at load time, without copying the data out of the store.

owlrl is pure Python (minutes on a large catalogue), so it reasons only with the T-box; the instance
rules run as SPARQL inside the store:

1. **The T-box** (schema triples of the sources, plus the standard vocabularies' axioms in
   ``kg/queries/reason/standard-axioms.ttl``) is closed with owlrl.  It is small.
2. **Linear rules** (one instance triple and the T-box imply the conclusion: prp-spo1,
   prp-dom, prp-rng, cax-sco, prp-inv, prp-symp) become tables of T-box pairs, and one
   ``CONSTRUCT`` per rule joins its table with the store (``reason/linear-*.rq``), leaving out
   what is already asserted.  Oxigraph does this in Rust: the data never passes through Python.
3. **The rest** (prp-trp, prp-spo2, prp-fp, prp-ifp, prp-key, the eq-* rules of owl:sameAs)
   needs several triples; it runs to a fixpoint in a small scratch store holding the derived
   triples and only the asserted triples those rules can use (by predicate), the old
   ``reason/*.ru`` updates, with the linear rules applied again to what is new there.
4. What is new, not asserted, and useful (:func:`useful`) is the inferred graph, written only
   when it changed.

**Incremental**: after a write that touched some IRIs, only the inferences about them are
made again (the linear rules with those IRIs bound as subject, or as object for the rules
that conclude about the object) and the inferred graph is patched; when the T-box changed,
or the touched triples are ones the non-linear rules read, everything is made again.
``tests/test_reason.py`` checks the result against owlrl's full closure of the same input,
``tests/test_derive.py`` incremental against full.  Class restrictions (someValuesFrom,
hasValue, intersectionOf …) are not implemented; kg's ontologies use none, and :func:`infer`
reports them if they appear.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import owlrl
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from kg.config import Settings
from kg.graphs import reasoner_graphs
from kg.iris import Minter
from kg.namespaces import OWL, RDF, RDFS, XSD, sparql_prologue
from kg.queries import iri, render, render_operation
from kg.store.base import GraphDiff, Provenance, Store

STANDARD_AXIOMS = Path(__file__).parent / "queries" / "reason" / "standard-axioms.ttl"
_TBOX = "urn:x-kg:reason:tbox"
_BASE = "urn:x-kg:reason:base"
_META_NAMESPACES = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
_KEEP_META_PREDICATES = {OWL.sameAs, RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass,
                         OWL.equivalentProperty, OWL.inverseOf}
#: The non-linear rules, run as updates in the scratch store each round.
NONLINEAR = ("prp-trp", "prp-fp", "prp-key", "eq")
#: The linear rules, run as updates on what is new in the scratch store each round.
LINEAR = ("prp-spo1", "prp-inv", "prp-symp", "prp-dom", "prp-rng", "cax-sco")
#: IRIs bound in one VALUES block of an incremental query.
_CHUNK = 2000


@dataclass(frozen=True)
class InferOutcome:
    """What ``kg infer`` did."""

    graph: str
    triples: int
    input_triples: int
    seconds: float
    unsupported: tuple[str, ...] = ()
    incremental: bool = False
    #: The digest of the T-box used (an incremental run needs the same T-box as the last run).
    tbox: str = ""


def useful(triple: tuple[Node, Node, Node]) -> bool:
    """Whether an entailed triple is worth keeping (the same filter for kg's rules and for owlrl).

    Dropped as noise: anything about a literal or about the RDF/RDFS/OWL/XSD vocabularies themselves;
    types from those vocabularies (owl:Thing, rdfs:Resource, owl:Class …); reflexive sameAs,
    subClassOf and subPropertyOf; sub-class or sub-property links to those vocabularies' terms; and
    every other RDF/RDFS/OWL predicate.  Generalised triples (a literal subject, a blank predicate)
    are never RDF and are dropped too.
    """
    s, p, o = triple
    if isinstance(s, Literal) or not isinstance(p, URIRef) or str(s).startswith(_META_NAMESPACES):
        return False
    if p == RDF.type:
        return not (isinstance(o, Literal) or str(o).startswith(_META_NAMESPACES))
    if str(p).startswith(_META_NAMESPACES):
        return p in _KEEP_META_PREDICATES and s != o and not isinstance(o, Literal) \
            and not str(o).startswith(_META_NAMESPACES)
    return True


def _is_rdf(triple: tuple[Node, Node, Node]) -> bool:
    """Whether a triple is RDF: an IRI or blank node subject, an IRI predicate."""
    s, p, _ = triple
    return isinstance(s, URIRef | BNode) and isinstance(p, URIRef)


def _meta(term: Node) -> bool:
    return str(term).startswith(_META_NAMESPACES)


def standard_axioms() -> Graph:
    return Graph().parse(STANDARD_AXIOMS, format="turtle")


# -- the T-box -------------------------------------------------------------------------------------

@dataclass
class TBox:
    """The closed T-box and the rule tables drawn from it."""

    closed: Graph
    #: The schema and the standard axioms, before closing: not inferred, only what closing adds is.
    given: set[tuple[Node, Node, Node]] = field(default_factory=set)
    spo: set[tuple[str, str]] = field(default_factory=set)     # sub-property, super-property
    sco: set[tuple[str, str]] = field(default_factory=set)     # sub-class, super-class
    dom: set[tuple[str, str]] = field(default_factory=set)     # property, class
    rng: set[tuple[str, str]] = field(default_factory=set)     # property, class
    inv: set[tuple[str, str]] = field(default_factory=set)     # property, its inverse (both ways)
    sym: set[str] = field(default_factory=set)
    #: Predicates the non-linear rules read (transitive, functional, key and chain properties, the
    #: properties below them, owl:sameAs and rdf:type for key classes).
    nonlinear: set[str] = field(default_factory=set)
    key_classes: set[str] = field(default_factory=set)
    chains: list[tuple[str, list[str]]] = field(default_factory=list)
    unsupported: tuple[str, ...] = ()
    digest: str = ""

    @property
    def entailments(self) -> list[tuple[Node, Node, Node]]:
        """What the T-box closure itself adds that is worth keeping (sub-class links and the like)."""
        return [t for t in self.closed if t not in self.given and useful(t)]


def _owlrl_closure(triples: Graph) -> tuple[Graph, set[tuple[Node, Node, Node]]]:
    """owlrl's OWL RL closure of ``triples`` with the standard axioms, and what went into it."""
    closed = Graph()
    for t in triples:
        closed.add(t)
    for t in standard_axioms():
        closed.add(t)
    before = set(closed)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False,
                           datatype_axioms=False).expand(closed)
    return closed, before


def tbox_of(schema: Graph) -> TBox:
    """Close the schema (with the standard axioms) and draw the rule tables from it."""
    closed, before = _owlrl_closure(schema)
    # owlrl also concludes generalised triples (a literal of an RDF list as subject: `"1" owl:sameAs "1"`);
    # they are not RDF, no store takes them, and no rule below can use them: drop them here.
    for triple in [t for t in closed if not _is_rdf(t)]:
        closed.remove(triple)
    tbox = TBox(closed, before)
    canonical = to_canonical_graph(schema)  # blank nodes (OWL lists) labelled from the graph's shape
    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in canonical)
    tbox.digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()

    def iris(subject: Node, obj: Node) -> bool:
        return isinstance(subject, URIRef) and isinstance(obj, URIRef) and subject != obj

    for p, q in closed.subject_objects(RDFS.subPropertyOf):
        if iris(p, q) and (not _meta(q) or q in _KEEP_META_PREDICATES):
            tbox.spo.add((str(p), str(q)))
    for c, d in closed.subject_objects(RDFS.subClassOf):
        if iris(c, d) and not _meta(d):
            tbox.sco.add((str(c), str(d)))
    for p, c in closed.subject_objects(RDFS.domain):
        if isinstance(p, URIRef) and isinstance(c, URIRef) and not _meta(c):
            tbox.dom.add((str(p), str(c)))
    for p, c in closed.subject_objects(RDFS.range):
        if isinstance(p, URIRef) and isinstance(c, URIRef) and not _meta(c):
            tbox.rng.add((str(p), str(c)))
    for p, q in closed.subject_objects(OWL.inverseOf):
        if isinstance(p, URIRef) and isinstance(q, URIRef):
            tbox.inv.update({(str(p), str(q)), (str(q), str(p))})
    tbox.sym = {str(p) for p in closed.subjects(RDF.type, OWL.SymmetricProperty) if isinstance(p, URIRef)}
    heads = set()
    for kind in (OWL.TransitiveProperty, OWL.FunctionalProperty, OWL.InverseFunctionalProperty):
        heads |= {str(p) for p in closed.subjects(RDF.type, kind) if isinstance(p, URIRef)}
    for cls, lst in closed.subject_objects(OWL.hasKey):
        tbox.key_classes.add(str(cls))
        heads |= {str(p) for p in Collection(closed, lst) if isinstance(p, URIRef)}
    for prop, lst in closed.subject_objects(OWL.propertyChainAxiom):
        steps = list(Collection(closed, lst))
        if isinstance(prop, URIRef) and steps and all(isinstance(s, URIRef) for s in steps):
            tbox.chains.append((str(prop), [str(s) for s in steps]))
            heads |= {str(s) for s in steps}
    below = {p for p, q in tbox.spo if q in heads}
    tbox.nonlinear = heads | below | {str(OWL.sameAs)}
    found = []
    for pred in (OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.intersectionOf, OWL.unionOf):
        if (None, pred, None) in closed:
            found.append(f"class restrictions ({pred.n3()})")
    tbox.unsupported = tuple(sorted(set(found)))
    return tbox


def _pairs(pairs: Iterable[tuple[str, str]]) -> str:
    return " ".join(f"({iri(a)} {iri(b)})" for a, b in sorted(pairs)) or "(<urn:x-kg:none> <urn:x-kg:none>)"


def _ones(items: Iterable[str]) -> str:
    return " ".join(iri(i) for i in sorted(items)) or "<urn:x-kg:none>"


def _schema(store: Store, graphs: list[str]) -> Graph:
    data = store.execute(render("reason/tbox"), default_graphs=graphs, max_rows=None) \
        .serialize("application/n-triples")
    return Graph().parse(data=data, format="nt")


# -- the engine --------------------------------------------------------------------------------------

def _linear_queries(tbox: TBox, focus: str) -> list[str]:
    """One CONSTRUCT per linear rule; ``focus`` is a list of IRIs bound as subject (the rules that
    conclude about an object bind it as object), or empty for every resource."""
    subject = f"VALUES ?s {{ {focus} }}" if focus else ""
    obj = f"VALUES ?o {{ {focus} }}" if focus else ""

    def rule(name: str, **tables: str) -> str:
        return render(f"reason/linear-{name}", focus_subject=subject, focus_object=obj, **tables)

    return [rule("spo", pairs=_pairs(tbox.spo)), rule("dom", pairs=_pairs(tbox.dom)),
            rule("sco", pairs=_pairs(tbox.sco)), rule("rng", pairs=_pairs(tbox.rng)),
            rule("inv", pairs=_pairs(tbox.inv)), rule("sym", properties=_ones(tbox.sym))]


def _scratch_fixpoint(scratch: ox.Store, tbox: TBox, store: Store, graphs: list[str]) -> None:
    """Run every rule in the scratch store until nothing new appears (the default graph holds the
    derived triples and the asserted ones the non-linear rules read; the T-box is its own graph).

    New owl:sameAs pairs bring the asserted triples of both individuals in, since eq-rep-s/o copy them.
    """
    tbox_nt = tbox.closed.serialize(format="nt", encoding="utf-8")
    scratch.bulk_load(tbox_nt, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(_TBOX))
    updates = [render(f"reason/{rule}", tbox=iri(_TBOX)) for rule in (*LINEAR, *NONLINEAR)]
    updates += [render("reason/prp-spo2", property=iri(prop), chain="/".join(iri(p) for p in steps))
                for prop, steps in tbox.chains]
    fetched: set[str] = set()
    size = -1
    while size != len(scratch):
        size = len(scratch)
        for update in updates:
            scratch.update(update)
        same = {q.subject.value for q in scratch.quads_for_pattern(None, ox.NamedNode(str(OWL.sameAs)), None,
                                                                      ox.DefaultGraph())
                if isinstance(q.subject, ox.NamedNode)} - fetched
        if same:
            fetched |= same
            for start in range(0, len(same), _CHUNK):
                chunk = sorted(same)[start:start + _CHUNK]
                data = store.execute(render("reason/about", nodes=_ones(chunk)), default_graphs=graphs,
                                     max_rows=None).serialize("application/n-triples")
                scratch.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
                scratch.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(_BASE))
            size = -1


def _derive(store: Store, graphs: list[str], tbox: TBox, focus: list[str] | None) -> list[ox.Triple]:
    """The useful, not asserted entailments (about ``focus`` only, when given)."""
    scratch = ox.Store()
    derived = ox.NamedNode("urn:x-kg:reason:derived")
    blocks = [""] if focus is None else [
        _ones(focus[i:i + _CHUNK]) for i in range(0, len(focus), _CHUNK)] if focus else []
    for block in blocks:
        for query in _linear_queries(tbox, block):
            data = store.execute(query, default_graphs=graphs, max_rows=None) \
                .serialize("application/n-triples")
            scratch.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
            scratch.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=derived)
    base = store.execute(render("reason/nonlinear-base", predicates=_ones(tbox.nonlinear),
                                classes=_ones(tbox.key_classes)),
                         default_graphs=graphs, max_rows=None).serialize("application/n-triples")
    scratch.bulk_load(base, format=ox.RdfFormat.N_TRIPLES)
    scratch.bulk_load(base, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(_BASE))
    for t in tbox.entailments:  # what the T-box closure adds is inferred too
        scratch.add(ox.Quad(*_ox_triple(t), ox.DefaultGraph()))
    _scratch_fixpoint(scratch, tbox, store, graphs)
    # new: in the default graph, not asserted (the base graph holds what came from the store)
    candidates = [q for q in scratch.quads_for_pattern(None, None, None, ox.DefaultGraph())
                  if not scratch.contains_named_graph(ox.NamedNode(_BASE))
                  or next(iter(scratch.quads_for_pattern(q.subject, q.predicate, q.object,
                                                         ox.NamedNode(_BASE))), None) is None]
    wanted = set(focus) if focus is not None else None
    out: list[ox.Triple] = []
    for q in candidates:
        if wanted is not None and not (isinstance(q.subject, ox.NamedNode) and q.subject.value in wanted):
            continue
        if not _useful_ox(q):
            continue
        out.append(ox.Triple(q.subject, q.predicate, q.object))
    return _not_asserted(store, graphs, out)


def _ox_triple(t: tuple[Node, Node, Node]) -> tuple[object, object, object]:
    from kg.store.terms import to_oxigraph

    return to_oxigraph(t[0]), to_oxigraph(t[1]), to_oxigraph(t[2])


def _useful_ox(q: ox.Quad) -> bool:
    from kg.store.terms import to_rdflib

    return useful((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))


def _not_asserted(store: Store, graphs: list[str], triples: list[ox.Triple]) -> list[ox.Triple]:
    """Drop the triples the sources already state (a fact is stored once)."""
    named = [t for t in triples
             if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)]
    if not named:
        return triples
    asserted: set[tuple[str, str, str]] = set()
    for start in range(0, len(named), 500):
        chunk = named[start:start + 500]
        values = " ".join(f"({t.subject} {t.predicate} {t.object})" for t in chunk)
        data = store.execute(render("reason/asserted", triples=values), default_graphs=graphs,
                             max_rows=None).serialize("application/n-triples")
        asserted |= {(str(t.subject), str(t.predicate), str(t.object))
                     for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}
    return [t for t in triples if (str(t.subject), str(t.predicate), str(t.object)) not in asserted]


# -- the step -----------------------------------------------------------------------------------------

def infer(store: Store, settings: Settings, diff: GraphDiff | None = None,
          touched: set[str] | None = None, changed_graphs: list[str] | None = None,
          previous_tbox: str | None = None) -> InferOutcome:
    """Bring the inferred graph up to date: everything, or only the inferences about what a write touched.

    Incremental needs ``touched`` (the IRIs the write touched), ``changed_graphs`` and the T-box
    digest of the last run; it falls back to a full run whenever it could be wrong (see the module).
    """
    start = time.perf_counter()
    graphs = reasoner_graphs(store)
    target = Minter(settings.base_iri).inferred_graph()
    tbox = tbox_of(_schema(store, graphs))
    incremental = (touched is not None and previous_tbox == tbox.digest
                   and store.graph_info(target) is not None
                   and not _touches_nonlinear(store, graphs, target, tbox, touched)
                   and not _blank_subjects(store, [*(changed_graphs or []), target]))
    if incremental:
        assert touched is not None
        focus = sorted(touched)
        triples = _derive(store, graphs, tbox, focus) if focus else []
        count = _patch(store, target, focus, triples)
        if diff is not None:
            diff.new, diff.resources = False, set(focus)
        seconds = time.perf_counter() - start
        return InferOutcome(target, count, 0, seconds, tbox.unsupported, True, tbox.digest)
    triples = _derive(store, graphs, tbox, None)
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    count = store.replace_if_changed(target, data, "kg infer", diff)
    return InferOutcome(target, count, 0, time.perf_counter() - start, tbox.unsupported, False, tbox.digest)


def _blank_subjects(store: Store, graphs: list[str]) -> bool:
    """Whether any of these graphs describes a blank node (whose inferences cannot be found by IRI)."""
    return store.ask(render("reason/blank-subjects", graphs=_ones(graphs)))


def _touches_nonlinear(store: Store, graphs: list[str], inferred: str, tbox: TBox, touched: set[str]) -> bool:
    """Whether the touched IRIs take part in triples the non-linear rules read (now, or inferred before)."""
    items = sorted(touched)
    for begin in range(0, len(items), _CHUNK):
        block = _ones(items[begin:begin + _CHUNK])
        query = render("reason/touches-nonlinear", nodes=block, predicates=_ones(tbox.nonlinear),
                       classes=_ones(tbox.key_classes), inferred=iri(inferred))
        if store.ask(query):
            return True
    return False


def _patch(store: Store, graph: str, focus: list[str], triples: list[ox.Triple]) -> int:
    """Replace the inferred triples about ``focus`` with ``triples``, in one update."""
    info = store.graph_info(graph)
    before = info.triples if info is not None else 0
    removed = 0
    for begin in range(0, len(focus), _CHUNK):
        block = _ones(focus[begin:begin + _CHUNK])
        removed += int(store.select(render("reason/count-about", graph=iri(graph), nodes=block))[0]["n"])
    operations = [render_operation("reason/forget-about", graph=iri(graph), nodes=_ones(focus[b:b + _CHUNK]))
                  for b in range(0, len(focus), _CHUNK)]
    if triples:
        inserted = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        operations.append(f"INSERT DATA {{ GRAPH {iri(graph)} {{\n{inserted}\n}} }}")
    if not operations:  # nothing about anything to forget or add: an empty update is not valid SPARQL
        return before
    update = sparql_prologue() + " ;\n".join(operations)
    count = before - removed + len(triples)
    store.patch_graph(graph, update, Provenance.now("kg infer"), count)
    return count


# -- the reference -----------------------------------------------------------------------------------

def owlrl_reference(asserted: Graph) -> Graph:
    """owlrl's full closure of the same input, through the same filter: what :func:`infer` must equal."""
    full, before = _owlrl_closure(asserted)
    result = Graph()
    for t in full:
        if t not in before and useful(t):
            result.add(t)
    return result
