"""Incremental quality (kg.quality_changes): after a write, the quality graph equals a full run.

The property test builds small catalogues spread over three graphs from a pool of triples that
covers the awkward cases (a dataset described in two graphs, a distribution shared by two
datasets or linked from another graph, a distribution that is also typed as a dataset, a
dataset losing its type), replaces graphs at random through the write path (whose pipeline
refreshes incrementally), and compares the quality graph with a full run on a fresh store
holding the same graphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from kg import quality
from kg.cli import main
from kg.config import Settings, load_settings
from kg.namespaces import PREFIXES
from kg.quality_changes import affected, refresh_targets
from kg.store import Provenance, Store, open_store
from kg.store.base import GraphDiff
from kg.store.embedded import EmbeddedStore

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://kg.example.org"
DCAT, DCT = "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
EU = "http://publications.europa.eu/resource/authority/"
GRAPHS = [f"{BASE}/graph/part-{k}" for k in range(3)]
QUALITY = f"{BASE}/graph/quality"


def _ds(k: int) -> str:
    return f"<{BASE}/id/dataset/d{k}>"


def _dist(k: int) -> str:
    return f"<{BASE}/id/distribution/d/{k}>"


def _pool() -> list[str]:
    """Every triple a graph may hold: inputs of the quality, and one that is not."""
    lines = [f"{_ds(k)} <{RDF_TYPE}> <{DCAT}Dataset> ." for k in range(4)]
    lines.append(f"{_dist(4)} <{RDF_TYPE}> <{DCAT}Dataset> .")            # a distribution that is a dataset
    lines += [f"{_ds(k)} <{DCAT}distribution> {_dist(j)} ." for k in range(4) for j in range(5)]
    for k in range(4):
        lines += [f'{_ds(k)} <{DCAT}keyword> "k{k}" .', f"{_ds(k)} <{DCT}publisher> <{BASE}/id/org/o> .",
                  f"{_ds(k)} <{DCT}accessRights> <{EU}access-right/PUBLIC> .",
                  f'{_ds(k)} <{DCT}title> "not an input" .']
    for j in range(5):
        lines += [f"{_dist(j)} <{DCT}format> <{EU}file-type/CSV> .",
                  f"{_dist(j)} <{DCT}format> <{EU}file-type/PDF> .",
                  f"{_dist(j)} <{DCAT}downloadURL> <http://example.org/f{j}> .",
                  f"{_dist(j)} <{DCT}license> <{EU}licence/CC_BY_4_0> .",
                  f"{_dist(j)} <{DCAT}mediaType> <http://www.iana.org/assignments/media-types/text/csv> ."]
    return lines


POOL = _pool()
contents = st.frozensets(st.sampled_from(POOL), max_size=25)


def _settings(tmp: Path) -> Settings:
    return load_settings(environ={}, config_file=tmp / "no-such-kg.toml", store="memory", base_iri=BASE)


def _put(store: Store, graph: str, lines: frozenset[str]) -> set[str] | None:
    """Replace a graph as a load does (PROV record with a source hash); returns the IRIs it changed."""
    data = "".join(line + "\n" for line in sorted(lines)).encode("utf-8")
    diff = GraphDiff()
    store.replace_graph_data(graph, data, "ntriples", BASE + "/", Provenance.now(graph, str(hash(lines))),
                             diff=diff)
    return diff.resources



def _quality_triples(store: Store) -> set[str]:
    data = store.execute(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{QUALITY}> {{ ?s ?p ?o }} }}",
                         max_rows=None).serialize("application/n-triples")
    return {line for line in data.decode("utf-8").splitlines() if line.strip()}


def _full(settings: Settings, graphs: dict[str, frozenset[str]]) -> set[str]:
    fresh = open_store(settings)
    try:
        for graph, lines in graphs.items():
            _put(fresh, graph, lines)
        quality.run(fresh, settings, validate=False)
        return _quality_triples(fresh)
    finally:
        fresh.close()


def _recorded_count(store: Store) -> int:
    """The quality graph's triple count in its PROV record (an empty graph is not listed: 0)."""
    info = store.graph_info(QUALITY)
    return 0 if info is None else info.triples


@hyp_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.tuples(contents, contents, contents),
       edits=st.lists(st.tuples(st.integers(0, 2), contents), min_size=1, max_size=3))
def test_incremental_equals_full_after_random_loads(tmp_path: Path, start: tuple[frozenset[str], ...],
                                                     edits: list[tuple[int, frozenset[str]]]) -> None:
    settings = _settings(tmp_path)
    store = open_store(settings)
    try:
        state = dict(zip(GRAPHS, start, strict=True))
        for graph, lines in state.items():
            _put(store, graph, lines)
        quality.run(store, settings, validate=False)
        for index, lines in edits:
            graph = GRAPHS[index]
            changed = _put(store, graph, lines)
            state[graph] = lines
            previous = _quality_triples(store)
            targets = changed if changed is not None else store.graph_resources(graph)
            if refresh_targets(store, settings, targets) is None:
                # only an empty quality graph (no record to patch) may send it to a full run
                assert not previous, "fell back to a full run"
                quality.run(store, settings, validate=False)
            expected = _full(settings, state)
            assert _quality_triples(store) == expected
            assert _recorded_count(store) == len(expected)
    finally:
        store.close()


def _catalogue(n: int, first: int) -> frozenset[str]:
    """``n`` complete datasets with one distribution each, numbered from ``first``."""
    lines = []
    for k in range(first, first + n):
        ds, dist = f"<{BASE}/id/dataset/c{k}>", f"<{BASE}/id/distribution/c{k}/csv>"
        lines += [f"{ds} <{RDF_TYPE}> <{DCAT}Dataset> .", f'{ds} <{DCAT}keyword> "k" .',
                  f"{ds} <{DCAT}distribution> {dist} .", f"{dist} <{DCT}format> <{EU}file-type/CSV> ."]
    return frozenset(lines)


@pytest.fixture()
def three_parts(tmp_path: Path) -> Iterator[tuple[Store, Settings]]:
    settings = _settings(tmp_path)
    store = open_store(settings)
    for k, graph in enumerate(GRAPHS):
        _put(store, graph, _catalogue(10, 10 * k))
    quality.run(store, settings, validate=False)
    yield store, settings
    store.close()


def test_only_the_changed_datasets_are_measured_again(three_parts: tuple[Store, Settings]) -> None:
    store, settings = three_parts
    edited = {line for line in _catalogue(10, 10) if "/c13>" not in line or "keyword" not in line}
    changed = _put(store, GRAPHS[1], frozenset(edited))
    assert changed == {f"{BASE}/id/dataset/c13"}                  # what the store says the load changed
    results = refresh_targets(store, settings, changed)
    assert results is not None and set(results) == {f"{BASE}/id/dataset/c13"}
    assert results[f"{BASE}/id/dataset/c13"].values["keywordAvailability"] is False
    # a reload with nothing changed touches nothing and measures nothing
    assert _put(store, GRAPHS[1], frozenset(edited)) == set()
    assert refresh_targets(store, settings, set()) == {}
    state = {GRAPHS[0]: _catalogue(10, 0), GRAPHS[1]: frozenset(edited), GRAPHS[2]: _catalogue(10, 20)}
    assert _quality_triples(store) == _full(settings, state)


def test_affected_follows_shared_and_lost_distributions(tmp_path: Path) -> None:
    """d0 loses its type: its distribution, shared with d1, must be measured again through d1."""
    store = open_store(_settings(tmp_path))
    try:
        shared = f"{BASE}/id/distribution/d/0"
        _put(store, GRAPHS[0], frozenset({f"{_ds(1)} <{RDF_TYPE}> <{DCAT}Dataset> .",
                                          f"{_ds(1)} <{DCAT}distribution> <{shared}> .",
                                          f"{_ds(0)} <{DCAT}distribution> <{shared}> ."}))
        datasets, targets = affected(store, {f"{BASE}/id/dataset/d0"})
        assert datasets == {f"{BASE}/id/dataset/d1"}
        assert targets == {f"{BASE}/id/dataset/d0", shared, f"{BASE}/id/dataset/d1"}
    finally:
        store.close()


def test_every_predicate_the_measurement_queries_read_is_watched() -> None:
    """The predicate lists in the .rq files and INPUT_PREDICATES must not drift apart."""
    for name in ("dataset-properties", "distribution-properties", "dataset-properties-of",
                 "distribution-properties-of"):
        text = (ROOT / "kg" / "queries" / "quality" / f"{name}.rq").read_text(encoding="utf-8")
        listed = re.search(r"\?p IN \(([^)]*)\)", text)
        assert listed is not None, name
        for term in re.findall(r"(\w+):(\w+)", listed.group(1)):
            assert PREFIXES[term[0]] + term[1] in quality.INPUT_PREDICATES, (name, term)


def test_kg_load_refreshes_incrementally_on_disk(tmp_path: Path) -> None:
    """Through the command line (inference, the pipeline, the catalogue index): a second load of one
    changed file measures one dataset, and the quality graph equals a full run."""
    files = []
    for k in range(3):
        path = tmp_path / f"part-{k}.nt"
        path.write_text("".join(line + "\n" for line in sorted(_catalogue(10, 10 * k))), encoding="utf-8")
        files.append(path)
    runner = CliRunner()
    env = {"KG_CONFIG": "no-such-kg.toml", "KG_SEARCH_AFTER_LOAD": "0"}
    args = ["--store-path", str(tmp_path / "store"), "--base-iri", BASE]
    with runner.isolated_filesystem(temp_dir=tmp_path):
        first = runner.invoke(main, [*args, "load", *map(str, files)], env=env)
        assert first.exit_code == 0, first.output
        assert "quality measured for 30 datasets" in first.output
        text = files[2].read_text(encoding="utf-8")
        files[2].write_text(text.replace('"k"', '"changed"', 1), encoding="utf-8")
        second = runner.invoke(main, [*args, "load", str(files[2])], env=env)
        assert second.exit_code == 0, second.output
        assert "quality measured again for 1 datasets" in second.output, second.output
    store = EmbeddedStore(BASE, tmp_path / "store")
    try:
        incremental = _quality_triples(store)
        assert _recorded_count(store) == len(incremental)
        quality.run(store, _settings(tmp_path), validate=False)
        assert _quality_triples(store) == incremental
    finally:
        store.close()
