"""SHACL property paths as plain tuples, so results that carry them cross process boundaries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.namespaces import PREFIXES, RDF, SH
from kg.validation.errors import Unsupported

#: A SHACL property path as a picklable structure: ("iri", IRI) | ("inverse", p) | ("alternative", [p…])
#: | ("sequence", [p…]) | ("zeroOrMore"|"oneOrMore"|"zeroOrOne", p).
PathSpec = tuple[Any, ...]


def path_spec(graph: Graph, node: Node) -> PathSpec:
    """A SHACL property path node of ``graph`` as a :data:`PathSpec`."""
    if isinstance(node, URIRef):
        return ("iri", str(node))
    for key, pred in (("inverse", SH.inversePath), ("zeroOrMore", SH.zeroOrMorePath),
                      ("oneOrMore", SH.oneOrMorePath), ("zeroOrOne", SH.zeroOrOnePath)):
        inner = graph.value(node, pred)
        if inner is not None:
            return (key, path_spec(graph, inner))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return ("alternative", tuple(path_spec(graph, n) for n in Collection(graph, alternatives)))
    if (node, RDF.first, None) in graph:
        return ("sequence", tuple(path_spec(graph, n) for n in Collection(graph, node)))
    raise Unsupported(f"not a SHACL path: {node!r}")


def path_node(graph: Graph, spec: PathSpec) -> Node:
    """Write a :data:`PathSpec` back as SHACL path triples in ``graph``."""
    kind = spec[0]
    if kind == "iri":
        return URIRef(spec[1])
    node = BNode()
    if kind in ("alternative", "sequence"):
        items = BNode()
        Collection(graph, items, [path_node(graph, s) for s in spec[1]])
        if kind == "sequence":
            return items
        graph.add((node, SH.alternativePath, items))
        return node
    pred = {"inverse": SH.inversePath, "zeroOrMore": SH.zeroOrMorePath, "oneOrMore": SH.oneOrMorePath,
            "zeroOrOne": SH.zeroOrOnePath}[kind]
    graph.add((node, pred, path_node(graph, spec[1])))
    return node


def _short(value: str) -> str:
    for prefix, ns in PREFIXES.items():
        if value.startswith(ns) and value[len(ns):].replace("-", "").replace("_", "").isalnum():
            return f"{prefix}:{value[len(ns):]}"
    return f"<{value}>"


def path_text(spec: PathSpec | None, short: bool = False) -> str:
    """A path written as a SPARQL property path."""
    if spec is None:
        return ""
    kind = spec[0]
    if kind == "iri":
        return _short(spec[1]) if short else f"<{spec[1]}>"
    if kind == "inverse":
        return "^" + path_text(spec[1], short)
    if kind in ("alternative", "sequence"):
        joined = ("|" if kind == "alternative" else "/").join(path_text(s, short) for s in spec[1])
        return f"({joined})"
    return path_text(spec[1], short) + {"zeroOrMore": "*", "oneOrMore": "+", "zeroOrOne": "?"}[kind]


def path_predicates(spec: PathSpec) -> Iterator[tuple[str, bool]]:
    """Every predicate a path uses, with True when it is walked backwards."""
    kind = spec[0]
    if kind == "iri":
        yield spec[1], False
    elif kind == "inverse":
        for p, _ in path_predicates(spec[1]):
            yield p, True
    elif kind in ("alternative", "sequence"):
        for s in spec[1]:
            yield from path_predicates(s)
    else:
        yield from path_predicates(spec[1])
