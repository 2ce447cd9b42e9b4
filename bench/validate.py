"""Validation benchmark: per-resource parallel validation vs one whole-graph pyshacl run.

    python -m bench.validate 1000 10000 [--jobs 2] [--skip-whole-above 20000]

For each size N a catalogue is generated (bench.generate, ~40 triples per dataset), loaded with the
EU authority-table values into an in-memory store, and validated against shapes/*.ttl both ways;
the table gives seconds, the ratio, peak memory of this process (ru_maxrss) and whether the two
results are equal.  Whole-graph runs above --skip-whole-above are skipped (they hold everything in
rdflib and take long): the line then says so.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.generate import write
from kg import validate as v
from kg.config import load_settings
from kg.loading import load_paths
from kg.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n: int, jobs: int, skip_whole_above: int) -> str:
    settings = load_settings(environ={}, store="memory")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"catalog-{n}.nt"
        with path.open("w", encoding="utf-8") as out:
            triples = write(n, out, settings.base_iri)
        store = open_store(settings)
        load_paths(store, settings, [path, ROOT / "data" / "vocabularies" / "eu-authority-tables.ttl"])
    shapes = v.load_shapes(v.default_shape_files(settings), settings.base)
    start = time.perf_counter()
    per = v.validate_store(store, settings, shapes, jobs=jobs)
    per_s = time.perf_counter() - start
    line = (f"{n:>7} datasets {triples:>8} triples | per-resource ({jobs} workers) {per_s:8.1f} s, "
            f"{len(per.results)} results, {per.focus_count} focus nodes")
    if n <= skip_whole_above:
        start = time.perf_counter()
        whole = v.validate_whole(store, settings, shapes)
        whole_s = time.perf_counter() - start
        same = Counter(r.key() for r in per.results) == Counter(r.key() for r in whole.results)
        line += f" | whole graph {whole_s:8.1f} s | ratio per/whole {per_s / whole_s:5.2f} | equal {same}"
    else:
        line += " | whole graph skipped"
    store.close()
    return line + f" | peak RSS {_peak_mb():.0f} MB"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-whole-above", type=int, default=20000)
    args = parser.parse_args(argv)
    for n in args.sizes:
        print(run(n, args.jobs, args.skip_whole_above), flush=True)


if __name__ == "__main__":
    main()
