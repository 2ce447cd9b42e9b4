"""Reasoning benchmark: `kg infer` (owlrl T-box closure + OWL 2 RL rules in SPARQL) on data/ and on
generated catalogues, against owlrl's full closure where that is affordable.

    python -m bench.reason 10000 [--owlrl-above 0]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from rdflib import Graph

from bench.generate import write
from kg import reason
from kg.config import load_settings
from kg.loading import default_sources, load_paths
from kg.queries import get_query
from kg.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def run(label: str, paths: list[Path], owlrl: bool) -> str:
    settings = load_settings(environ={}, store="memory", data_dir=ROOT / "data",
                             ontologies_dir=ROOT / "ontologies")
    store = open_store(settings)
    load_paths(store, settings, paths)
    graphs = reason._asserted_graphs(store, settings)
    data = store.execute(get_query("reason/all-triples"), default_graphs=graphs, max_rows=None) \
        .serialize("application/n-triples")
    start = time.perf_counter()
    outcome = reason.infer(store, settings)
    seconds = time.perf_counter() - start
    line = (f"{label:<28} {outcome.input_triples:>8} asserted -> {outcome.triples:>7} inferred "
            f"in {seconds:6.1f} s")
    if owlrl:
        start = time.perf_counter()
        reference = reason.owlrl_reference(Graph().parse(data=data, format="nt"))
        line += f" | owlrl full closure {time.perf_counter() - start:6.1f} s ({len(reference)} useful)"
    store.close()
    return line


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", type=int, nargs="*", default=[10000])
    parser.add_argument("--owlrl-above", type=int, default=0, help="also run owlrl for catalogues up to N")
    args = parser.parse_args(argv)
    settings = load_settings(environ={}, store="memory", data_dir=ROOT / "data",
                             ontologies_dir=ROOT / "ontologies")
    print(run("data/ + ontologies/", default_sources(settings), owlrl=True), flush=True)
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"catalog-{n}.nt"
            with path.open("w", encoding="utf-8") as out:
                write(n, out)
            paths = [ROOT / "ontologies", path]
            line = run(f"{n} datasets + ontologies/", paths, owlrl=n <= args.owlrl_above)
            print(line, flush=True)


if __name__ == "__main__":
    main()
