"""Validation benchmark: kg's validation (shapes compiled to SPARQL) against one whole-graph pyshacl run.

    python -m bench.validate 1000 10000 100000 [--jobs 2] [--skip-whole-above 10000] [--per-resource]

For each size N a catalogue is generated (bench.generate, ~39 triples per dataset), loaded with the
EU authority-table values into an in-memory store, and validated against shapes/*.ttl: by kg's default
engine (the shapes compiled to SPARQL, run by Oxigraph in ``--jobs`` threads), optionally by pyshacl per
resource in worker processes (``--per-resource``), and by one whole-graph pyshacl run (the reference,
skipped above ``--skip-whole-above``: it holds everything in rdflib and takes long).  Each line gives
wall-clock seconds, this process's CPU seconds, the ratio to the whole-graph run, whether the results
are equal, and the peak memory of this process (ru_maxrss).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.generate import write
from kg import validation as v
from kg.config import load_settings
from kg.loading import load_paths
from kg.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(run: Callable[[], v.Report]) -> tuple[v.Report, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    report = run()
    return report, time.perf_counter() - wall, time.process_time() - cpu


def run(n: int, jobs: int, skip_whole_above: int, per_resource: bool) -> str:
    settings = load_settings(environ={}, store="memory")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"catalog-{n}.nt"
        with path.open("w", encoding="utf-8") as out:
            triples = write(n, out, settings.base_iri)
        store = open_store(settings)
        start = time.perf_counter()
        load_paths(store, settings, [path, ROOT / "data" / "vocabularies" / "eu-authority-tables.ttl"])
        load_s = time.perf_counter() - start
    shapes = v.load_shapes(v.default_shape_files(settings), settings.base)
    compiled, wall, cpu = _timed(lambda: v.validate_store(store, settings, shapes, jobs=jobs))
    parts = [f"{n:>7} datasets {triples:>8} triples (loaded in {load_s:.0f} s)",
             f"kg ({compiled.engine}, {jobs} threads) {wall:7.1f} s wall {cpu:7.1f} s CPU, "
             f"{len(compiled.results)} results, {compiled.focus_count} focus nodes"]
    if per_resource:
        per, per_wall, _ = _timed(lambda: v.validate_store(store, settings, shapes, jobs=jobs,
                                                          engine="pyshacl"))
        same = Counter(r.key() for r in per.results) == Counter(r.key() for r in compiled.results)
        parts.append(f"pyshacl per resource ({jobs} processes) {per_wall:7.1f} s, equal {same}")
    if n <= skip_whole_above:
        whole, whole_wall, _ = _timed(lambda: v.validate_whole(store, settings, shapes))
        same = Counter(r.key() for r in compiled.results) == Counter(r.key() for r in whole.results)
        parts.append(f"pyshacl whole graph {whole_wall:7.1f} s | ratio kg/whole {wall / whole_wall:5.3f} | "
                     f"equal {same}")
    else:
        parts.append("whole graph skipped")
    store.close()
    return " | ".join(parts) + f" | peak RSS {_peak_mb():.0f} MB"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-whole-above", type=int, default=10000)
    parser.add_argument("--per-resource", action="store_true",
                        help="Also run pyshacl per resource (kg's engine before SPARQL compilation).")
    args = parser.parse_args(argv)
    for n in args.sizes:
        print(run(n, args.jobs, args.skip_whole_above, args.per_resource), flush=True)


if __name__ == "__main__":
    main()
