"""`kg load` throughput and memory against raw pyoxigraph bulk loading, side by side.

For each catalogue size it generates one N-Triples file, then, each in a fresh
process on a fresh on-disk store:

* raw: ``pyoxigraph.Store(dir).bulk_load(path=file, to_graph=g)``: the lower bound;
* kg: ``kg load file``: parse check, hidden bulk load, PROV, switch-in;
* kg reload: ``kg load --force file`` on that store: the atomic replacement of an
  existing graph (staging graph + one switching transaction writing the difference);
  measured up to ``--reload-up-to`` datasets, since one transaction over millions of
  triples is slow (see the closing notes of the foundation issue).

Then memory against the number of graphs already stored: the peak RSS of
``kg load`` of one file into stores that already hold 0 and G small graphs.

    python -m bench.load --sizes 10000 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from bench import generate
from bench.measure import Run, median, run

RAW = ("import sys, pyoxigraph as ox; s = ox.Store(sys.argv[1]); "
       "s.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(sys.argv[3])); "
       "s.flush()")


def _env(store: Path) -> dict[str, str]:
    env = dict(os.environ)
    # The derived steps after a load (inference, quality, search index) are switched off: this
    # measures loading itself; bench/reason.py, bench/harvest.py and bench/pages.py measure the rest.
    env.update(KG_STORE="embedded", KG_STORE_PATH=str(store), KG_INFER_AFTER_LOAD="false",
               KG_QUALITY_AFTER_LOAD="false", KG_SEARCH_AFTER_LOAD="false")
    return env


def _check(result: Run, what: str) -> Run:
    if result.returncode != 0:
        sys.exit(f"{what} failed:\n{result.stderr}")
    return result


def bench_size(n: int, workdir: Path, repeat: int, reload: bool) -> dict[str, float]:
    data = workdir / f"catalog-{n}.nt"
    if not data.exists():
        with data.open("w", encoding="utf-8") as out:
            triples = generate.write(n, out)
    else:
        triples = sum(1 for _ in data.open(encoding="utf-8"))
    kg = [sys.executable, "-m", "kg.cli"]
    raw_runs, kg_runs, reload_runs = [], [], []
    for i in range(repeat):
        raw_store, kg_store = workdir / f"raw-{n}-{i}", workdir / f"kg-{n}-{i}"
        raw_runs.append(_check(run([sys.executable, "-c", RAW, str(raw_store), str(data),
                                    "https://kg.rammearkitektur.dk/graph/catalog"]), "raw bulk load"))
        kg_runs.append(_check(run([*kg, "load", str(data)], env=_env(kg_store), cwd=str(workdir)), "kg load"))
        if reload:
            reload_runs.append(_check(run([*kg, "load", "--force", str(data)], env=_env(kg_store),
                                          cwd=str(workdir)), "kg reload"))
        shutil.rmtree(raw_store)
        shutil.rmtree(kg_store)
    raw_s = median([r.seconds for r in raw_runs])
    kg_s = median([r.seconds for r in kg_runs])
    re_s = median([r.seconds for r in reload_runs]) if reload_runs else float("nan")
    return {
        "datasets": n, "triples": triples,
        "raw_s": raw_s, "kg_s": kg_s, "reload_s": re_s,
        "raw_tps": triples / raw_s, "kg_tps": triples / kg_s, "reload_tps": triples / re_s,
        "ratio": kg_s / raw_s, "reload_ratio": re_s / raw_s,
        "raw_mb": max(r.peak_rss_mb for r in raw_runs), "kg_mb": max(r.peak_rss_mb for r in kg_runs),
        "reload_mb": max((r.peak_rss_mb for r in reload_runs), default=float("nan")),
    }


def bench_graph_count(workdir: Path, graphs: int) -> dict[str, float]:
    """Peak RSS of loading one 10k-dataset file into a store already holding 0 or ``graphs`` graphs."""
    small = workdir / "small"
    small.mkdir(exist_ok=True)
    for k in range(graphs):
        with (small / f"g{k:04d}.nt").open("w", encoding="utf-8") as out:
            generate.write(5, out, seed=k)
    big = workdir / "one-more.nt"
    with big.open("w", encoding="utf-8") as out:
        generate.write(10_000, out, seed=99)
    kg = [sys.executable, "-m", "kg.cli"]
    empty, full = workdir / "store-empty", workdir / "store-full"
    _check(run([*kg, "load", str(small)], env=_env(full), cwd=str(workdir)), "pre-load")
    r0 = _check(run([*kg, "load", str(big)], env=_env(empty), cwd=str(workdir)), "load into empty")
    r1 = _check(run([*kg, "load", str(big)], env=_env(full), cwd=str(workdir)), "load into full")
    return {"graphs": graphs, "empty_mb": r0.peak_rss_mb, "full_mb": r1.peak_rss_mb,
            "empty_s": r0.seconds, "full_s": r1.seconds}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reload-up-to", type=int, default=10_000,
                        help="measure the forced reload only up to this many datasets (it is slow)")
    parser.add_argument("--graphs", type=int, default=300, help="graphs already stored, for the memory test")
    parser.add_argument("--workdir", type=Path, help="keep generated files here (default: a temp dir)")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"{'datasets':>9} {'triples':>9} | {'raw s':>7} {'kg s':>7} {'ratio':>6} | {'reload s':>8} "
          f"{'ratio':>6} | {'raw t/s':>8} {'kg t/s':>8} | {'raw MB':>6} {'kg MB':>6} {'rel MB':>6}")
    for n in args.sizes:
        r = bench_size(n, workdir, args.repeat, reload=n <= args.reload_up_to)
        print(f"{r['datasets']:>9} {r['triples']:>9} | {r['raw_s']:>7.2f} {r['kg_s']:>7.2f} "
              f"{r['ratio']:>6.2f} | "
              f"{r['reload_s']:>8.2f} {r['reload_ratio']:>6.2f} | {r['raw_tps']:>8.0f} {r['kg_tps']:>8.0f} | "
              f"{r['raw_mb']:>6.0f} {r['kg_mb']:>6.0f} {r['reload_mb']:>6.0f}", flush=True)
    g = bench_graph_count(workdir, args.graphs)
    print(f"\nload of 10k datasets into a store holding 0 graphs: {g['empty_mb']:.0f} MB peak, "
          f"{g['empty_s']:.2f} s; "
          f"holding {g['graphs']} graphs: {g['full_mb']:.0f} MB peak, {g['full_s']:.2f} s")
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
