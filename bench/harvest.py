"""Harvest a generated catalogue through HTTP, against the in-process lower bound.

    python -m bench.harvest 100000            # generate, load, serve, harvest, compare
    python -m bench.harvest 10000 --input bench/out/catalog-10k.nt --threads 4

Steps: generate N datasets (``bench.generate``), load them into an on-disk embedded store
with ``kg.loading.load_paths`` and build the catalogue index (load-time work, timed apart);
start ``kg serve --no-init`` (gunicorn, 127.0.0.1) on that store; harvest every page as a
CKAN harvester does (GET without Accept, follow ``hydra:next``), parsing each page with
Oxigraph to find the link and count the datasets; stop the server; then build the same
pages in-process: one CONSTRUCT each on pyoxigraph with the page's IRIs already bound,
plus Oxigraph's Turtle serialisation.  Reports total time, datasets/s, the ratio
HTTP / lower bound, and the server's peak resident memory (VmHWM of its processes).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox

HYDRA_NEXT = "http://www.w3.org/ns/hydra/core#next"
DATASET = "http://www.w3.org/ns/dcat#Dataset"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tree(pid: int) -> list[int]:
    """The process and its descendants (gunicorn master and workers)."""
    out = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for child in children:
        out.extend(_tree(int(child)))
    return out


def _peak_kib(pids: list[int]) -> dict[int, int]:
    peaks = {}
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks[pid] = int(line.split()[1])
        except OSError:
            continue
    return peaks


def prepare(n: int, source: Path | None, store_dir: Path, base: str) -> tuple[Path, dict[str, float]]:
    from bench.generate import write
    from kg.catalog import refresh_index
    from kg.config import load_settings
    from kg.loading import load_paths
    from kg.store import open_store

    times: dict[str, float] = {}
    if source is None:
        source = store_dir.parent / f"catalog-{n}.nt"
        start = time.perf_counter()
        with source.open("w", encoding="utf-8") as out:
            write(n, out, base)
        times["generate"] = time.perf_counter() - start
    settings = load_settings(environ={}, store="embedded", store_path=store_dir, base_iri=base)
    store = open_store(settings)
    try:
        start = time.perf_counter()
        outcomes = load_paths(store, settings, [source])
        if any(o.status == "failed" for o in outcomes):
            raise SystemExit("; ".join(o.message for o in outcomes))
        times["load"] = time.perf_counter() - start
        start = time.perf_counter()
        refresh_index(store)
        times["index"] = time.perf_counter() - start
    finally:
        store.close()
    return source, times


def harvest_http(url: str) -> tuple[int, int, float, int]:
    """Pages, datasets, seconds and bytes of a CKAN-like harvest (no Accept header)."""
    pages = datasets = size = 0
    start = time.perf_counter()
    seen: set[str] = set()
    while url:
        with urllib.request.urlopen(url, timeout=120) as response:
            body = response.read()
            media = response.headers["Content-Type"].split(";")[0]
        size += len(body)
        fmt = ox.RdfFormat.from_media_type(media)
        if fmt is None:
            raise SystemExit(f"{url}: unexpected Content-Type {media}")
        next_url = None
        for triple in ox.parse(body, format=fmt):
            if triple.predicate.value == HYDRA_NEXT:
                next_url = triple.object.value
            elif triple.predicate.value == RDF_TYPE and triple.object.value == DATASET:
                if triple.subject.value in seen:
                    raise SystemExit(f"{url}: {triple.subject.value} repeats")
                seen.add(triple.subject.value)
                datasets += 1
        pages += 1
        url = next_url  # type: ignore[assignment]
    return pages, datasets, time.perf_counter() - start, size


def lower_bound(store_dir: Path, base: str, per_page: int) -> tuple[int, float]:
    """Every page as one in-process CONSTRUCT (IRIs bound first) plus Oxigraph's Turtle writer."""
    from kg.catalog import ensure_index, index_graph, plan_page
    from kg.config import load_settings
    from kg.namespaces import PREFIXES
    from kg.queries import iri, render
    from kg.store import open_store

    settings = load_settings(environ={}, store="embedded", store_path=store_dir, base_iri=base)
    store = open_store(settings)
    try:
        info, _ = ensure_index(store)
        pages = max(1, -(-info.total // per_page))
        page_items = [plan_page(store, n, per_page, None)[1] for n in range(1, pages + 1)]
        raw: ox.Store = store._ox  # type: ignore[attr-defined]  # the lower bound skips kg's layers
        start = time.perf_counter()
        for items in page_items:
            query = render("catalog/page", items=" ".join(iri(i) for i in items),
                           index=iri(index_graph(base)))
            triples = list(raw.query(query, use_default_graph_as_union=True))  # type: ignore[call-overload]
            ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        return pages, time.perf_counter() - start
    finally:
        store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("datasets", type=int, nargs="?", default=100_000)
    parser.add_argument("--input", type=Path, help="an N-Triples catalogue made by bench.generate")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads")
    parser.add_argument("--base-iri", default="https://kg.rammearkitektur.dk")
    parser.add_argument("--workdir", type=Path, help="keep the store here (default: a temporary folder)")
    args = parser.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="kg-harvest-"))
    work.mkdir(parents=True, exist_ok=True)
    store_dir = work / "store"
    _, times = prepare(args.datasets, args.input, store_dir, args.base_iri)
    for step, seconds in times.items():
        print(f"{step:10s} {seconds:8.1f} s")
    port = _free_port()
    env = dict(os.environ, KG_STORE="embedded", KG_STORE_PATH=str(store_dir), KG_BASE_IRI=args.base_iri)
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--no-init", "--host", "127.0.0.1",
                               "--port", str(port), "--threads", str(args.threads)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        root = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(root + "/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit("the server did not come up")
        urllib.request.urlopen(root + "/catalog", timeout=300).read()  # first request: index check, warm-up
        pages, datasets, http_seconds, size = harvest_http(root + "/catalog")
        peaks = _peak_kib(_tree(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)
    _, bound_seconds = lower_bound(store_dir, args.base_iri, 100)
    print(f"harvest    {http_seconds:8.1f} s  {pages} pages, {datasets} datasets, {size / 1e6:.0f} MB, "
          f"{datasets / http_seconds:,.0f} datasets/s over HTTP")
    print(f"in-process {bound_seconds:8.1f} s  one CONSTRUCT per page + Oxigraph Turtle: "
          f"{datasets / bound_seconds:,.0f} datasets/s")
    print(f"ratio      {http_seconds / bound_seconds:8.2f} x the lower bound (target: within 2x)")
    print("peak server memory (VmHWM): "
          + ", ".join(f"pid {p}: {k / 1024:.0f} MiB" for p, k in peaks.items()))
    if datasets != args.datasets and args.input is None:
        raise SystemExit(f"harvested {datasets} datasets, expected {args.datasets}")


if __name__ == "__main__":
    main()
