"""Facts of many resources at once: their values of some properties, or what points at them.

Page sections fetch facts with the resources bound first and their statements filtered by
property (``browse/node-values.rq``), or with (object, property) pairs bound
(``browse/node-subjects.rq``), and join them in Python: Oxigraph otherwise plans OPTIONAL chains
or property-bound scans over the whole store.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import URIRef
from rdflib.term import Node

from kg.queries import iri, render
from kg.store.base import Store

Facts = dict[str, dict[str, list[Node]]]


def forward(store: Store, nodes: list[str], predicates: list[URIRef]) -> Facts:
    """``facts[s][p]``: the values of each predicate on each node (one query per 300 nodes)."""
    facts: Facts = defaultdict(lambda: defaultdict(list))
    nodes = list(dict.fromkeys(nodes))
    for start in range(0, len(nodes), 300):
        text = render("browse/node-values", nodes=" ".join(iri(n) for n in nodes[start:start + 300]),
                      predicates=", ".join(iri(str(p)) for p in predicates))
        for row in store.select(text):
            facts[str(row["s"])][str(row["p"])].append(row["o"])
    return facts


def backward(store: Store, nodes: list[str], predicates: list[URIRef]) -> Facts:
    """``facts[o][p]``: the resources whose predicate points at each node (pairs bound first)."""
    facts: Facts = defaultdict(lambda: defaultdict(list))
    nodes = list(dict.fromkeys(nodes))
    for start in range(0, len(nodes), 100):
        pairs = " ".join(f"({iri(n)} {iri(str(p))})" for n in nodes[start:start + 100] for p in predicates)
        for row in store.select(render("browse/node-subjects", pairs=pairs)):
            facts[str(row["o"])][str(row["p"])].append(row["s"])
    return facts
