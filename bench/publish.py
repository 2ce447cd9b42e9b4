"""What publishing costs: ``kg load`` at the default settings against a raw ``oxigraph load`` of the
same file, side by side; then one changed dataset, and one ``INSERT DATA`` over HTTP.

    python -m bench.publish 10000 --workdir bench/out/p10k [--http]

Each figure is measured as a user meets it, end to end, with the default settings: ``kg load``
returns when everything a reader sees is fresh (inference, validation, quality, the stored
catalogue pages, the search index, the pages' summaries and the dump), so its time includes the
whole derivation pipeline.

1. **load**: N generated datasets (``bench.generate``) into a store that ``kg init`` has filled with
   ``data/`` and ``ontologies/`` (not timed), against ``oxigraph load`` of the same file into an
   empty store: wall time, peak RSS, and the size on disk of each (kg's: the store, its published
   generations and the publication beside it);
2. **the pipeline's steps**: each step's seconds, from ``kg status --format json``;
3. **one changed dataset**: one more dataset in its own file, loaded, then changed (a new title)
   and loaded again: the wall time of that ``kg load`` and the pipeline's time within it;
4. with ``--http``: ``kg serve --no-init`` on the store with a write token; ``--writes`` (5)
   ``INSERT DATA`` of one triple each over HTTP, each followed by ``/healthz?wait=300``: how long the
   write takes to
   return, and how long until the derived state is fresh.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.generate import write
from bench.harvest import BASE, free_port, kg_command, kg_env
from bench.measure import Run, run

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-token"
ONE = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<{base}/id/dataset/bench-changed> a dcat:Dataset ;
    dct:identifier "bench-changed" ;
    dct:title "{title}"@da ;
    dct:description "Et datasæt, der ændres i benchmarket."@da ;
    dct:publisher <{base}/id/organisation/kl> ;
    dcat:theme <http://publications.europa.eu/resource/authority/data-theme/GOVE> .
<{base}/id/catalog/bench> dcat:dataset <{base}/id/dataset/bench-changed> .
"""


def _size_mb(*paths: Path) -> float:
    """Space taken on disk as ``du`` counts it: allocated blocks (RocksDB preallocates its logs), each
    file once however many hard links it has (a published generation links the store's files)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for path in paths:
        files = [path] if path.is_file() else list(path.rglob("*")) if path.is_dir() else []
        for f in files:
            if f.is_file():
                info = f.stat()
                if (info.st_dev, info.st_ino) not in seen:
                    seen.add((info.st_dev, info.st_ino))
                    total += info.st_blocks * 512
    return total / 1e6


def _kg_files(store: Path) -> list[Path]:
    """The store and what lives beside it: published generations, dumps, the publication."""
    return [store, *(store.with_name(store.name + suffix)
                     for suffix in ("-generations", "-dumps", "-published.sqlite"))]


def _checked(result: Run, what: str) -> Run:
    if result.returncode != 0:
        raise SystemExit(f"{what} failed:\n{result.stderr[-2000:]}")
    return result


def _steps(store: Path, workdir: Path) -> dict[str, float]:
    out = subprocess.run(kg_command("status", "--format", "json", store=store), capture_output=True,
                         text=True, env=kg_env(workdir), check=False)
    status = json.loads(out.stdout or "{}")
    steps = {name: float(s.get("seconds", 0.0)) for name, s in (status.get("steps") or {}).items()}
    steps["(refresh)"] = float(status.get("refresh_seconds", 0.0))
    return steps


def bench_load(n: int, workdir: Path) -> Path:
    source = workdir / f"catalog-{n}.nt"
    if not source.exists():
        with source.open("w", encoding="utf-8") as out:
            write(n, out, BASE)
    triples = sum(1 for _ in source.open(encoding="utf-8"))
    raw_store, kg_store = workdir / "raw-store", workdir / "kg-store"
    for path in (raw_store, *_kg_files(kg_store)):
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    print(f"{n} datasets, {triples} triples", flush=True)
    _checked(run(kg_command("init", store=kg_store), env=kg_env(workdir)), "kg init")
    before = _size_mb(*_kg_files(kg_store))
    raw = _checked(run([str(Path(sys.executable).with_name("oxigraph")), "load", "--location", str(raw_store),
                        "--file", str(source)]), "oxigraph load")
    kg = _checked(run(kg_command("load", str(source), store=kg_store), env=kg_env(workdir)), "kg load")
    kg_mb = _size_mb(*_kg_files(kg_store)) - before
    raw_mb = _size_mb(raw_store)
    print(f"load      raw oxigraph load {raw.seconds:8.1f} s {raw.peak_rss_mb:7.0f} MB RSS | "
          f"kg load {kg.seconds:8.1f} s {kg.peak_rss_mb:7.0f} MB RSS | "
          f"time {kg.seconds / raw.seconds:6.1f}x  RSS {kg.peak_rss_mb / raw.peak_rss_mb:5.1f}x", flush=True)
    print(f"on disk   raw {raw_mb:8.1f} MB | kg, what the load added {kg_mb:8.1f} MB "
          f"({kg_mb / raw_mb:.1f}x; store, generations, dumps, publication)", flush=True)
    steps = _steps(kg_store, workdir)
    print("steps     " + ", ".join(f"{name} {s:.1f}" for name, s in steps.items()), flush=True)
    return kg_store


def bench_change(kg_store: Path, workdir: Path) -> None:
    one = workdir / "one-dataset.ttl"
    one.write_text(ONE.format(base=BASE, title="Første titel"), encoding="utf-8")
    added = _checked(run(kg_command("load", str(one), store=kg_store), env=kg_env(workdir)),
                     "kg load (one new dataset)")
    add_steps = _steps(kg_store, workdir)
    one.write_text(ONE.format(base=BASE, title="Anden titel"), encoding="utf-8")
    changed = _checked(run(kg_command("load", str(one), store=kg_store), env=kg_env(workdir)),
                       "kg load (one changed dataset)")
    steps = _steps(kg_store, workdir)
    print(f"one new dataset      kg load {added.seconds:6.2f} s, "
          f"pipeline {add_steps['(refresh)']:.2f} s", flush=True)
    print(f"one changed dataset  kg load {changed.seconds:6.2f} s, pipeline {steps['(refresh)']:.2f} s: "
          + ", ".join(f"{name} {s:.2f}" for name, s in steps.items() if name != "(refresh)"), flush=True)


def bench_http(kg_store: Path, workdir: Path, writes: int = 20) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(kg_command("serve", "--no-init", "--port", str(port), store=kg_store),
                              env=kg_env(workdir, KG_WRITE_TOKEN=TOKEN), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(url + "/healthz?wait=1", timeout=5):
                    break
            except OSError:
                time.sleep(0.5)
        returned, fresh = [], []
        for k in range(writes):
            body = urllib.parse.urlencode({"update": (
                f"INSERT DATA {{ GRAPH <{BASE}/graph/bench-http> {{ <{BASE}/id/dataset/bench-changed> "
                f"<http://www.w3.org/ns/dcat#keyword> \"nøgleord {k}\"@da }} }}")}).encode()
            request = urllib.request.Request(url + "/sparql/update", data=body, method="POST", headers={
                "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/x-www-form-urlencoded"})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
            returned.append(time.perf_counter() - started)
            with urllib.request.urlopen(url + "/healthz?wait=300", timeout=330) as response:
                state = json.loads(response.read())
            fresh.append(time.perf_counter() - started)
            if not state.get("fresh"):
                print(f"write {k}: not fresh after 300 s", flush=True)
        print(f"INSERT DATA over HTTP ({writes} writes): returns in median "
              f"{statistics.median(returned) * 1000:.0f} ms "
              f"(max {max(returned) * 1000:.0f}); derived state fresh after median "
              f"{statistics.median(fresh):.2f} s (max {max(fresh):.2f})", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=60)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("datasets", type=int)
    parser.add_argument("--workdir", type=Path, required=True, help="generated files and stores go here")
    parser.add_argument("--http", action="store_true", help="also measure INSERT DATA over HTTP")
    parser.add_argument("--writes", type=int, default=5, help="INSERT DATA requests to time (--http)")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    store = bench_load(args.datasets, args.workdir)
    bench_change(store, args.workdir)
    if args.http:
        bench_http(store, args.workdir, args.writes)


if __name__ == "__main__":
    main()
