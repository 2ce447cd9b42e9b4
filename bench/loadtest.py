"""Load test: kg under gunicorn with a realistic mix of requests, then with one slow query running throughout.

Public kg meets many clients at once: harvesters paging the catalogue, browsers on resource pages,
people searching, programs sending SPARQL.  This drives ``kg serve`` (gunicorn, as deployed) on
127.0.0.1 with ``--clients`` concurrent keep-alive clients for ``--seconds`` seconds (and at most
``--max-requests`` requests), twice:

1. **baseline**: the mix alone;
2. **slow query**: the same mix while one more client runs a deliberately slow SPARQL query
   (``bench/queries/loadtest-slow.rq``, a sort of every triple) and resubmits it as soon as it ends.

Reported: requests and errors (any status but 200, any exception), p50/p95/p99 per endpoint for both
runs and the ratio of the p95s (target: at most 2x), the slow query's own timings, and the server's
resident memory (all gunicorn processes) sampled every second through both runs.

The mix (weights in ``MIX``): the five benchmark queries of ``bench/queries/`` (lookups often, the
full scans rarely), catalogue pages in Turtle and JSON-LD at random page numbers, HTML pages of
generated datasets, of publishers with ~500 datasets and of the curated meetings, cases, products and
concepts, and search.

    python -m bench.loadtest                          # build a 1M-triple store (26,000 datasets + data/)
    python -m bench.loadtest --store-path /tmp/s1m    # reuse (or build once into) that store
    python -m bench.loadtest --url http://127.0.0.1:5000 --datasets 26000   # a server already running
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from bench import generate
from bench.harvest import free_port
from bench.processes import memory_mib, tree

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
BASE = "https://kg.rammearkitektur.dk"
RESULTS_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
FORM = "application/x-www-form-urlencoded"
#: Seconds one request may take before the client counts it as an error.
CLIENT_TIMEOUT = 120.0

# -- the requests --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One HTTP request of the mix; ``group`` is the endpoint it is reported under."""

    group: str
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _query(name: str, **values: str) -> str:
    text = (HERE / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], text)


def _sparql(group: str, query: str, accept: str) -> Request:
    """A POST to /sparql; the form body as bytes (http.client then sends it with the headers in one
    packet, not held back by Nagle's algorithm)."""
    return Request(group, "POST", "/sparql", urlencode({"query": query}).encode("ascii"),
                   {"Accept": accept, "Content-Type": FORM})


def _get(group: str, path: str, accept: str) -> Request:
    return Request(group, "GET", path, None, {"Accept": accept})


CURATED = ["/id/meeting/it-arkitekturraadet/2023-11-30", "/id/agenda-item/it-arkitekturraadet/2023-11-30/2.9",
           "/id/agenda-item/it-arkitekturraadet/2023-11-30/2.5", "/id/case/SAG-2022-04763",
           "/id/product/dcat-ap-dk", "/id/concept/ladeinfrastruktur/ladepunkt", "/id/org/kl", "/meetings"]
SEARCH_WORDS = ["ladepunkt", "kommune", "data", "cpr", "borger adresse", "affald odense", "skoler",
                "nemhandel", "budget", "dcat"]

#: (weight, group, maker): how often each kind of request comes in the mix.
Maker = Callable[[random.Random, int], Request]
MIX: list[tuple[int, str, Maker]] = [
    (12, "sparql: one dataset", lambda r, n: _sparql(
        "sparql: one dataset", _query("sparql-one-dataset", i=str(r.randrange(n))), RESULTS_JSON)),
    (4, "sparql: construct 100", lambda r, n: _sparql("sparql: construct 100", _query(
        "sparql-construct-100", datasets=" ".join(
            f"<{BASE}/id/dataset/bench-{r.randrange(n)}>" for _ in range(100))), NTRIPLES)),
    (1, "sparql: count per publisher", lambda r, n: _sparql(
        "sparql: count per publisher", _query("sparql-count-per-publisher"), RESULTS_JSON)),
    (1, "sparql: title search", lambda r, n: _sparql(
        "sparql: title search", _query("sparql-title-search"), RESULTS_JSON)),
    (1, "sparql: deep page", lambda r, n: _sparql(
        "sparql: deep page", _query("sparql-deep-page", offset=str(r.randrange(max(n - 100, 1)))),
        RESULTS_JSON)),
    (5, "catalogue page (Turtle)", lambda r, n: _get(
        "catalogue page (Turtle)", f"/catalog?page={r.randrange(1, n // 100 + 2)}", "text/turtle")),
    (2, "catalogue page (JSON-LD)", lambda r, n: _get(
        "catalogue page (JSON-LD)", f"/catalog?page={r.randrange(1, n // 100 + 2)}", "application/ld+json")),
    (3, "dataset document (.ttl)", lambda r, n: _get(
        "dataset document (.ttl)", f"/id/dataset/bench-{r.randrange(n)}.ttl", "*/*")),
    (8, "html: generated dataset", lambda r, n: _get(
        "html: generated dataset", f"/id/dataset/bench-{r.randrange(n)}", "text/html")),
    (2, "html: publisher hub", lambda r, n: _get(
        "html: publisher hub", f"/id/org/bench-{r.randrange(50)}", "text/html")),
    (6, "html: curated page", lambda r, n: _get(
        "html: curated page", r.choice(CURATED), "text/html")),
    (6, "search", lambda r, n: _get(
        "search", f"/search?q={quote(r.choice(SEARCH_WORDS))}", "text/html")),
    (1, "home", lambda r, n: _get("home", "/", "text/html")),
]


def pick(rng: random.Random, datasets: int, mix: list[tuple[int, str, Maker]] = MIX) -> Request:
    """One request drawn from the mix by weight."""
    total = sum(w for w, _, _ in mix)
    x = rng.randrange(total)
    for weight, _, maker in mix:
        if x < weight:
            return maker(rng, datasets)
        x -= weight
    raise AssertionError("unreachable")


def slow_request(datasets: int) -> Request:
    # The offset lands on a row near the end of the sort (two titles per dataset), so all of it is
    # sorted and one row is sent.
    return _sparql("slow query", _query("loadtest-slow", offset=str(max(2 * datasets - 10, 0))), RESULTS_JSON)


# -- clients -------------------------------------------------------------------------------------------


@dataclass
class Sample:
    group: str
    ms: float
    status: int      # 0: no answer (exception)
    error: str = ""


class Recorder:
    """Samples from every client thread."""

    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self._lock = threading.Lock()

    def add(self, sample: Sample) -> None:
        with self._lock:
            self.samples.append(sample)


class Client:
    """One keep-alive connection to the server (reconnecting after an error)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.conn: http.client.HTTPConnection | None = None

    def send(self, request: Request) -> Sample:
        start = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=CLIENT_TIMEOUT)
            self.conn.request(request.method, request.path, body=request.body, headers=request.headers)
            response = self.conn.getresponse()
            body = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            ms = (time.perf_counter() - start) * 1000
            error = "" if response.status == 200 else f"HTTP {response.status}: {body[:200]!r}"
            return Sample(request.group, ms, response.status, error)
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            ms = (time.perf_counter() - start) * 1000
            return Sample(request.group, ms, 0, f"{type(exc).__name__}: {exc}")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def run_mix(url: str, datasets: int, clients: int, seconds: float, max_requests: int, seed: int,
            slow: bool, mix: list[tuple[int, str, Maker]] = MIX) -> tuple[list[Sample], list[Sample], float]:
    """Drive the mix; returns the mix's samples, the slow query's samples and the elapsed seconds."""
    recorded, slow_samples = Recorder(), Recorder()
    stop = threading.Event()
    budget = threading.Semaphore(max_requests)

    def client(k: int) -> None:
        rng = random.Random(seed * 1000 + k)
        conn = Client(url)
        while not stop.is_set() and budget.acquire(blocking=False):
            recorded.add(conn.send(pick(rng, datasets, mix)))
        conn.close()

    def slow_client() -> None:
        conn = Client(url)
        while not stop.is_set():
            slow_samples.add(conn.send(slow_request(datasets)))
        conn.close()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    helper = threading.Thread(target=slow_client, daemon=True) if slow else None
    if helper:
        helper.start()
        time.sleep(1.0)  # the slow query is already running when the mix starts
    started = time.monotonic()
    for t in threads:
        t.start()
    timer = threading.Timer(seconds, stop.set)
    timer.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    stop.set()
    timer.cancel()
    if helper:
        helper.join(CLIENT_TIMEOUT)
    return recorded.samples, slow_samples.samples, elapsed


# -- the server and its memory ---------------------------------------------------------------------------


def rss_mib(pid: int) -> float:
    """Resident memory of a process tree, MiB."""
    return memory_mib(pid, "VmRSS")


class MemorySampler:
    """The server's RSS once a second, in a background thread."""

    def __init__(self, pid: int | None, t0: float) -> None:
        self.pid, self.t0 = pid, t0
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set() and self.pid is not None:
            self.samples.append((time.monotonic() - self.t0, rss_mib(self.pid)))
            self._stop.wait(1.0)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def build_store(store_path: Path, datasets: int, catalog: Path | None) -> None:
    """``ontologies/``, ``data/`` and a generated catalogue in one fresh embedded store, with the catalogue's
    page index and the search index built, as a load leaves them.  Quality and inference are not
    computed for the generated datasets (load-time work measured elsewhere, long at this size)."""
    from kg import search
    from kg.catalog import publish_catalogue
    from kg.config import load_settings
    from kg.loading import default_sources, load_paths
    from kg.store import open_store
    from kg.write import publication_for

    if catalog is None:
        catalog = store_path.parent / f"catalog-{datasets}.nt"
        if not catalog.exists():
            with catalog.open("w", encoding="utf-8") as out:
                generate.write(datasets, out)
    settings = load_settings(environ={}, config_file=ROOT / "no-such-kg.toml", store="embedded",
                             store_path=store_path, data_dir=ROOT / "data",
                             ontologies_dir=ROOT / "ontologies", shapes_dir=ROOT / "shapes")
    store = open_store(settings)
    try:
        started = time.perf_counter()
        outcomes = load_paths(store, settings, [*default_sources(settings), catalog])
        failed = [o.message for o in outcomes if o.status == "failed"]
        if failed:
            raise SystemExit("load failed:\n" + "\n".join(failed))
        print(f"load: {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        publication = publication_for(store, settings)
        publish_catalogue(store, publication, None)
        documents = search.refresh(store, settings, publication)
        print(f"catalogue and search indexes ({documents:,} documents): "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    finally:
        store.close()


def start_server(env: dict[str, str], threads: int, log: Path,
                 wait: float = 600.0) -> tuple[subprocess.Popen[bytes], str]:
    """``kg serve --no-init`` on a free port of 127.0.0.1 (its errors to ``log``); returns when
    /healthz answers (``kg serve`` builds a missing search index first: minutes on 10M triples)."""
    port = free_port()
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--no-init", "--host", "127.0.0.1",
                                 "--port", str(port), "--threads", str(threads)],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"kg serve exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"kg serve did not answer /healthz within {wait:g} s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn: gracefully (requests in flight may finish), killed after 60 s."""
    proc.terminate()
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        for pid in reversed(tree(proc.pid)):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(10)


def warm_up(url: str, datasets: int, mix: list[tuple[int, str, Maker]] = MIX) -> None:
    """One request of every kind (builds the search and catalogue indexes, fills caches), unmeasured."""
    client = Client(url)
    rng = random.Random(0)
    for _, group, maker in mix:
        sample = client.send(maker(rng, datasets))
        if sample.status != 200:
            raise SystemExit(f"warm-up: {group}: {sample.error}")
    client.close()


# -- the report ------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _by_group(samples: list[Sample]) -> dict[str, list[float]]:
    groups: dict[str, list[float]] = {}
    for s in samples:
        groups.setdefault(s.group, []).append(s.ms)
    return groups


def report(base: list[Sample], base_s: float, loaded: list[Sample], loaded_s: float, slow: list[Sample],
           memory: list[tuple[str, float, float]], header: str,
           mix: list[tuple[int, str, Maker]] = MIX) -> tuple[list[str], bool]:
    """The report's lines, and whether every target was met."""
    lines = [header, ""]
    ok = True
    for name, samples, seconds in (("baseline", base, base_s), ("with slow query", loaded, loaded_s)):
        errors = [s for s in samples if s.error]
        ok &= not errors
        lines.append(f"{name}: {len(samples)} requests in {seconds:.1f} s ({len(samples) / seconds:.1f}/s), "
                     f"{len(errors)} errors")
        for e in errors[:5]:
            lines.append(f"  error: {e.group}: {e.error}")
    a, b = _by_group(base), _by_group(loaded)
    lines += ["", f"{'endpoint':<28}{'n':>6}{'p50':>8}{'p95':>8}{'p99':>8}  |{'n':>6}{'p50':>8}{'p95':>8}"
              f"{'p99':>8}{'p95 ratio':>11}", f"{'':<28}{'baseline, ms':>30}  |{'with slow query, ms':>30}"]
    for group in [g for _, g, _ in mix] + ["all requests"]:
        x = [s.ms for s in base] if group == "all requests" else a.get(group, [])
        y = [s.ms for s in loaded] if group == "all requests" else b.get(group, [])
        if not x or not y:
            lines.append(f"{group:<28}  (no samples)")
            continue
        ratio = percentile(y, 0.95) / percentile(x, 0.95)
        lines.append(f"{group:<28}{len(x):>6}{statistics.median(x):>8.0f}{percentile(x, .95):>8.0f}"
                     f"{percentile(x, .99):>8.0f}  |{len(y):>6}{statistics.median(y):>8.0f}"
                     f"{percentile(y, .95):>8.0f}{percentile(y, .99):>8.0f}{ratio:>10.2f}x")
    overall = percentile([s.ms for s in loaded], 0.95) / percentile([s.ms for s in base], 0.95)
    ok &= overall <= 2.0
    slow_ok = [s.ms / 1000 for s in slow if not s.error]
    lines += ["", f"p95 of all requests, with the slow query / baseline: {overall:.2f}x (target <= 2x): "
              f"{'met' if overall <= 2.0 else 'NOT met'}",
              f"slow query: {len(slow)} runs ({len(slow) - len(slow_ok)} errors), "
              + (f"{min(slow_ok):.1f}-{max(slow_ok):.1f} s each, median {statistics.median(slow_ok):.1f} s"
                 if slow_ok else "none answered")]
    for e in [s for s in slow if s.error][:3]:
        lines.append(f"  slow query error: {e.error}")
    if memory:
        rss = [m for _, _, m in memory]
        first_half = [m for phase, _, m in memory if phase == "baseline"]
        settled = statistics.median(first_half[: max(len(first_half) // 4, 1)])
        growth = rss[-1] / settled - 1
        ok &= growth <= 0.10
        lines += ["", f"server RSS (all gunicorn processes), sampled every 1 s over {len(rss)} s: "
                  f"start {rss[0]:.0f} MiB, first quarter median {settled:.0f} MiB, min {min(rss):.0f}, "
                  f"max {max(rss):.0f}, end {rss[-1]:.0f} MiB; growth end vs. first quarter {growth:+.1%} "
                  f"(target <= +10%): {'met' if growth <= 0.10 else 'NOT met'}"]
        step = max(len(memory) // 12, 1)
        lines.append("  " + ", ".join(f"{p[:4]} {t:.0f}s {m:.0f}" for p, t, m in memory[::step]))
    return lines, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--datasets", type=int, default=26_000, help="generated datasets (26,000: 1M)")
    parser.add_argument("--catalog", type=Path, help="an N-Triples catalogue made by bench.generate")
    parser.add_argument("--store-path", type=Path, help="embedded store to use; built first if absent")
    parser.add_argument("--url", help="a kg server already running on 127.0.0.1 (no build)")
    parser.add_argument("--server-pid", type=int, help="with --url: the server's pid, for memory sampling")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=200_000, help="per run, at most")
    parser.add_argument("--threads", type=int, default=16, help="gunicorn threads (kg serve --threads)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--exclude", nargs="*", default=[],
                        help="leave out of the mix the endpoints whose name contains one of these words")
    parser.add_argument("--out", type=Path, help="write the report here too")
    args = parser.parse_args(argv)

    mix = [m for m in MIX if not any(word in m[1] for word in args.exclude)]
    if not mix:
        raise SystemExit("--exclude left nothing in the mix")
    proc = None
    pid = args.server_pid
    if args.url:
        host = urlsplit(args.url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("the load test only runs against 127.0.0.1")
        url = args.url.rstrip("/")
        what = f"server at {url}"
    else:
        store_path = args.store_path or Path(tempfile.mkdtemp(prefix="kg-loadtest-")) / "store"
        if not store_path.exists():
            build_store(store_path, args.datasets, args.catalog)
        # The slow query must finish rather than be cut (then it would run on as an orphan and be
        # resubmitted beside it), so the time limit is raised from 30 s to 120 s.
        env = dict(os.environ, KG_STORE="embedded", KG_STORE_PATH=str(store_path), KG_QUERY_TIMEOUT="120")
        proc, url = start_server(env, args.threads, store_path.parent / "server.log")
        pid = proc.pid
        what = f"kg serve (gunicorn, 1 worker x {args.threads} threads, embedded store {store_path})"
    try:
        started = time.perf_counter()
        warm_up(url, args.datasets, mix)
        print(f"warm-up (indexes, caches): {time.perf_counter() - started:.1f} s", flush=True)
        memory: list[tuple[str, float, float]] = []
        clock = time.monotonic()
        runs = []
        for phase, slow in (("baseline", False), ("slow", True)):
            with MemorySampler(pid, clock) as sampler:
                runs.append(run_mix(url, args.datasets, args.clients, args.seconds, args.max_requests,
                                    args.seed, slow, mix))
            memory += [(phase, t, m) for t, m in sampler.samples]
            print(f"{phase}: {len(runs[-1][0])} requests", flush=True)
    finally:
        if proc is not None:
            stop_server(proc)
    (base, _, base_s), (loaded, slow, loaded_s) = runs
    header = (f"kg load test: {what}; {args.clients} clients for {args.seconds:g} s per run, "
              f"{args.datasets:,} generated datasets + data/; load average at the end "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.exclude:
        header += f"; left out of the mix: {', '.join(args.exclude)}"
    lines, ok = report(base, base_s, loaded, loaded_s, slow, memory, header, mix)
    text = "\n".join(lines)
    print("\n" + text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
