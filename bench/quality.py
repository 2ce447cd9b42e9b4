"""The quality refresh after a load: a full measurement against the incremental one, side by side.

A generated catalogue is split into ``--graphs`` files (one named graph each) and loaded into
a fresh on-disk store; the quality graph is measured once.  Then one file is changed (one
dataset loses its keywords, one distribution's format becomes PDF) and reloaded, and the
quality graph is refreshed twice on the same store:

* incremental: :func:`kg.quality_changes.snapshot` of the file's graph before the load, then
  :func:`kg.quality_changes.refresh` after it (what ``kg load`` runs);
* full: :func:`kg.quality.run` (what ran after every load before).

Both write the same quality graph (checked here: an order-independent digest of its triples).
Inference and the catalogue index are left out of both, so only the quality step is timed.

    python -m bench.quality --datasets 10000 --graphs 100
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import tempfile
import time
from pathlib import Path

from bench.generate import triples
from kg import quality
from kg.config import load_settings
from kg.loading import graph_for, load_paths
from kg.quality_changes import refresh, snapshot
from kg.store import Store, open_store

BASE = "https://kg.rammearkitektur.dk"
_DATASET = re.compile(r"<[^>]*/id/dataset/bench-(\d+)>")


def split_catalogue(datasets: int, graphs: int, folder: Path) -> list[Path]:
    """The generated catalogue as ``graphs`` N-Triples files (the shared header in the first)."""
    per = max(1, -(-datasets // graphs))
    files = [folder / f"part-{k:04d}.nt" for k in range(graphs)]
    handles = [f.open("w", encoding="utf-8") for f in files]
    try:
        current = 0
        for line in triples(datasets, base=BASE):
            if line.startswith(f"<{BASE}/id/catalog/bench> <http://www.w3.org/ns/dcat#dataset>"):
                match = _DATASET.search(line)
                current = int(match.group(1)) // per if match else current
            handles[min(current, graphs - 1)].write(line)
    finally:
        for handle in handles:
            handle.close()
    return files


def touch(path: Path) -> str:
    """Change one dataset of the file: drop its keywords, make one distribution's format PDF."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    found = (_DATASET.search(line) for line in lines)
    first = next(m.group(0) for m in found if m is not None)
    dist = first.replace("/id/dataset/", "/id/distribution/")[:-1] + "/0>"
    out = []
    for line in lines:
        if line.startswith(first + " <http://www.w3.org/ns/dcat#keyword>"):
            continue
        if line.startswith(dist + " <http://purl.org/dc/terms/format>"):
            line = f"{dist} <http://purl.org/dc/terms/format> " \
                   "<http://publications.europa.eu/resource/authority/file-type/PDF> .\n"
        out.append(line)
    path.write_text("".join(out), encoding="utf-8")
    return first


def digest(store: Store) -> tuple[int, str]:
    """The quality graph's size and an order-independent hash of its triples."""
    graph = quality.quality_graph(store.base_iri)
    data = store.execute(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                         max_rows=None).serialize("application/n-triples")
    total, count = 0, 0
    for line in data.splitlines():
        if line.strip():
            total = (total + int.from_bytes(hashlib.sha1(line).digest(), "big")) % (1 << 160)
            count += 1
    return count, f"{total:040x}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=10000)
    parser.add_argument("--graphs", type=int, default=100,
                        help="files (named graphs) the catalogue is split into")
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temporary folder")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-quality-"))
    shutil.rmtree(work / "store", ignore_errors=True)
    (work / "src").mkdir(parents=True, exist_ok=True)
    settings = load_settings(environ={}, config_file=work / "no-such-kg.toml", store_path=work / "store",
                             base_iri=BASE).replace(infer_after_load=False, quality_after_load=False,
                                                    search_after_load=False)
    files = split_catalogue(args.datasets, args.graphs, work / "src")
    store = open_store(settings)
    try:
        started = time.perf_counter()
        load_paths(store, settings, files)
        loading = time.perf_counter() - started
        print(f"loaded {args.datasets} datasets in {len(files)} graphs: {loading:.1f} s")
        started = time.perf_counter()
        quality.run(store, settings, validate=False)
        first = time.perf_counter() - started
        size, _ = digest(store)
        print(f"first full measurement (new quality graph, {size} triples): {first:.1f} s")

        changed = files[len(files) // 2]
        graph = graph_for(changed, settings)
        started = time.perf_counter()
        before = snapshot(store, [graph])            # what kg load takes before loading
        snap = time.perf_counter() - started
        dataset = touch(changed)
        load_paths(store, settings, [changed])
        started = time.perf_counter()
        results = refresh(store, settings, before, [graph])
        patch = time.perf_counter() - started
        if results is None:
            raise SystemExit("the incremental refresh fell back to a full run")
        incremental = digest(store)
        print(f"changed {dataset} in {changed.name}; incremental: snapshot {snap:.2f} s + refresh "
              f"{patch:.2f} s = {snap + patch:.2f} s ({len(results)} dataset(s) measured again)")
        started = time.perf_counter()
        quality.run(store, settings, validate=False)
        full = time.perf_counter() - started
        same = digest(store) == incremental
        print(f"full measurement (replacing the quality graph): {full:.1f} s")
        print(f"quality after touching one of {len(files)} graphs, {args.datasets} datasets: "
              f"full {full:.1f} s, incremental {snap + patch:.2f} s, ratio {full / (snap + patch):.0f}x; "
              f"same quality graph: {same}")
        if not same:
            return 1
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
