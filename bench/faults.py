"""SIGKILL a running ``kg`` command (load, ingest, restore) and check that nothing is half-written.

kg promises that every named graph is either fully the old or fully the new
version, whatever moment a load dies at.  This harness checks that promise the
hard way: it runs a real ``kg`` command in a child process and kills it with
SIGKILL, either after a seeded random delay or exactly before its k-th write to
Oxigraph, then reopens the store (recovery runs on open), dumps it with
``kg dump`` and compares every graph with dumps of the two consistent states.

The child reports each write to the store on standard error (``@@write k name``
/ ``@@done k name``) so a run can say where it died; ``KG_FAULT_KILL_AT=k``
makes the child kill itself before write ``k``.  The same code serves
``tests/test_faults.py`` (a seeded, CI-sized campaign) and longer campaigns:

    python -m bench.faults --runs 100 --datasets 1000 --seed 7
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://kg.example.org"
PROV_TIME = "http://www.w3.org/ns/prov#generatedAtTime"
TRIPLE_COUNT = "https://kg.rammearkitektur.dk/def/kg#tripleCount"
#: Methods of ``pyoxigraph.Store`` that write.
WRITES = frozenset({"update", "bulk_load", "remove_graph", "clear", "extend", "load", "add", "remove",
                    "add_graph", "clear_graph"})


# -- the child ---------------------------------------------------------------------------------

class _WriteReporter:
    """Stands in for the ``pyoxigraph.Store`` of an EmbeddedStore: reports writes, may die before one."""

    def __init__(self, inner: ox.Store, kill_at: int) -> None:
        self._inner, self._kill_at, self._count = inner, kill_at, 0

    def __getattr__(self, name: str) -> object:
        attr = getattr(self._inner, name)
        if name not in WRITES:
            return attr

        def write(*args: object, **kwargs: object) -> object:
            self._count += 1
            number = self._count
            sys.stderr.write(f"@@write {number} {name}\n")
            sys.stderr.flush()
            if number == self._kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            result = attr(*args, **kwargs)  # type: ignore[operator]
            sys.stderr.write(f"@@done {number} {name}\n")
            sys.stderr.flush()
            return result

        return write


def child() -> None:
    """Entry point of the child: the ``kg`` command line with its store writes reported."""
    import kg.store.embedded as embedded

    kill_at = int(os.environ.get("KG_FAULT_KILL_AT", "0"))
    opened = embedded.EmbeddedStore.__init__

    def init(self: embedded.EmbeddedStore, *args: object, **kwargs: object) -> None:
        opened(self, *args, **kwargs)  # type: ignore[arg-type]
        self._ox = _WriteReporter(self._ox, kill_at)  # type: ignore[assignment]

    embedded.EmbeddedStore.__init__ = init  # type: ignore[method-assign]
    from kg.cli import main

    main(prog_name="kg")


def child_command(args: list[str]) -> list[str]:
    return [sys.executable, "-c", "from bench.faults import child; child()", *args]


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The child's environment: this checkout importable, kg's own settings pinned."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update({"PYTHONPATH": str(ROOT), "KG_BASE_IRI": BASE, "KG_CONFIG": "no-such-kg.toml",
                "KG_QUALITY_AFTER_LOAD": "0", "KG_INFER_AFTER_LOAD": "0"})
    env.update(extra or {})
    return env


# -- states ------------------------------------------------------------------------------------

Triples = frozenset[tuple[str, str, str]]


@dataclass
class State:
    """A store's content as ``kg dump`` writes it: triples per content graph and PROV per graph."""

    graphs: dict[str, Triples]
    records: dict[str, frozenset[tuple[str, str]]]

    def record(self, graph: str, with_time: bool = True) -> frozenset[tuple[str, str]]:
        rec = self.records.get(graph, frozenset())
        return rec if with_time else frozenset(x for x in rec if x[0] != PROV_TIME)


def dump_state(store_path: Path, work: Path) -> State:
    """Dump a store with ``kg dump`` (reopening it, so recovery runs) and read the dump back."""
    from click.testing import CliRunner

    from kg.cli import main

    out = work / f"dump-{time.monotonic_ns()}.nq"
    result = CliRunner().invoke(main, ["--store-path", str(store_path), "--base-iri", BASE, "dump", str(out)],
                                env={"KG_CONFIG": "no-such-kg.toml"}, catch_exceptions=False)
    if result.exit_code != 0:
        raise AssertionError(f"kg dump failed: {result.output}")
    meta = f"{BASE}/graph/meta"
    graphs: dict[str, set[tuple[str, str, str]]] = {}
    records: dict[str, set[tuple[str, str]]] = {}
    for quad in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS):
        g = str(quad.graph_name)
        if g == f"<{meta}>":
            records.setdefault(quad.subject.value, set()).add((quad.predicate.value, str(quad.object)))
        else:
            graphs.setdefault(g[1:-1], set()).add((str(quad.subject), str(quad.predicate), str(quad.object)))
    out.unlink()
    return State({g: frozenset(t) for g, t in graphs.items()}, {s: frozenset(r) for s, r in records.items()})


_DATETIME = "^^<http://www.w3.org/2001/XMLSchema#dateTime>"


def _timeless(triples: Triples) -> Triples:
    """The triples without their load times (a derived graph records when the sources were loaded)."""
    return frozenset(t for t in triples if not t[2].endswith(_DATETIME))


def _same(a: Triples, b: Triples) -> bool:
    """Equal as graphs (up to load times): set equality, or isomorphism when blank nodes are involved."""
    a, b = _timeless(a), _timeless(b)
    if a == b:
        return True
    if len(a) != len(b) or not any(t.startswith("_:") for triple in a | b for t in triple):
        return False
    from rdflib import Graph
    from rdflib.compare import isomorphic

    def graph(triples: Triples) -> Graph:
        return Graph().parse(data="".join(f"{s} {p} {o} .\n" for s, p, o in triples), format="nt")

    return isomorphic(graph(a), graph(b))


def check_state(found: State, old: State, new: State) -> list[str]:
    """What is wrong with ``found``, given the consistent states before and after; empty when all is well."""
    problems = []
    for graph in sorted(set(found.graphs) | set(old.graphs) | set(new.graphs) | set(found.records)):
        if "/graph/staging/" in graph:
            problems.append(f"staging graph visible: {graph}")
            continue
        content = found.graphs.get(graph, frozenset())
        matches = [name for name, state in (("old", old), ("new", new))
                   if _same(content, state.graphs.get(graph, frozenset()))]
        if not matches:
            before, after = len(old.graphs.get(graph, ())), len(new.graphs.get(graph, ()))
            problems.append(f"{graph}: {len(content)} triples, neither old ({before}) nor new ({after})")
            continue
        record = found.record(graph)
        if "old" in matches and record == old.record(graph):
            continue
        if "new" in matches and found.record(graph, with_time=False) == new.record(graph, with_time=False):
            continue
        problems.append(f"{graph}: PROV record does not match its content ({matches[0]}): {sorted(record)}")
    for graph, record in found.records.items():
        counts = [o for p, o in record if p == TRIPLE_COUNT]
        size = len(found.graphs.get(graph, ()))
        if counts and not counts[0].startswith(f'"{size}"'):
            problems.append(f"{graph}: PROV says {counts[0]} triples, the graph has {size}")
    return problems


def check_whole_store(found: State, old: State, new: State) -> list[str]:
    """What is wrong with ``found`` for a command that replaces the whole store: it must be the old
    state in every graph or the new state in every graph, never some graphs of each."""
    def same(state: State, with_time: bool) -> bool:
        names = set(found.graphs) | set(state.graphs)
        records = set(found.records) | set(state.records)
        return (all(_same(found.graphs.get(g, frozenset()), state.graphs.get(g, frozenset())) for g in names)
                and all(found.record(g, with_time) == state.record(g, with_time) for g in records))

    if same(old, with_time=True) or same(new, with_time=False):
        return []
    return [f"the store is neither wholly old nor wholly new: graphs {sorted(found.graphs)}"]


def hidden_leftovers(store_path: Path) -> list[str]:
    """Graphs or load markers a dead load left behind, as seen after reopening (recovery has run)."""
    from kg.store.embedded import EmbeddedStore

    store = EmbeddedStore(BASE, store_path)
    try:
        marks = [g for g in store._hidden()]
        raw = [g.value for g in store._ox.named_graphs() if "/graph/staging/" in g.value]
        return sorted(set(marks) | set(raw))
    finally:
        store.close()


# -- runs --------------------------------------------------------------------------------------

@dataclass
class Reference:
    """A complete run of the command: how long it took and the writes it made, with their start times."""

    seconds: float
    writes: list[tuple[int, str, float, float]]  # number, method, start, end (seconds after launch)


@dataclass
class Scenario:
    """A command to kill, and the store it starts from."""

    name: str
    work: Path
    start: Path                 # a closed store holding the old state
    command: list[str]          # kg arguments (without --store-path)
    env: dict[str, str] = field(default_factory=dict)
    #: The command replaces the whole store (``kg restore``): every graph must be old, or every graph new.
    whole_store: bool = False


@dataclass
class Outcome:
    scenario: str
    how: str        # "random 0.84s" or "before write 3"
    where: str      # "before any write", "in write 2 (bulk_load)", "after write 4", "finished"
    problems: list[str]


def _watch(stream: object, lines: list[tuple[float, str]], started: float) -> None:
    for raw in stream:  # type: ignore[attr-defined]
        lines.append((time.monotonic() - started, raw.decode("utf-8", "replace").rstrip("\n")))


def run_child(scenario: Scenario, store: Path, delay: float | None = None,
              kill_at: int = 0) -> tuple[int, list[tuple[float, str]]]:
    """Run the command on ``store``; SIGKILL it after ``delay`` seconds or before write ``kill_at``."""
    env = child_env({**scenario.env, **({"KG_FAULT_KILL_AT": str(kill_at)} if kill_at else {})})
    args = ["--store-path", str(store), *scenario.command]
    started = time.monotonic()
    proc = subprocess.Popen(child_command(args), cwd=scenario.work, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    lines: list[tuple[float, str]] = []
    reader = threading.Thread(target=_watch, args=(proc.stderr, lines, started), daemon=True)
    reader.start()
    if delay is not None:
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
    code = proc.wait(timeout=600)
    reader.join(timeout=10)
    return code, lines


def reference(scenario: Scenario) -> tuple[Reference, Path]:
    """Run the command to the end on a copy of the start store; returns its timing and the final store."""
    done = scenario.work / "reference"
    shutil.rmtree(done, ignore_errors=True)
    shutil.copytree(scenario.start, done)
    started = time.monotonic()
    code, lines = run_child(scenario, done)
    seconds = time.monotonic() - started
    if code != 0:
        raise AssertionError(f"{scenario.name}: the command failed: "
                             + "\n".join(t for _, t in lines if not t.startswith("@@")))
    begins = {int(t.split()[1]): (t.split()[2], at) for at, t in lines if t.startswith("@@write")}
    ends = {int(t.split()[1]): at for at, t in lines if t.startswith("@@done")}
    writes = [(n, name, at, ends.get(n, at)) for n, (name, at) in sorted(begins.items())]
    return Reference(seconds, writes), done


def where_it_died(code: int, lines: list[tuple[float, str]]) -> str:
    if code == 0:
        return "finished"
    marks = [t.split() for _, t in lines if t.startswith("@@")]
    if not marks:
        return "before any write"
    kind, number, name = marks[-1]
    return f"in write {number} ({name})" if kind == "@@write" else f"after write {number} ({name})"


def campaign(scenario: Scenario, runs: int, seed: int,
             report: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """``runs`` kills: alternately before each write in turn and after a seeded random delay."""
    rng = random.Random(f"{seed}:{scenario.name}")
    old = dump_state(scenario.start, scenario.work)
    ref, done = reference(scenario)
    new = dump_state(done, scenario.work)
    outcomes = []
    for i in range(runs):
        store = scenario.work / f"run-{i}"
        shutil.rmtree(store, ignore_errors=True)
        shutil.copytree(scenario.start, store)
        if i % 2 == 0 and ref.writes:
            kill_at = ref.writes[(i // 2) % len(ref.writes)][0]
            how, (code, lines) = f"before write {kill_at}", run_child(scenario, store, kill_at=kill_at)
        else:
            delay = rng.uniform(0.0, ref.seconds)
            how, (code, lines) = f"random {delay:.2f}s", run_child(scenario, store, delay=delay)
        where = where_it_died(code, lines)
        problems = [f"left hidden: {g}" for g in hidden_leftovers(store)]
        found = dump_state(store, scenario.work)
        problems += check_state(found, old, new)
        if scenario.whole_store:
            problems += check_whole_store(found, old, new)
        outcome = Outcome(scenario.name, how, where, problems)
        outcomes.append(outcome)
        if report is not None:
            report(outcome)
        shutil.rmtree(store, ignore_errors=True)
    return outcomes


# -- scenarios ---------------------------------------------------------------------------------

def _kg(work: Path, store: Path, *args: str) -> None:
    proc = subprocess.run(child_command(["--store-path", str(store), *args]), cwd=work, env=child_env(),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"kg {' '.join(args)} failed (exit {proc.returncode}): {proc.stderr}")


def generate(work: Path, datasets: int, seed: int, name: str) -> Path:
    """A synthetic catalogue, as ``python -m bench.generate N -o FILE`` writes it."""
    from bench.generate import write

    path = work / name
    with path.open("w", encoding="utf-8") as out:
        write(datasets, out, base=BASE, seed=seed)
    return path


def conceptlist_csv(path: Path, concepts: int, version: int) -> Path:
    """A large concept list in the ingest's layout; ``version`` changes every definition."""
    lines = ["Foretrukken term (da);Definition (da);Accepteret term (da)"]
    for i in range(concepts):
        lines.append(f"begreb {i:05d};definition {version} af begreb nummer {i} i den syntetiske liste;"
                     f"alternativ {i:05d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _sources(work: Path, datasets: int) -> tuple[Path, Path]:
    """What every scenario starts from, written into ``work``: two versions of the bench graph's
    catalogue (the second a quarter the size, so a replace both adds and removes) and ``keep.ttl``,
    a graph no command touches, so a kill that harms a bystander graph is seen."""
    work.mkdir(parents=True, exist_ok=True)
    one = generate(work, datasets, 1, "catalog-1.nt")
    two = generate(work, max(datasets // 4, 1), 2, "catalog-2.nt")
    (work / "keep.ttl").write_text("<http://example.org/kept> <http://example.org/p> \"untouched\" .\n",
                                   encoding="utf-8")
    return one, two


def build_scenarios(work: Path, datasets: int = 1000, concepts: int = 3000) -> list[Scenario]:
    """The four commands of issue 9: load (new graph), load (replace), ingest conceptlist, ingest agenda."""
    graph = f"{BASE}/graph/bench"
    one, two = _sources(work, datasets)
    scenarios = []

    empty = work / "start-new"
    _kg(work, empty, "load", "keep.ttl")
    scenarios.append(Scenario("load-new", work, empty, ["load", "--graph", graph, one.name]))

    loaded = work / "start-replace"
    _kg(work, loaded, "load", "keep.ttl")
    _kg(work, loaded, "load", "--graph", graph, one.name)
    scenarios.append(Scenario("load-replace", work, loaded, ["load", "--graph", graph, two.name]))

    (work / "conceptlists").mkdir(exist_ok=True)
    listed = conceptlist_csv(work / "conceptlists" / "synthetic.csv", concepts, 1)
    concept_store = work / "start-conceptlist"
    _kg(work, concept_store, "load", "keep.ttl")
    _kg(work, concept_store, "ingest", "conceptlist", "conceptlists/synthetic.csv")
    conceptlist_csv(listed, concepts, 2)   # the new version of the same list replaces its graph
    scenarios.append(Scenario("ingest-conceptlist", work, concept_store,
                              ["ingest", "conceptlist", "conceptlists/synthetic.csv"]))

    agenda = ROOT / "data" / "agendas" / "it-arkitekturraadet-2023-11-30.md"
    if agenda.is_file():
        folder = work / "agendas"
        folder.mkdir(exist_ok=True)
        text = agenda.read_text(encoding="utf-8")
        (folder / "meeting.md").write_text(text, encoding="utf-8")
        agenda_store = work / "start-agenda"
        _kg(work, agenda_store, "load", "keep.ttl")
        _kg(work, agenda_store, "ingest", "agenda", "agendas/meeting.md")
        # the new version: the same agenda with the secretariat's edits to every item title line
        edited = "\n".join(line + " (rettet)" if line.startswith("#") else line for line in text.splitlines())
        (folder / "meeting.md").write_text(edited + "\n", encoding="utf-8")
        scenarios.append(Scenario("ingest-agenda", work, agenda_store,
                                  ["ingest", "agenda", "agendas/meeting.md"]))
    return scenarios


def build_restore_scenarios(work: Path, datasets: int = 1000) -> list[Scenario]:
    """``kg restore`` of one dump into an empty store and over a store holding other graphs.

    The dump holds a kept graph, the bench graph and a graph the old store lacks; the old store
    of the second scenario holds another version of the bench graph and a graph the dump lacks.
    """
    graph = f"{BASE}/graph/bench"
    one, two = _sources(work, datasets)
    (work / "only-in-dump.ttl").write_text("<http://example.org/new> <http://example.org/p> _:b .\n"
                                           "_:b <http://example.org/q> \"in the dump\" .\n", encoding="utf-8")
    (work / "only-in-store.ttl").write_text(
        "<http://example.org/old> <http://example.org/p> \"only in the old store\" .\n", encoding="utf-8")
    source = work / "restore-source"
    _kg(work, source, "load", "keep.ttl", "only-in-dump.ttl")
    _kg(work, source, "load", "--graph", graph, two.name)
    _kg(work, source, "dump", "restore.nq")

    empty = work / "start-restore-empty"
    _kg(work, empty, "graphs")
    replace = work / "start-restore-replace"
    _kg(work, replace, "load", "keep.ttl", "only-in-store.ttl")
    _kg(work, replace, "load", "--graph", graph, one.name)
    command = ["restore", "--yes", "restore.nq"]
    return [Scenario("restore-empty", work, empty, command, whole_store=True),
            Scenario("restore-replace", work, replace, command, whole_store=True)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="kills per scenario")
    parser.add_argument("--datasets", type=int, default=1000, help="size of the generated catalogue")
    parser.add_argument("--concepts", type=int, default=3000, help="size of the generated concept list")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "faults")
    args = parser.parse_args(argv)
    shutil.rmtree(args.work, ignore_errors=True)
    failures = 0
    places: Counter[str] = Counter()
    scenarios = build_scenarios(args.work, args.datasets, args.concepts)
    scenarios += build_restore_scenarios(args.work / "restore", args.datasets)
    for scenario in scenarios:
        def show(outcome: Outcome) -> None:
            nonlocal failures
            failures += bool(outcome.problems)
            places[f"{outcome.scenario}: {outcome.where}"] += 1
            status = "OK  " if not outcome.problems else "FAIL"
            print(f"{status} {outcome.scenario:20} {outcome.how:16} died {outcome.where}", flush=True)
            for problem in outcome.problems:
                print(f"     {problem}", flush=True)

        campaign(scenario, args.runs, args.seed, report=show)
    for place, count in sorted(places.items()):
        print(f"{count:4}  {place}")
    print(f"{sum(places.values())} kills, {failures} inconsistent")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
