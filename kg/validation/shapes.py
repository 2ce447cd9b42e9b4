"""The shapes: loading them, the class axioms they state, and the focus nodes they target."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.config import Settings
from kg.namespaces import PREFIXES, RDF, RDFS, SH
from kg.validation.errors import ValidationError


def default_shape_files(settings: Settings) -> list[Path]:
    return sorted(settings.shapes_dir.glob("*.ttl"))


def load_shapes(paths: Iterable[Path], base: str) -> Graph:
    """Parse shapes files into one graph; relative IRIs (kg's own concepts) resolve against ``base``."""
    shapes = Graph()
    for path in paths:
        try:
            shapes.parse(path, format="turtle", publicID=base)
        except FileNotFoundError:
            raise ValidationError(f"{path}: no such shapes file") from None
        except Exception as exc:  # rdflib raises many kinds for bad Turtle
            raise ValidationError(f"{path}: not valid Turtle: {exc}") from None
    if not any(shapes.triples((None, RDF.type, SH.NodeShape))) and not any(
            shapes.triples((None, SH.property, None))):
        raise ValidationError("the shapes files hold no SHACL shapes")
    return shapes


def shapes_tbox(shapes: Graph) -> Graph:
    """The rdfs:subClassOf axioms the shapes files state for standard vocabularies (ORG, FOAF, vCard):
    added to the data, as pyshacl's ont_graph would be, so class checks need no external ontology."""
    tbox = Graph()
    for triple in shapes.triples((None, RDFS.subClassOf, None)):
        tbox.add(triple)
    return tbox


def target_nodes(data: Graph, shapes: Graph) -> set[Node]:
    """The focus nodes the shapes target in an in-memory graph (for counting)."""
    nodes: set[Node] = set()
    found = targets(shapes)
    for cls in found["classes"]:
        for sub in data.transitive_subjects(RDFS.subClassOf, URIRef(cls)):
            nodes.update(data.subjects(RDF.type, sub))
    for p in found["subjects_of"]:
        nodes.update(data.subjects(URIRef(p), None))
    for p in found["objects_of"]:
        nodes.update(o for o in data.objects(None, URIRef(p)) if not isinstance(o, Literal))
    nodes.update(URIRef(n) for n in found["nodes"])
    return nodes


def targets(shapes: Graph) -> dict[str, set[str]]:
    """What the shapes target, by kind: classes, subjects of, objects of, nodes (IRIs)."""
    found: dict[str, set[str]] = {"classes": set(), "subjects_of": set(), "objects_of": set(), "nodes": set()}
    for key, pred in (("classes", SH.targetClass), ("subjects_of", SH.targetSubjectsOf),
                      ("objects_of", SH.targetObjectsOf), ("nodes", SH.targetNode)):
        found[key].update(str(o) for o in shapes.objects(None, pred) if isinstance(o, URIRef))
    for shape in shapes.subjects(RDF.type, SH.NodeShape):  # implicit class targets
        if isinstance(shape, URIRef) and ((shape, RDF.type, RDFS.Class) in shapes
                                          or (shape, RDF.type, URIRef(PREFIXES["owl"] + "Class")) in shapes):
            found["classes"].add(str(shape))
    return found


def shape_targets(shapes: Graph, shape: Node) -> dict[str, set[str]]:
    """What one shape targets, as :func:`targets` gives it."""
    sub = Graph()
    for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
        for o in shapes.objects(shape, p):
            sub.add((shape, p, o))
    return targets(sub)
