"""Incremental quality: after a load, measure again only the datasets whose inputs changed.

A full measurement of a large catalogue is dominated by writing the quality graph (five
triples per measurement, about 170 per dataset), not by computing it; so after a load that
replaced a few graphs kg rewrites only the measurements that can have changed, in one
request, and the quality graph ends up exactly as a full run would write it.

How it knows what changed, without trusting anything but the store:

1. Before the load, :func:`snapshot` keeps the triples the quality reads (dataset typing and
   the properties of :data:`kg.quality.INPUT_PREDICATES`) in each graph the load may replace,
   and the store's fingerprint (:func:`kg.quality.store_fingerprint`).
2. After it, :func:`refresh` compares them with the same triples now.  The subjects of the
   difference, and the distributions of changed ``dcat:distribution`` links, are the changed
   *targets*.  The datasets to measure again are those targets that are datasets and the
   datasets owning a target as distribution; their distributions, and the distributions the
   targets link to, join the targets, until nothing new is found.  Every measurement of every
   target is removed and the datasets' new measurements inserted.
3. The quality graph records what it was computed from (:func:`kg.quality.inputs_token`).  If
   that is not the state just before the load (a graph was loaded or dropped without a quality
   refresh, the metrics file changed, ``kg quality`` measured SHACL compliance or URLs), or when
   more than :data:`FULL_SHARE` of the datasets changed, :func:`refresh` returns None and the
   caller measures everything.

Why this equals a full run: a measurement reads only triples of :data:`INPUT_PREDICATES` about
its dataset and its distributions, and a triple of the union graph can change only if it is in
the difference of a replaced graph; see ``tests/test_quality_changes.py``, which checks
equality after random edits.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from rdflib.namespace import DCAT

from kg import quality
from kg.iris import Minter
from kg.queries import iri, render
from kg.store.base import Provenance, Store

#: Above this share of all datasets, measuring everything is cheaper than patching.
FULL_SHARE = 0.2
#: So few datasets that patching is cheap whatever the catalogue's size (the share is not counted).
_SMALL = 200
_DISTRIBUTION = f"<{DCAT.distribution}>"


@dataclass(frozen=True)
class Snapshot:
    """The quality's inputs in some graphs, and the store's fingerprint, before a load."""

    fingerprint: str
    triples: dict[str, frozenset[bytes]]   # graph -> its input triples, as N-Triples lines


def input_triples(store: Store, graph: str) -> frozenset[bytes]:
    """The triples of ``graph`` the quality reads, as Oxigraph writes them (fast, no rdflib terms)."""
    predicates = ", ".join(iri(p) for p in sorted(quality.INPUT_PREDICATES))
    query = render("quality/inputs-in-graph", graph=iri(graph), predicates=predicates)
    data = store.execute(query, max_rows=None).serialize("application/n-triples")
    return frozenset(line for line in data.splitlines() if line.strip())


def snapshot(store: Store, graphs: Iterable[str]) -> Snapshot:
    """Take the quality's inputs in ``graphs`` (those a load is about to replace)."""
    return Snapshot(quality.store_fingerprint(store), {g: input_triples(store, g) for g in set(graphs)})


def changed_targets(store: Store, before: Snapshot, changed: Collection[str]) -> set[str] | None:
    """IRIs whose input triples differ between ``before`` and now in the ``changed`` graphs, with the
    distributions added to or removed from a ``dcat:distribution`` link; None if a changed graph
    was not in the snapshot (its old content is unknown)."""
    targets: set[str] = set()
    for graph in changed:
        old = before.triples.get(graph)
        if old is None:
            return None
        for line in old.symmetric_difference(input_triples(store, graph)):
            subject, predicate, rest = line.decode("utf-8").split(" ", 2)
            if subject.startswith("<"):
                targets.add(subject[1:-1])
            if predicate == _DISTRIBUTION and rest.startswith("<"):
                targets.add(rest[1:rest.index(">")])
    return targets


def affected(store: Store, targets: Collection[str]) -> tuple[set[str], set[str]]:
    """The datasets to measure again, and every target whose measurements are removed first.

    From the changed targets outwards: a target that is a dataset, or that a dataset has as a
    distribution, makes that dataset affected; the distributions an affected dataset or a target
    links to (whatever its type now) become targets too, and so on until nothing new turns up.
    """
    datasets: set[str] = set()
    seen: set[str] = set()
    frontier = set(targets)
    while frontier:
        seen |= frontier
        found: set[str] = set()
        for row in quality.chunked_select(store, "quality/related", "targets", frontier):
            if "ds" in row:
                datasets.add(str(row["ds"]))
                found.add(str(row["ds"]))
            if "dist" in row:
                found.add(str(row["dist"]))
        frontier = found - seen
    return datasets, seen


def _dataset_count(store: Store) -> int:
    return int(store.select(render("quality/dataset-count"))[0]["n"])


def refresh(store: Store, settings, before: Snapshot,  # type: ignore[no-untyped-def]
            changed: Collection[str]) -> dict[str, quality.DatasetQuality] | None:
    """Rewrite the measurements the load can have changed; None when a full run is needed."""
    graph = quality.quality_graph(store.base_iri)
    info = store.graph_info(graph)
    if info is None or info.sha256 != quality.inputs_token(store, settings, fingerprint=before.fingerprint):
        return None
    targets = changed_targets(store, before, changed)
    if targets is None:
        return None
    datasets, gone = affected(store, targets)
    if len(datasets) > _SMALL and len(datasets) > FULL_SHARE * _dataset_count(store):
        return None
    vocabulary = quality.load_vocabulary(quality.metrics_path(settings.data_dir if settings else None))
    results = quality.measure(store, vocabulary, datasets=datasets) if datasets else {}
    lines = sorted(set(quality.to_ntriples(results, vocabulary, store.base_iri).decode("utf-8").splitlines()))
    removed = sum(int(row["n"]) for row in quality.chunked_select(
        store, "quality/measurement-triples", "targets", gone, graph=iri(graph)))
    # what is removed is every triple about the targets and their measurements, and everything
    # inserted is about them, so the new size is simple arithmetic (counting 10^6 triples is not)
    triples = info.triples - removed + len(lines)
    provenance = Provenance.now("kg quality", quality.inputs_token(store, settings))
    update = render("quality/patch", graph=iri(graph),
                    targets=quality.values_block(gone) if gone else "", triples="\n".join(lines))
    store.patch_graph(graph, update, provenance, triples)
    return results


def watched_graphs(settings, graphs: Iterable[str]) -> set[str]:  # type: ignore[no-untyped-def]
    """The graphs whose inputs to snapshot before a load of ``graphs``: those, and the inferred graph
    when inference runs after the load (it can type a resource as a dataset)."""
    watched = set(graphs)
    if settings.infer_after_load:
        watched.add(Minter(settings.base_iri).inferred_graph())
    return watched


__all__ = ["FULL_SHARE", "Snapshot", "affected", "changed_targets", "refresh", "snapshot", "watched_graphs"]
