"""What the per-resource pyshacl run fetches for each focus node, derived from the shapes.

pyshacl holds its data in memory, so kg hands it one batch of focus nodes at a time, each with a
lean description: its own triples, the few triples of its values the shapes look at, and, for
shapes that look backwards or read neighbours, its incoming links.  The results equal a
whole-graph run's provided the description holds everything the shapes inspect, so the plan is
read off the shapes themselves rather than written by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.namespaces import RDF, SH, SKOS
from kg.queries import render
from kg.store.base import Store
from kg.validation.paths import path_predicates, path_spec
from kg.validation.shapes import shape_targets, targets
from kg.validation.store import construct_nt, select_rows, values_block

#: Annotation on a shape whose SPARQL constraint reads the triples of the focus node's neighbours
#: (incoming links included), so the per-resource run fetches them; see docs/validation.md.
READS_NEIGHBOURS = URIRef("https://kg.rammearkitektur.dk/def/shapes#readsNeighbours")


@dataclass(frozen=True)
class DescriptionPlan:
    """What the per-resource run fetches for each focus node, derived from the shapes.

    ``second`` are the predicates read on a focus node's values (``rdf:type`` for
    ``sh:class``, ``skos:inScheme`` for vocabulary membership, and every path of
    shapes applied to values).  ``wide`` are the targets of shapes that walk a path
    backwards, or whose SPARQL reads the neighbours (annotated :data:`READS_NEIGHBOURS`):
    their focus nodes also get their incoming triples and their neighbours' triples.
    Other SPARQL constraints must read only the focus node's own triples.
    """

    targets: dict[str, set[str]]
    wide_targets: dict[str, set[str]]
    second: frozenset[str]


def description_plan(shapes: Graph) -> DescriptionPlan:
    """Work out from the shapes which triples each focus node's validation reads."""
    second = {str(RDF.type), str(SKOS.inScheme)}
    value_shapes: set[Node] = set()
    for pred in (SH.node, SH.qualifiedValueShape, SH["not"]):
        value_shapes.update(shapes.objects(None, pred))
    for pred in (SH["or"], SH["and"], SH.xone):
        for lst in shapes.objects(None, pred):
            value_shapes.update(Collection(shapes, lst))
    seen: set[Node] = set()
    stack = list(value_shapes)
    while stack:
        shape = stack.pop()
        if shape in seen:
            continue
        seen.add(shape)
        for path in shapes.objects(shape, SH.path):
            second.update(p for p, _ in path_predicates(path_spec(shapes, path)))
        stack.extend(shapes.objects(shape, SH.property))
        stack.extend(shapes.objects(shape, SH.node))
    for path in shapes.objects(None, SH.path):  # later steps of sequence paths read the values' triples
        spec = path_spec(shapes, path)
        if spec[0] != "iri":
            second.update(p for p, _ in path_predicates(spec))
    wide_shapes: set[Node] = set()
    for shape in set(shapes.subjects(SH.property, None)) | set(shapes.subjects(RDF.type, SH.NodeShape)):
        paths = [path_spec(shapes, p) for ps in shapes.objects(shape, SH.property)
                 for p in shapes.objects(ps, SH.path)]
        backwards = any(inv for spec in paths for _, inv in path_predicates(spec))
        neighbours = any((ps, READS_NEIGHBOURS, Literal(True)) in shapes
                         for ps in [shape, *shapes.objects(shape, SH.property)])
        if backwards or neighbours:
            wide_shapes.add(shape)
    wide: dict[str, set[str]] = {"classes": set(), "subjects_of": set(), "objects_of": set(), "nodes": set()}
    for shape in wide_shapes:
        for key, values in shape_targets(shapes, shape).items():
            wide[key].update(values)
    return DescriptionPlan(targets(shapes), wide, frozenset(second))


def focus_nodes(store: Store, plan: DescriptionPlan, graphs: list[str],
                restrict_to: list[str] | None = None) -> tuple[list[str], set[str], set[str]]:
    """The IRIs the shapes target, the subset needing wide descriptions, and the IRI owners of blank targets.

    ``restrict_to`` names graphs: only resources described there (as subjects) are validated.
    """

    def run(wanted: dict[str, set[str]]) -> tuple[set[str], set[str]]:
        query = render("validate/focus-nodes", classes=values_block(wanted["classes"]),
                       subjects_of=values_block(wanted["subjects_of"]),
                       objects_of=values_block(wanted["objects_of"]))
        iris, owners = set(wanted["nodes"]), set()
        for row in select_rows(store, query, graphs):
            if row["focus"]["type"] == "uri":
                iris.add(row["focus"]["value"])
            elif "owner" in row:
                owners.add(row["owner"]["value"])
        return iris, owners

    iris, owners = run(plan.targets)
    wide, _ = run(plan.wide_targets) if any(plan.wide_targets.values()) else (set(), set())
    if restrict_to is not None:
        subjects = select_rows(store, render("validate/subjects"), restrict_to)
        allowed = {row["s"]["value"] for row in subjects}
        iris &= allowed
        owners &= allowed
    return sorted(iris), wide & set(iris), owners


def describe_batch(store: Store, plan: DescriptionPlan, nodes: Sequence[str], wide: set[str],
                   graphs: list[str]) -> bytes:
    """One CONSTRUCT for a whole batch: each node's lean description, as N-Triples."""
    query = render("validate/describe-batch", nodes=values_block(nodes),
                   second=values_block(plan.second), wide=values_block(n for n in nodes if n in wide))
    return construct_nt(store, query, graphs)
