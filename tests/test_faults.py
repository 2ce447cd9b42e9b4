"""Faults while loading: SIGKILL at any moment, readers during a load, a second process, dump during load.

Each graph must always be either fully the old or fully the new version, with
PROV that agrees with it; the harness is :mod:`bench.faults` (it also runs
longer campaigns from the command line).
"""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset
from rdflib.compare import isomorphic

from bench.faults import (
    BASE,
    Scenario,
    State,
    build_restore_scenarios,
    build_scenarios,
    campaign,
    check_state,
    check_whole_store,
    child_command,
    child_env,
    dump_state,
    generate,
    run_child,
)
from kg.cli import main
from kg.config import load_settings
from kg.loading import load_paths
from kg.store import StoreUnavailable, open_store
from kg.store.embedded import EmbeddedStore
from kg.write import Writer

GRAPH = f"{BASE}/graph/bench"
META = f"{BASE}/graph/meta"


# -- the checker itself can fail ---------------------------------------------------------------

def test_check_state_catches_half_graphs_staging_and_wrong_prov() -> None:
    old = State({GRAPH: frozenset({("<a>", "<p>", '"1"'), ("<a>", "<p>", '"2"')})},
                {GRAPH: frozenset({("k#tripleCount", '"2"'), ("prov#generatedAtTime", "t1")})})
    new = State({GRAPH: frozenset({("<a>", "<p>", '"3"')})},
                {GRAPH: frozenset({("k#tripleCount", '"1"'), ("prov#generatedAtTime", "t2")})})
    assert check_state(old, old, new) == []
    half = State({GRAPH: frozenset({("<a>", "<p>", '"1"')})}, old.records)
    assert "neither old" in check_state(half, old, new)[0]
    mixed = State(new.graphs, old.records)          # new content, old PROV
    assert "PROV record" in check_state(mixed, old, new)[0]
    staging = State({**old.graphs, f"{BASE}/graph/staging/x?for=y": frozenset({("<a>", "<p>", '"3"')})},
                    old.records)
    assert "staging graph visible" in check_state(staging, old, new)[0]


# -- SIGKILL ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_sigkill_at_random_moments_leaves_old_or_new(tmp_path_factory: pytest.TempPathFactory) -> None:
    """20 kills (5 per command): half before each store write in turn, half after a seeded random delay."""
    work = tmp_path_factory.mktemp("faults")
    scenarios = build_scenarios(work, datasets=300, concepts=1000)
    assert [s.name for s in scenarios] == ["load-new", "load-replace", "ingest-conceptlist", "ingest-agenda"]
    _kill_and_check(scenarios, runs=[5] * len(scenarios))


def _kill_and_check(scenarios: list[Scenario], runs: list[int]) -> None:
    """Run each scenario's seeded kill campaign (``runs`` kills each); no kill may leave a broken store,
    and in every scenario some kill must land inside a write, or the campaign proved nothing."""
    places: Counter[str] = Counter()
    failures = []
    for scenario, count in zip(scenarios, runs, strict=True):
        for outcome in campaign(scenario, runs=count, seed=20231130):
            places[f"{outcome.scenario}: {outcome.where.split(' (')[0]}"] += 1
            failures += [f"{outcome.scenario} {outcome.how} (died {outcome.where}): {p}"
                         for p in outcome.problems]
    assert not failures, "\n".join(failures)
    for scenario in scenarios:
        inside = [p for p in places if p.startswith(scenario.name) and " in write" in p]
        assert inside, f"{scenario.name}: no kill landed inside a write: {places}"


def test_check_whole_store_catches_a_mixture_of_old_and_new() -> None:
    other = f"{BASE}/graph/other"
    old = State({GRAPH: frozenset({("<a>", "<p>", '"1"')}), other: frozenset({("<b>", "<p>", '"1"')})},
                {GRAPH: frozenset({("k#tripleCount", '"1"')}), other: frozenset({("k#tripleCount", '"1"')})})
    new = State({GRAPH: frozenset({("<a>", "<p>", '"2"')})}, {GRAPH: frozenset({("k#tripleCount", '"1"')})})
    assert check_whole_store(old, old, new) == [] and check_whole_store(new, old, new) == []
    mixed = State({GRAPH: new.graphs[GRAPH], other: old.graphs[other]}, {**old.records, **new.records})
    assert check_state(mixed, old, new) == []          # each graph alone is old or new...
    assert "neither wholly old nor wholly new" in check_whole_store(mixed, old, new)[0]  # ...but not together
    assert check_whole_store(State({}, {}), old, new)  # an emptied store is neither


@pytest.mark.slow
def test_sigkill_during_restore_leaves_the_old_or_the_restored_store(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """20 kills of `kg restore` (into an empty store, over a full one): before each write, and at random."""
    work = tmp_path_factory.mktemp("restore-faults")
    scenarios = build_restore_scenarios(work, datasets=1000)   # a dump over 1 MiB: bulk-loaded
    _kill_and_check(scenarios, runs=[8, 12])


def test_recovery_is_what_removes_a_dead_load(tmp_path: Path) -> None:
    """Killed before its commit, a new graph's load leaves hidden triples on disk; opening drops them."""
    work = tmp_path
    (work / "keep.ttl").write_text('<http://example.org/k> <http://example.org/p> "k" .\n', encoding="utf-8")
    big = generate(work, 200, 1, "catalog.nt")
    store = work / "store"
    code = subprocess.run(child_command(["--store-path", str(store), "load", "keep.ttl"]), cwd=work,
                          env=child_env(), capture_output=True).returncode
    assert code == 0
    before = dump_state(store, work)
    scenario = Scenario("load-new", work, store, ["load", "--graph", GRAPH, big.name])
    code, lines = run_child(scenario, store, kill_at=3)          # write 3 is the commit of the PROV record
    assert code == -9 and lines[-1][1] == "@@write 3 update"
    raw = ox.Store(str(store))                                  # without kg: no recovery
    assert ox.NamedNode(GRAPH) in set(raw.named_graphs())
    assert len(list(raw.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH)))) > 7000
    del raw
    after = dump_state(store, work)                             # kg reopens the store: recovery runs
    assert after.graphs == before.graphs and after.records == before.records


# -- readers during a load, in the same process ----------------------------------------------

def _counts_query() -> str:
    """The graph's triples and all content triples, from one snapshot."""
    graph = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    content = f"SELECT (COUNT(*) AS ?all) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{META}>) }}"
    return f"SELECT ?n ?all WHERE {{ {{ {graph} }} {{ {content} }} }}"


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["new", "replace"])
def test_readers_never_see_a_half_loaded_graph(tmp_path: Path, mode: str) -> None:
    one, two = generate(tmp_path, 600, 1, "one.nt"), generate(tmp_path, 150, 2, "two.nt")
    settings = load_settings(environ={}, config_file=tmp_path / "none.toml", store_path=tmp_path / "store",
                             base_iri=BASE)
    store = open_store(settings)
    try:
        if mode == "replace":
            load_paths(store, settings, [one], graph=GRAPH)

        def counts() -> tuple[int, int]:
            row = store.select(_counts_query())[0]
            return int(row["n"]), int(row["all"])

        before = counts()
        seen: list[tuple[float, tuple[int, int]]] = []
        loading = threading.Event()
        stop = threading.Event()

        def reader() -> None:
            while not stop.is_set():
                seen.append((time.monotonic(), counts()))
                if not loading.is_set():
                    time.sleep(0.001)

        thread = threading.Thread(target=reader)
        thread.start()
        loading.set()
        started = time.monotonic()
        outcome = load_paths(store, settings, [two if mode == "replace" else one], graph=GRAPH, force=True)
        ended = time.monotonic()
        stop.set()
        thread.join()
        assert outcome[0].status == "loaded"
        after = counts()
        assert after != before
        during = [c for t, c in seen if started <= t <= ended]
        assert len(during) >= 3, f"the reader was starved during the load ({len(during)} reads)"
        odd = Counter(c for _, c in seen if c not in {before, after})
        assert not odd, f"half-loaded states seen: {odd} (old {before}, new {after})"
    finally:
        store.close()


@pytest.mark.slow
def test_dump_during_a_load_restores_to_a_consistent_state(tmp_path: Path) -> None:
    """Dumps taken while a load replaces a graph (and the pipeline derives from it) restore to exactly
    the old or the new state: a restore derives again, so derived graphs caught mid-way are made whole."""
    keep = tmp_path / "keep.ttl"
    keep.write_text('<http://example.org/k> <http://example.org/p> "k" .\n', encoding="utf-8")
    one, two = generate(tmp_path, 200, 1, "one.nt"), generate(tmp_path, 80, 2, "two.nt")
    settings = load_settings(environ={}, config_file=tmp_path / "none.toml", store_path=tmp_path / "store",
                             base_iri=BASE)
    store = open_store(settings)
    dumps: list[bytes] = []
    try:
        writer = Writer(store, settings)
        writer.load([keep])
        writer.load([one], graph=GRAPH)
        old = io.BytesIO()
        store.dump(old)
        stop = threading.Event()

        def dumper() -> None:
            while not stop.is_set():
                out = io.BytesIO()
                store.dump(out)
                dumps.append(out.getvalue())

        thread = threading.Thread(target=dumper)
        thread.start()
        writer.load([two], graph=GRAPH)
        stop.set()
        thread.join()
        new = io.BytesIO()
        store.dump(new)
    finally:
        store.close()
    assert len(dumps) >= 2
    states = {"old": _dataset(old.getvalue()), "new": _dataset(new.getvalue())}
    # every distinct state the dumps caught (each restore derives again, so restoring all is slow)
    distinct = list(dict.fromkeys(dumps))
    picked = sorted({round(k * (len(distinct) - 1) / 7) for k in range(8)}) if len(distinct) > 8 \
        else range(len(distinct))
    for number in picked:
        dumped = distinct[number]
        path = tmp_path / f"during-{number}.nq"
        path.write_bytes(dumped)
        target = tmp_path / f"restored-{number}"
        runner = CliRunner()
        result = runner.invoke(main, ["--store-path", str(target), "--base-iri", BASE, "restore", str(path)],
                               env={"KG_CONFIG": "none.toml"})
        assert result.exit_code == 0, result.output
        again = tmp_path / f"again-{number}.nq"
        assert runner.invoke(main, ["--store-path", str(target), "--base-iri", BASE, "dump", str(again)],
                             env={"KG_CONFIG": "none.toml"}).exit_code == 0
        restored = _dataset(again.read_bytes())
        assert any(_same_dataset(restored, state, ignore_time=True) for state in states.values()), \
            f"dump {number} taken during the load is neither the old nor the new state"


def _dataset(nquads: bytes) -> Dataset:
    data = Dataset()
    data.parse(data=nquads.decode("utf-8"), format="nquads")
    return data


def _same_dataset(a: Dataset, b: Dataset, ignore_time: bool) -> bool:
    """Graph by graph isomorphic; PROV load times may differ (the runs were at other moments).

    Derived graphs are compared by content only: their PROV records say how and when the pipeline
    wrote them (in full, or patched), which legitimately differs between two runs.
    """
    names = {g.identifier for g in a.graphs() if len(g)} | {g.identifier for g in b.graphs() if len(g)}
    for name in names:
        ga, gb = a.graph(name), b.graph(name)
        if ignore_time and str(name) == META:
            ga = _asserted_records(ga)
            gb = _asserted_records(gb)
        if not isomorphic(ga, gb):
            return False
    return True


def _asserted_records(graph: object) -> object:
    from rdflib import Graph, URIRef

    from kg.graphs import kind_of

    out = Graph()
    for triple in graph:  # type: ignore[attr-defined]
        if triple[1] == URIRef("http://www.w3.org/ns/prov#generatedAtTime"):
            continue
        if kind_of(str(triple[0]), BASE) != "derived":
            out.add(triple)
    return out


# -- a second process --------------------------------------------------------------------------

def test_second_process_gets_one_clear_line(tmp_path: Path) -> None:
    """While one process holds the embedded store, another `kg` says so in one line and exits 1."""
    path = tmp_path / "store"
    holder = EmbeddedStore(BASE, path)
    try:
        with pytest.raises(StoreUnavailable, match="open in another kg process"):
            EmbeddedStore(BASE, path)
        (tmp_path / "a.ttl").write_text("<http://e/a> <http://e/p> 1 .\n", encoding="utf-8")
        for args in (["graphs"], ["load", "a.ttl"], ["dump"], ["query", "ASK {}"]):
            command = [sys.executable, "-c", "from kg.cli import main; main()", "--store-path", str(path)]
            proc = subprocess.run([*command, *args],
                                  cwd=tmp_path, env=child_env(), capture_output=True, text=True, timeout=120)
            assert proc.returncode == 1, (args, proc.stderr)
            lines = proc.stderr.strip().splitlines()
            assert len(lines) == 1, (args, proc.stderr)
            assert "Traceback" not in proc.stderr
            assert lines[0].startswith("Error: the store at ") and "open in another kg process" in lines[0]
    finally:
        holder.close()
