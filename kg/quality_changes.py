"""Incremental quality: after a write, measure again only the datasets it can have changed.

A full measurement of a large catalogue is dominated by writing the quality graph, not by
computing it; so after a write that touched a few resources kg rewrites only the measurements
that can have changed, in one request, and the quality graph ends up exactly as a full run
would write it.  The write path says which IRIs a write touched (:mod:`kg.derive.change`):

* a touched IRI that is a dataset, or that a dataset has as a distribution, makes that dataset
  affected; the distributions an affected dataset or a touched IRI links to become targets too,
  and so on until nothing new turns up (:func:`affected`);
* every measurement of every target is removed and the affected datasets' new measurements are
  inserted (:func:`refresh_targets`); past :data:`FULL_SHARE` of the datasets, everything is
  measured instead.

Why this equals a full run: a measurement reads only triples of :data:`kg.quality.INPUT_PREDICATES`
about its dataset and its distributions, and every such triple that changed has a touched IRI
as its subject or object; ``tests/test_derive.py`` checks equality after random writes.
"""

from __future__ import annotations

from collections.abc import Collection

from kg import quality
from kg.config import Settings
from kg.queries import iri, render
from kg.store.base import Provenance, Store

#: Above this share of all datasets, measuring everything is cheaper than patching.
FULL_SHARE = 0.2
#: So few datasets that patching is cheap whatever the catalogue's size (the share is not counted).
_SMALL = 200


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


def refresh_targets(store: Store, settings: Settings, targets: Collection[str]
                    ) -> dict[str, quality.DatasetQuality] | None:
    """Rewrite the measurements of the datasets ``targets`` (changed IRIs) can have changed.

    None when so many datasets are affected that measuring everything is cheaper.
    """
    graph = quality.quality_graph(store.base_iri)
    info = store.graph_info(graph)
    if info is None:
        return None
    datasets, gone = affected(store, targets)
    if len(datasets) > _SMALL and len(datasets) > FULL_SHARE * _dataset_count(store):
        return None
    vocabulary = quality.load_vocabulary(quality.metrics_path(settings.data_dir if settings else None))
    results = quality.measure(store, vocabulary, datasets=datasets) if datasets else {}
    lines = sorted(set(quality.to_ntriples(results, vocabulary, store.base_iri).decode("utf-8").splitlines()))
    removed = sum(int(row["n"]) for name in ("quality/measurement-triples", "quality/measurement-nodes")
                  for row in quality.chunked_select(store, name, "targets", gone, graph=iri(graph))) \
        if gone else 0
    # what is removed is every triple about the targets and their measurements, and everything
    # inserted is about them, so the new size is simple arithmetic (counting 10^6 triples is not)
    triples = info.triples - removed + len(lines)
    provenance = Provenance.now("kg quality")
    update = render("quality/patch", graph=iri(graph),
                    targets=quality.values_block(gone) if gone else "", triples="\n".join(lines))
    store.patch_graph(graph, update, provenance, triples)
    return results


__all__ = ["FULL_SHARE", "affected", "refresh_targets"]
