"""The write path's promise: after any sequence of writes, by any of its faces, the derived graphs are
what a full recompute gives, and a dropped source leaves no derived trace.

The command line (``kg load``, ``kg drop``) and the HTTP endpoints (SPARQL Update, the Graph Store
Protocol) all call :class:`kg.write.Writer`; each write below goes through the method its face
calls, and the pipeline runs incrementally after each, as it does for a user.
"""

from __future__ import annotations

from pathlib import Path

from kg import graphs
from kg.config import Settings
from kg.derive.change import Change
from kg.iris import Minter
from kg.loading import default_sources
from kg.store import Store, open_store
from kg.write import Writer

PROBE = "https://kg.rammearkitektur.dk/id/dataset/write-path-probe"


def _derived(store: Store, settings: Settings) -> dict[str, set[str]]:
    """Each derived graph as a set of N-Triples lines (blank-node-free by construction)."""
    out = {}
    for name in graphs.DERIVED:
        graph = graphs.derived_graph(settings.base_iri, name)
        data = store.execute(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                             max_rows=None).serialize("application/n-triples")
        out[name] = {line for line in data.decode("utf-8").split("\n") if line.strip()}
    return out


def _probe(title: str) -> bytes:
    return (f"<{PROBE}> a <http://www.w3.org/ns/dcat#Dataset> ;\n"
            f"  <http://purl.org/dc/terms/title> \"{title}\"@da ;\n"
            f"  <http://purl.org/dc/terms/identifier> \"write-path-probe\" ;\n"
            f"  <http://www.w3.org/ns/dcat#theme> "
            f"<http://publications.europa.eu/resource/authority/data-theme/GOVE> .\n").encode()


def test_every_write_path_leaves_what_a_full_recompute_gives(settings: Settings, tmp_path: Path) -> None:
    store = open_store(settings)
    writer = Writer(store, settings)
    try:
        assert not [o for o in writer.load(default_sources(settings)) if o.status == "failed"]
        probe_file = tmp_path / "probe.ttl"
        probe_file.write_bytes(_probe("Prøve"))
        writer.load([probe_file])                                            # kg load
        probe_graph = next(g.name for g in store.graphs() if g.name.endswith("/probe"))
        writer.update(f"INSERT DATA {{ GRAPH <{probe_graph}> {{ <{PROBE}> "   # SPARQL Update
                      f"<http://www.w3.org/ns/dcat#keyword> \"nøgleord\"@da }} }}")
        gsp = f"{settings.base_iri}/graph/write-path-gsp"
        writer.put_graph(gsp, _probe("Prøve via GSP"), "turtle", "test")      # Graph Store PUT
        writer.post_graph(gsp, b"<https://kg.rammearkitektur.dk/id/x> <http://purl.org/dc/terms/title> "
                               b"\"x\"@da .", "turtle", "test")                 # Graph Store POST
        writer.drop(gsp)                                                      # kg drop / GSP DELETE
        incremental = _derived(store, settings)
        assert any(PROBE in line for line in incremental["quality"])          # the probe was derived from
        assert any(PROBE in line for line in incremental["validation"])

        writer.derive(Change.everything())                                    # a full recompute
        assert _derived(store, settings) == incremental

        writer.drop(probe_graph)                                              # a dropped source ...
        for name, lines in _derived(store, settings).items():                 # ... leaves no trace
            assert not [line for line in lines if PROBE in line], name
    finally:
        writer.publication.close()
        store.close()


def test_no_triple_is_stored_twice(loaded_store: Store) -> None:
    """The default graph is a set: no fact of data/ is stated by two graphs (a curated file adds only
    what a source does not say; derived graphs never repeat what is asserted)."""
    rows = loaded_store.select(
        "SELECT ?s ?p ?o (COUNT(?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(?g != <{Minter(loaded_store.base_iri).meta_graph()}>) }} "
        "GROUP BY ?s ?p ?o HAVING (COUNT(?g) > 1) LIMIT 20")
    assert not rows, [(str(r["s"]), str(r["p"]), str(r["o"])) for r in rows]
