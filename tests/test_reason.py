"""OWL RL reasoning: equal to owlrl's closure, kept in its own graph, and useful in standard terms."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

from kg import reason
from kg.config import Settings
from kg.graphs import reasoner_graphs
from kg.iris import Minter
from kg.loading import default_sources, load_paths
from kg.queries import get_query
from kg.store import Store, open_store

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"


@pytest.fixture(scope="module")
def inferred_store(settings: Settings) -> Iterator[Store]:
    store = open_store(settings)
    load_paths(store, settings, default_sources(settings))
    reason.infer(store, settings)
    yield store
    store.close()


def _inferred(store: Store, settings: Settings) -> Graph:
    graph = Minter(settings.base_iri).inferred_graph()
    data = store.execute(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                         max_rows=None).serialize("application/n-triples")
    return Graph().parse(data=data, format="nt")


def test_rules_equal_owlrl_on_kgs_data(inferred_store: Store, settings: Settings) -> None:
    """The rules in the store find exactly what owlrl's full closure of the same sources finds."""
    graphs = reasoner_graphs(inferred_store)
    data = inferred_store.execute(get_query("reason/all-triples"), default_graphs=graphs,
                                  max_rows=None).serialize("application/n-triples")
    reference = reason.owlrl_reference(Graph().parse(data=data, format="nt"))
    mine = _inferred(inferred_store, settings)
    assert len(mine) > 100
    assert isomorphic(mine, reference), (
        f"only kg: {sorted(map(str, set(mine) - set(reference)))[:5]}; "
        f"only owlrl: {sorted(map(str, set(reference) - set(mine)))[:5]}")


def test_noise_is_dropped() -> None:
    a, b = URIRef("https://example.org/a"), URIRef("https://example.org/b")
    assert not reason.useful((a, OWL.sameAs, a))
    assert reason.useful((a, OWL.sameAs, b))
    assert not reason.useful((a, RDF.type, OWL.Thing))
    assert not reason.useful((a, RDF.type, OWL.Class))


def test_inferred_graph_holds_only_new_triples(inferred_store: Store, settings: Settings) -> None:
    inferred = URIRef(Minter(settings.base_iri).inferred_graph())
    asserted, new = set(), set()
    for s, p, o, g in inferred_store.quads():
        (new if g == inferred else asserted).add((s, p, o))
    assert new and not (new & asserted)


def _ask(store: Store, name: str) -> list[dict[str, object]]:
    return store.select(get_query(name))  # type: ignore[return-value]


def test_meetings_and_decisions_in_oslo_and_prov_terms(inferred_store: Store) -> None:
    rows = _ask(inferred_store, "reason/examples/decisions-in-standard-terms")
    decisions = {str(r["decision"]).rsplit("/id/", 1)[1] for r in rows}
    assert "decision/arkitekturboard/2023-10-31/2" in decisions
    meetings = {str(r["meeting"]).rsplit("/id/", 1)[1] for r in rows}
    assert "meeting/arkitekturboard/2023-08-29" in meetings


def test_decisions_in_eli_terms(inferred_store: Store) -> None:
    rows = _ask(inferred_store, "reason/examples/decisions-in-eli-terms")
    def local(term: object) -> str:
        return str(term).rsplit("/id/", 1)[1]

    approved = {(local(r["decision"]), local(r["product"])) for r in rows}
    assert ("decision/arkitekturboard/2023-10-31/2", "product/dcat-ap-dk") in approved
    assert ("decision/arkitekturboard/2023-08-29/1", "product/ladeinfrastruktur") in approved


def test_broader_transitive_answers_hierarchy(settings: Settings) -> None:
    store = open_store(settings)
    try:
        load_paths(store, settings, [*default_sources(settings), FIXTURES / "reasoning-hierarchy.ttl"])
        reason.infer(store, settings)
        rows = _ask(store, "reason/examples/broader-transitive")
    finally:
        store.close()
    pairs = {(str(r["narrower"]).rsplit("/", 1)[1], str(r["broader"]).rsplit("/", 1)[1]) for r in rows}
    assert ("digitalt-forbundet-hoejeffektladepunkt", "ladepunkt") in pairs  # two steps, answered in one
    assert ("fuldstaendighed", "komplethed") in pairs  # kg's own quality dimensions and their aspects


def test_person_records_sharing_a_uuid_are_the_same(inferred_store: Store) -> None:
    rows = _ask(inferred_store, "reason/examples/same-person")
    linked = {(str(r["a"]).rsplit("/", 1)[1], str(r["b"]).rsplit("/", 1)[1]) for r in rows}
    assert ("1-foer-skift", "1-efter-skift") in linked and ("1-efter-skift", "1-foer-skift") in linked


def test_a_patch_with_nothing_to_forget_or_nothing_at_all_is_valid(memory_store: Store,
                                                                    settings: Settings) -> None:
    """An incremental run whose change names no resource to forget (or nothing at all) still writes a
    valid update: a concept list re-ingested with only an Id column added once failed here."""
    import pyoxigraph as ox

    store = memory_store
    graph = Minter(settings.base_iri).inferred_graph()
    info = store.graph_info(graph)
    before = info.triples if info is not None else 0
    triple = ox.Triple(ox.NamedNode("https://kg.example.org/a"), ox.NamedNode(str(RDF.type)),
                       ox.NamedNode("https://kg.example.org/C"))
    assert reason._patch(store, graph, [], [triple]) == before + 1
    assert reason._patch(store, graph, [], []) == before + 1
    found = f"ASK {{ GRAPH <{graph}> {{ <https://kg.example.org/a> a <https://kg.example.org/C> }} }}"
    assert store.ask(found)
