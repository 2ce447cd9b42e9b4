"""The SPARQL endpoint against the engine under it, and against rdflib, on a generated catalogue.

One run, side by side on the same on-disk store:

1. generate a DCAT-AP catalogue of N datasets (``bench.generate``; 26k datasets ≈ 1M triples) and
   load it into a fresh embedded store, one named graph;
2. **pyoxigraph in-process**: each of five typical queries, run and serialised by pyoxigraph itself
   (JSON results for SELECT, N-Triples for CONSTRUCT), median of ``--repeat`` runs;
3. **kg over HTTP**: the same queries through ``/sparql`` of ``kg``'s app under gunicorn (one worker,
   as the embedded store is one process's, with threads), same formats, keep-alive client, median;
   reported as a ratio and as milliseconds added per query;
4. **rdflib**: the same queries with rdflib's own SPARQL engine on the same triples, parsed into memory
   (each query once, in a child process with a time cap);
5. **throughput**: 16 concurrent clients for ``--seconds`` s, cycling through the five queries, counting
   answers and errors.

    python -m bench.sparql --datasets 26000 --repeat 7 --seconds 30
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import requests

from bench import generate

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GRAPH = "https://kg.rammearkitektur.dk/graph/bench"
BASE = "https://kg.rammearkitektur.dk"
RESULTS_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
FORM = "application/x-www-form-urlencoded"


def _query(name: str, **values: str) -> str:
    text = (HERE / "queries" / f"sparql-{name}.rq").read_text(encoding="utf-8")
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], text)


def queries(n: int) -> dict[str, tuple[str, str]]:
    """The five queries, each with the media type it is answered in."""
    step = max(n // 100, 1)
    datasets = " ".join(f"<{BASE}/id/dataset/bench-{i}>" for i in range(0, n, step)[:100])
    return {
        "one dataset": (_query("one-dataset", i=str(n // 2)), RESULTS_JSON),
        "page at deep offset": (_query("deep-page", offset=str(max(n - n // 5, 0))), RESULTS_JSON),
        "count per publisher": (_query("count-per-publisher"), RESULTS_JSON),
        "title search": (_query("title-search"), RESULTS_JSON),
        "construct 100": (_query("construct-100", datasets=datasets), NTRIPLES),
    }


def _form(query: str) -> bytes:
    """The form body as bytes: http.client sends bytes with the headers in one packet, but a str body
    in a second one, which Nagle's algorithm and delayed ACKs hold back ~40 ms on loopback."""
    return urlencode({"query": query}).encode("ascii")


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    run()  # warm-up: caches, first-use costs
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# -- the store ------------------------------------------------------------------------------------------

def build_store(n: int, workdir: Path) -> tuple[Path, Path, int]:
    """A generated catalogue file and an on-disk kg store holding it; returns (data, store, triples)."""
    from kg.store.base import Provenance
    from kg.store.embedded import EmbeddedStore

    data = workdir / f"catalog-{n}.nt"
    with data.open("w", encoding="utf-8") as out:
        generate.write(n, out)
    store_dir = workdir / "store"
    store = EmbeddedStore(BASE, store_dir)
    triples = store.load_file(GRAPH, data, "ntriples", BASE + "/", Provenance.now(str(data)))
    store.close()
    return data, store_dir, triples


def bench_inprocess(store_dir: Path, qs: dict[str, tuple[str, str]], repeat: int) -> dict[str, float]:
    import pyoxigraph as ox

    out = {}
    store = ox.Store(str(store_dir))
    for name, (text, media) in qs.items():
        def run(text: str = text, media: str = media) -> bytes:
            result = store.query(text, use_default_graph_as_union=True)
            if media == NTRIPLES:
                return result.serialize(format=ox.RdfFormat.N_TRIPLES)  # type: ignore[union-attr]
            return result.serialize(format=ox.QueryResultsFormat.JSON)  # type: ignore[union-attr]
        out[name] = _median_ms(run, repeat)
    store = None  # releases the folder's lock for the server
    return out


# -- the endpoint under gunicorn ------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(store_dir: Path, threads: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = dict(os.environ, KG_STORE="embedded", KG_STORE_PATH=str(store_dir), KG_BASE_IRI=BASE,
               KG_QUERY_TIMEOUT="60", KG_MAX_ROWS="100000")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", str(threads), "--worker-class",
         "gthread", "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--log-level", "warning",
         "webapp:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                return proc, url
        except requests.ConnectionError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the server did not start: {proc.stderr.read().decode() if proc.stderr else ''}")


def bench_http(url: str, qs: dict[str, tuple[str, str]], repeat: int) -> dict[str, float]:
    session = requests.Session()
    out = {}
    for name, (text, media) in qs.items():
        def run(text: str = text, media: str = media) -> bytes:
            r = session.post(url + "/sparql", data=_form(text), timeout=120,
                             headers={"Accept": media, "Content-Type": FORM})
            if r.status_code != 200:
                raise SystemExit(f"HTTP {r.status_code}: {r.text[:300]}")
            return r.content
        out[name] = _median_ms(run, repeat)
    return out


def throughput(url: str, qs: dict[str, tuple[str, str]], clients: int, seconds: float) -> dict[str, float]:
    stop = time.monotonic() + seconds
    counts = {"answers": 0, "errors": 0}
    lock = threading.Lock()
    items = list(qs.values())

    def client(k: int) -> None:
        session = requests.Session()
        i = k
        while time.monotonic() < stop:
            text, media = items[i % len(items)]
            i += 1
            try:
                ok = session.post(url + "/sparql", data=_form(text), timeout=120,
                                  headers={"Accept": media, "Content-Type": FORM}).status_code == 200
            except requests.RequestException:
                ok = False
            with lock:
                counts["answers" if ok else "errors"] += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {**counts, "seconds": elapsed, "per_second": counts["answers"] / elapsed}


# -- rdflib -----------------------------------------------------------------------------------------------

RDFLIB_CHILD = """
import json, sys, time
from rdflib import Graph
data, cap = sys.argv[1], float(sys.argv[2])
queries = json.loads(sys.stdin.read())
start = time.perf_counter(); g = Graph(); g.parse(data, format="nt")
print(json.dumps({"parse": time.perf_counter() - start}), flush=True)
for name, text, media in queries:
    start = time.perf_counter()
    result = g.query(text)
    result.serialize(format="nt" if media == "application/n-triples" else "json")
    print(json.dumps({name: (time.perf_counter() - start) * 1000}), flush=True)
"""


def bench_rdflib(data: Path, qs: dict[str, tuple[str, str]], cap: float) -> dict[str, float | None]:
    """Each query once with rdflib (parse first); a query not done within ``cap`` s is reported as None."""
    import json

    proc = subprocess.Popen([sys.executable, "-c", RDFLIB_CHILD, str(data), str(cap)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps([[name, text, media] for name, (text, media) in qs.items()]))
    proc.stdin.close()
    out: dict[str, float | None] = dict.fromkeys(qs)
    timer = threading.Timer(cap * (len(qs) + 1), proc.kill)
    timer.start()
    try:
        for line in proc.stdout:
            out.update(json.loads(line))
    finally:
        timer.cancel()
        proc.kill()
    return out


# -- report -----------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=26_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--threads", type=int, default=16, help="gunicorn threads")
    parser.add_argument("--rdflib-cap", type=float, default=300.0, help="seconds per rdflib query at most")
    parser.add_argument("--no-rdflib", action="store_true")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="kg-bench-sparql-"))
    try:
        start = time.perf_counter()
        data, store_dir, triples = build_store(args.datasets, workdir)
        print(f"catalogue: {args.datasets} datasets, {triples} triples, loaded in "
              f"{time.perf_counter() - start:.1f} s", flush=True)
        qs = queries(args.datasets)
        inproc = bench_inprocess(store_dir, qs, args.repeat)
        proc, url = start_server(store_dir, args.threads)
        try:
            http = bench_http(url, qs, args.repeat)
            tp = throughput(url, qs, args.clients, args.seconds)
        finally:
            proc.terminate()
            proc.wait(30)
        slow = {} if args.no_rdflib else bench_rdflib(data, qs, args.rdflib_cap)

        print(f"\nmedians of {args.repeat} runs, ms (HTTP: gunicorn 1 worker x {args.threads} threads, "
              "keep-alive client on 127.0.0.1)")
        print(f"{'query':<22}{'pyoxigraph':>12}{'kg /sparql':>12}{'ratio':>8}{'added ms':>10}{'rdflib':>12}"
              f"{'kg speed-up':>13}")
        for name in qs:
            a, b = inproc[name], http[name]
            r = slow.get(name)
            rd = f"{r:12.1f}" if isinstance(r, float) else f"{'>cap' if not args.no_rdflib else '-':>12}"
            up = f"{r / b:12.0f}x" if isinstance(r, float) else f"{'':>13}"
            print(f"{name:<22}{a:12.1f}{b:12.1f}{b / a:8.2f}{b - a:10.1f}{rd}{up}")
        if "parse" in slow and slow["parse"] is not None:
            print(f"rdflib: parsing the catalogue took {slow['parse']:.1f} s")
        print(f"\nthroughput: {args.clients} clients for {tp['seconds']:.1f} s: {tp['answers']:.0f} answers "
              f"({tp['per_second']:.1f}/s), {tp['errors']:.0f} errors")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
