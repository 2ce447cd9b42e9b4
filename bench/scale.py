"""Scale: a generated catalogue on the embedded store and on Virtuoso, at 1M and 10M triples.

How far does one machine go, and what does a SPARQL server buy?  For each size (``--datasets``;
26,000 datasets ≈ 1M triples, 256,000 ≈ 10M) and each back end (``--backends``), on a fresh store:

1. **load**: ``kg.loading.load_paths`` of the generated N-Triples file (parse check, upload, atomic
   switch, PROV), then the catalogue's stored pages (``kg.catalog.publish_catalogue``), each timed;
   quality and inference are off (they are load-time work of their own, measured elsewhere);
2. **queries**: ``kg serve --no-init`` (gunicorn on 127.0.0.1: one worker on the embedded store, two on
   a remote one) and the five benchmark queries of ``bench/sparql.py`` through ``/sparql``, median of
   ``--repeat`` after a warm-up;
3. **harvest**: every catalogue page over HTTP as a CKAN harvester does (``bench.harvest``), stopped at
   ``--harvest-cap`` seconds: then the pages done, the rate and the time the whole harvest would take
   at that rate are reported, marked as partial.

Virtuoso is started by :mod:`tests.servers` (127.0.0.1, its own folder) with more memory than the
tests give it (``--virtuoso-gib`` of buffers) and a row limit above the catalogue's size.  The table
gives every figure per back end and size, and how it grew from the smallest size to the largest.

    python -m bench.scale --datasets 26000                    # 1M triples, both back ends
    python -m bench.scale --datasets 26000 256000 --out bench/out/scale.txt
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from bench import generate
from bench.harvest import read_page
from bench.loadtest import rss_mib, start_server, stop_server
from bench.sparql import bench_http, queries

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://kg.rammearkitektur.dk"


@dataclass
class Figures:
    """What one back end did at one size."""

    backend: str
    datasets: int
    triples: int = 0
    load_s: float = 0.0
    index_s: float = 0.0
    queries_ms: dict[str, float] = field(default_factory=dict)
    harvest_pages: int = 0
    harvest_datasets: int = 0
    harvest_s: float = 0.0
    harvest_complete: bool = False
    server_rss_mib: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def harvest_rate(self) -> float:
        return self.harvest_datasets / self.harvest_s if self.harvest_s else 0.0

    @property
    def harvest_full_s(self) -> float:
        """The whole catalogue's harvest time: measured, or extrapolated from the rate when cut."""
        if self.harvest_complete or not self.harvest_rate:
            return self.harvest_s
        return self.datasets / self.harvest_rate


def catalogue(n: int, folder: Path) -> Path:
    """The generated catalogue of ``n`` datasets (made once, kept in ``folder``)."""
    path = folder / f"c{n // 1000}k.nt" if n % 1000 == 0 else folder / f"c{n}.nt"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as out:
            generate.write(n, out)
        partial.rename(path)
    return path


# -- the stores ------------------------------------------------------------------------------------------

def _bigger_ini(text: str, gib: float) -> str:
    """tests.servers' Virtuoso ini with ``gib`` GiB of buffers and limits sized for millions of triples."""
    buffers = int(gib * 1024 * 1024 / 8)          # 8 KiB pages
    changes = {"NumberOfBuffers": str(buffers), "MaxDirtyBuffers": str(buffers * 3 // 4),
               "MaxQueryMem": f"{max(int(gib * 1024 // 4), 200)}M", "ResultSetMaxRows": "50000000",
               "MaxQueryExecutionTime": "1800",
               # the optimiser's estimate refused the 10M page index (2474 s estimated, 400 allowed)
               "MaxQueryCostEstimationTime": "100000"}
    for key, value in changes.items():
        text, count = re.subn(rf"^{key} = .*$", f"{key} = {value}", text, flags=re.M)
        if count != 1:
            raise SystemExit(f"tests/servers.py's Virtuoso ini has no single {key} line to change")
    # Virtuoso refuses ORDER BY with OFFSET + LIMIT past 10,000 rows by default ("SR353: Sorted TOP clause
    # specifies more then 20900 rows to sort"): the deep-page query needs more.
    return text.replace("[Parameters]\n", "[Parameters]\nMaxSortedTopRows = 1000000\n", 1)


@contextlib.contextmanager
def virtuoso(folder: Path, gib: float) -> Iterator[dict[str, object]]:
    """A Virtuoso of tests.servers with more memory; yields the settings that point kg at it."""
    from tests import servers

    original = servers._VIRTUOSO_INI
    servers._VIRTUOSO_INI = _bigger_ini(original, gib)
    try:
        with servers.virtuoso_server(folder) as server:
            servers._VIRTUOSO_INI = original
            yield server.settings(remote_timeout=600.0)
    finally:
        servers._VIRTUOSO_INI = original


def load(settings_values: dict[str, object], data: Path, figures: Figures) -> None:
    """Load the catalogue and build the page index, as ``kg load`` does (quality and inference off)."""
    from kg.catalog import publish_catalogue
    from kg.config import load_settings
    from kg.loading import load_paths
    from kg.store import open_store
    from kg.write import publication_for

    settings = load_settings(environ={}, config_file=ROOT / "no-such-kg.toml", base_iri=BASE,
                             infer_after_load=False, quality_after_load=False, **settings_values)
    store = open_store(settings)
    try:
        start = time.perf_counter()
        outcomes = load_paths(store, settings, [data])
        figures.load_s = time.perf_counter() - start
        failed = [o.message for o in outcomes if o.status == "failed"]
        if failed:
            raise SystemExit("load failed: " + "; ".join(failed))
        figures.triples = sum(o.triples for o in outcomes)
        start = time.perf_counter()
        publish_catalogue(store, publication_for(store, settings), None)
        figures.index_s = time.perf_counter() - start
        if settings.store == "embedded":   # kg serve builds it before serving; a remote store's is per worker
            from kg import search

            start = time.perf_counter()
            search.refresh(store, settings, publication_for(store, settings))
            figures.notes.append(f"search index built in {time.perf_counter() - start:.0f} s")
    finally:
        store.close()


def server_env(settings_values: dict[str, object]) -> dict[str, str]:
    env = dict(os.environ, KG_BASE_IRI=BASE, KG_QUERY_TIMEOUT="600", KG_MAX_ROWS="100000",
               KG_INFER_AFTER_LOAD="false", KG_QUALITY_AFTER_LOAD="false")
    env.update({f"KG_{k.upper()}": str(v) for k, v in settings_values.items()})
    return env


# -- harvesting ------------------------------------------------------------------------------------------

def harvest(url: str, cap: float, figures: Figures) -> None:
    """Follow ``hydra:next`` from /catalog (no Accept header, as CKAN), counting datasets, for ``cap`` s."""
    seen: set[str] = set()
    start = time.perf_counter()
    next_url: str | None = url + "/catalog"
    while next_url and time.perf_counter() - start < cap:
        left = max(cap - (time.perf_counter() - start), 5.0)
        try:
            with urllib.request.urlopen(next_url, timeout=left) as response:
                body = response.read()
                fmt = ox.RdfFormat.from_media_type(response.headers["Content-Type"].split(";")[0])
        except TimeoutError:
            figures.notes.append(f"page {figures.harvest_pages + 1} did not answer within the cap")
            break
        if fmt is None:
            raise SystemExit(f"{next_url}: not RDF")
        next_url, _ = read_page(body, fmt, seen)
        figures.harvest_pages += 1
    figures.harvest_s = time.perf_counter() - start
    figures.harvest_datasets = len(seen)
    figures.harvest_complete = next_url is None


def measure(backend: str, n: int, data: Path, work: Path, args: argparse.Namespace) -> Figures:
    figures = Figures(backend, n)
    with contextlib.ExitStack() as stack:
        if backend == "embedded":
            values: dict[str, object] = {"store": "embedded", "store_path": work / f"store-{n}"}
        else:
            values = stack.enter_context(virtuoso(work / f"virtuoso-{n}", args.virtuoso_gib))
        print(f"[{backend} {n}] loading {data.name}", flush=True)
        load(values, data, figures)
        print(f"[{backend} {n}] {figures.triples:,} triples: load {figures.load_s:.1f} s, "
              f"index {figures.index_s:.1f} s", flush=True)
        proc, url = start_server(server_env(values), args.threads, work / f"server-{backend}-{n}.log")
        try:
            figures.queries_ms = bench_http(url, queries(n), args.repeat)
            print(f"[{backend} {n}] queries: " + ", ".join(f"{k} {v:.0f} ms"
                                                          for k, v in figures.queries_ms.items()), flush=True)
            harvest(url, args.harvest_cap, figures)
            figures.server_rss_mib = rss_mib(proc.pid)
            state = "complete" if figures.harvest_complete else "cut"
            print(f"[{backend} {n}] harvest: {figures.harvest_pages} pages, {figures.harvest_datasets} "
                  f"datasets in {figures.harvest_s:.1f} s ({state})", flush=True)
        finally:
            stop_server(proc)
    if backend == "embedded":
        shutil.rmtree(work / f"store-{n}", ignore_errors=True)
    return figures


# -- the report ------------------------------------------------------------------------------------------

def report(results: list[Figures]) -> list[str]:
    sizes = sorted({f.datasets for f in results})
    cols = sorted(results, key=lambda f: (f.backend, f.datasets))
    head = "".join(f"{f'{f.backend} {f.triples / 1e6:.1f}M':>18}" for f in cols)
    lines = [f"{'figure':<34}{head}"]

    def row(name: str, values: list[str]) -> None:
        lines.append(f"{name:<34}" + "".join(f"{v:>18}" for v in values))

    row("load (s)", [f"{f.load_s:.1f}" for f in cols])
    row("load (triples/s)", [f"{f.triples / f.load_s:,.0f}" if f.load_s else "-" for f in cols])
    row("catalogue index (s)", [f"{f.index_s:.1f}" for f in cols])
    for name in (cols[0].queries_ms if cols else {}):
        row(f"query: {name} (ms)", [f"{f.queries_ms.get(name, float('nan')):.0f}" for f in cols])
    row("harvest (datasets/s)", [f"{f.harvest_rate:,.0f}" for f in cols])
    row("harvest, whole catalogue (s)", [f"{f.harvest_full_s:.0f}" + ("" if f.harvest_complete else "*")
                                         for f in cols])
    row("server RSS after harvest (MiB)", [f"{f.server_rss_mib:.0f}" for f in cols])
    if any(not f.harvest_complete for f in cols):
        lines.append("* extrapolated from the rate of a harvest cut at --harvest-cap")
    for f in cols:
        lines += [f"note ({f.backend} {f.datasets:,}): {note}" for note in f.notes]
    if len(sizes) > 1:
        lines += ["", f"growth from {sizes[0]:,} to {sizes[-1]:,} datasets "
                  f"({sizes[-1] / sizes[0]:.1f}x the data):"]
        for backend in sorted({f.backend for f in results}):
            small = next((f for f in results if f.backend == backend and f.datasets == sizes[0]), None)
            big = next((f for f in results if f.backend == backend and f.datasets == sizes[-1]), None)
            if small is None or big is None:
                continue
            parts = [f"load {big.load_s / small.load_s:.1f}x", f"index {big.index_s / small.index_s:.1f}x"]
            parts += [f"{k} {big.queries_ms[k] / small.queries_ms[k]:.1f}x" for k in small.queries_ms
                      if k in big.queries_ms and small.queries_ms[k]]
            if small.harvest_full_s:
                parts.append(f"harvest {big.harvest_full_s / small.harvest_full_s:.1f}x")
            lines.append(f"  {backend}: " + ", ".join(parts))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--datasets", type=int, nargs="+", default=[26_000])
    parser.add_argument("--backends", nargs="+", choices=["embedded", "virtuoso"],
                        default=["embedded", "virtuoso"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads (kg serve --threads)")
    parser.add_argument("--harvest-cap", type=float, default=600.0, help="seconds of harvesting at most")
    parser.add_argument("--virtuoso-gib", type=float, default=2.0, help="Virtuoso buffers, GiB")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench" / "out",
                        help="where generated catalogues are kept")
    parser.add_argument("--workdir", type=Path, help="stores and logs (default: a temporary folder)")
    parser.add_argument("--out", type=Path, help="write the table here too")
    args = parser.parse_args(argv)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for n in sorted(args.datasets):
        start = time.perf_counter()
        data = catalogue(n, args.data_dir)
        print(f"catalogue of {n:,} datasets: {data} ({time.perf_counter() - start:.0f} s)", flush=True)
        for backend in args.backends:
            results.append(measure(backend, n, data, work, args))
    lines = [f"kg scale: {', '.join(args.backends)}; {os.cpu_count()} cores, load average "
             f"{os.getloadavg()[0]:.1f} at the end; medians of {args.repeat} queries over /sparql", "",
             *report(results)]
    print("\n" + "\n".join(lines))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
