"""Harvesting and querying kg against a raw Oxigraph server on the same quads, side by side.

    python -m bench.harvest setup 100000 --workdir bench/out/h100k   # generate, kg load, dump, raw store
    python -m bench.harvest report --workdir bench/out/h100k         # start both servers, measure, stop

``setup`` generates N datasets (``bench.generate``), loads them with ``data/`` and ``ontologies/``
into an embedded store with ``kg load`` at the default settings (so the derivation pipeline, the
stored catalogue pages included, runs as it does for a user), dumps the store with ``kg dump``
and loads that dump into a second store with ``oxigraph load``: the baseline holds the same quads.

``report`` starts ``kg serve --no-init`` on the first store and ``oxigraph serve-read-only
--union-default-graph`` on the second (both on 127.0.0.1), then measures, each figure for both:

* **page latency**: 100 random catalogue pages in each format from kg, sequentially over one
  keep-alive connection; the baseline answers, for the same pages, one CONSTRUCT of the page's
  datasets with their distributions (``catalog`` = what kg's page holds; p50 and p95);
* **full harvest**: kg followed by ``hydra:next`` from ``/catalog`` as CKAN does (Turtle, no
  Accept header), against one CONSTRUCT per page of the same datasets with their distributions
  from the baseline (time and bytes);
* **single-request overhead**: 300 sequential empty ASKs and one-dataset CONSTRUCTs (median);
* **throughput**: ``wrk`` with 8 connections for 10 s on a one-dataset CONSTRUCT;
* the servers' peak memory (VmHWM of every process of each server).

The harvest itself is also a command, for timing with any external timer:
``python -m bench.harvest harvest-kg URL`` and ``python -m bench.harvest harvest-raw RAW_URL PAGES_JSON``.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import brotli
import pyoxigraph as ox

from bench.processes import memory_mib
from kg.catalog import STORED_ENCODINGS

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://kg.rammearkitektur.dk"
HYDRA_NEXT = "http://www.w3.org/ns/hydra/core#next"
DATASET = "http://www.w3.org/ns/dcat#Dataset"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FORMATS = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
           "rdf": "application/rdf+xml"}
#: The baseline's page: the page's datasets with their own triples and their distributions'.
RAW_PAGE = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
CONSTRUCT { ?d ?p ?o . ?dist ?dp ?do } WHERE {
  VALUES ?d { %s }
  { ?d ?p ?o } UNION { ?d dcat:distribution ?dist . ?dist ?dp ?do }
}"""
ONE_DATASET = "CONSTRUCT { <%s> ?p ?o } WHERE { <%s> ?p ?o }"
EMPTY_ASK = "ASK {}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def kg_command(*args: str, store: Path) -> list[str]:
    return [sys.executable, "-m", "kg.cli", "--store-path", str(store), "--base-iri", BASE, *args]


def kg_env(workdir: Path, **extra: str) -> dict[str, str]:
    """kg's environment for a benchmark: no kg.toml of the working directory, and ``extra`` variables."""
    return {**os.environ, "KG_CONFIG": str(workdir / "no-kg.toml"), **extra}


# -- setup -----------------------------------------------------------------------------------------

def setup(n: int, workdir: Path) -> None:
    from bench.generate import write

    workdir.mkdir(parents=True, exist_ok=True)
    source, kg_store, dump, raw = (workdir / f"catalog-{n}.nt", workdir / "kg-store", workdir / "dump.nq",
                                   workdir / "raw-store")
    if not source.exists():
        with source.open("w", encoding="utf-8") as out:
            write(n, out, BASE)
    if kg_store.exists():
        raise SystemExit(f"{kg_store} exists: use a fresh --workdir")
    started = time.perf_counter()
    sources = (str(ROOT / "ontologies"), str(ROOT / "data"), str(source))
    subprocess.run(kg_command("load", *sources, store=kg_store), check=True, env=kg_env(workdir))
    print(f"kg load (default settings, pipeline included): {time.perf_counter() - started:.1f} s", flush=True)
    subprocess.run(kg_command("dump", str(dump), store=kg_store), check=True, env=kg_env(workdir))
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("oxigraph")), "load", "--location", str(raw),
                    "--file", str(dump)], check=True, stdout=subprocess.DEVNULL)
    print(f"oxigraph load of the dump: {time.perf_counter() - started:.1f} s", flush=True)


# -- clients -----------------------------------------------------------------------------------------

class Client:
    """One keep-alive HTTP connection; ``get`` answers (status, bytes, seconds)."""

    def __init__(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)

    def get(self, path: str, accept: str | None = None,
            extra: dict[str, str] | None = None) -> tuple[int, bytes, float, dict[str, str]]:
        """The body as it came over the wire (still encoded when ``extra`` asked for an encoding)."""
        headers = {"Accept": accept} if accept else {}
        started = time.perf_counter()
        try:
            self.conn.request("GET", path, headers={**headers, **(extra or {})})
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # the server closed the connection after its keep-alive time: open a new one, once
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
            started = time.perf_counter()
            self.conn.request("GET", path, headers={**headers, **(extra or {})})
            response = self.conn.getresponse()
        body = response.read()
        return response.status, body, time.perf_counter() - started, dict(response.getheaders())


def decoded(body: bytes, headers: dict[str, str]) -> bytes:
    """A body in the content coding its headers name, decoded."""
    coding = {k.lower(): v for k, v in headers.items()}.get("content-encoding", "identity")
    if coding == "gzip":
        return gzip.decompress(body)
    if coding == "br":
        return brotli.decompress(body)
    if coding != "identity":
        raise SystemExit(f"unexpected content coding {coding}")
    return body


def public_headers(encoding: str | None) -> dict[str, str]:
    """A request as it reaches kg behind its proxy at the public address (gunicorn trusts
    X-Forwarded-Proto from 127.0.0.1), asking for ``encoding``: where stored compressed pages apply."""
    headers = {"Host": urllib.parse.urlsplit(BASE).netloc, "X-Forwarded-Proto": "https"}
    return headers | ({"Accept-Encoding": encoding} if encoding else {})


def _path(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def read_page(body: bytes, fmt: ox.RdfFormat, seen: set[str]) -> tuple[str | None, list[str]]:
    """A catalogue page's ``hydra:next`` and its datasets (added to ``seen``; one seen before stops the run:
    a harvest must meet each dataset once)."""
    next_url, items = None, []
    for triple in ox.parse(body, format=fmt):
        if triple.predicate.value == HYDRA_NEXT:
            next_url = triple.object.value
        elif triple.predicate.value == RDF_TYPE and triple.object.value == DATASET:
            if triple.subject.value in seen:
                raise SystemExit(f"{triple.subject.value} harvested twice")
            seen.add(triple.subject.value)
            items.append(triple.subject.value)
    return next_url, items


def harvestkg_command(url: str, encoding: str | None = None,
                      public: bool = False) -> tuple[int, int, int, list[list[str]]]:
    """A CKAN-style harvest from ``url`` (no Accept: Turtle): pages, datasets, bytes on the wire, items per
    page.  ``encoding``: the content coding to ask for; ``public``: as if at kg's public address."""
    client = Client(url)
    path: str | None = _path(url)
    pages, size, per_page = 0, 0, []
    seen: set[str] = set()
    extra = public_headers(encoding) if public else ({"Accept-Encoding": encoding} if encoding else {})
    while path:
        status, body, _, headers = client.get(path, extra=extra)
        if status in (301, 302, 303, 307, 308):
            path = _path(headers["Location"])
            continue
        if status != 200:
            raise SystemExit(f"{path}: {status}")
        size += len(body)
        next_url, items = read_page(decoded(body, headers), ox.RdfFormat.TURTLE, seen)
        per_page.append(items)
        pages += 1
        path = _path(next_url) if next_url else None
    return pages, len(seen), size, per_page


def _raw_query(client: Client, query: str, accept: str) -> tuple[int, bytes, float, dict[str, str]]:
    return client.get("/query?" + urllib.parse.urlencode({"query": query}), accept)


def harvest_raw(url: str, pages: list[list[str]]) -> tuple[int, int, int]:
    """The baseline harvest: one CONSTRUCT (Turtle) per page of the same datasets: pages, datasets, bytes."""
    client = Client(url)
    size = count = 0
    for items in pages:
        status, body, _, _ = _raw_query(client, RAW_PAGE % " ".join(f"<{i}>" for i in items), "text/turtle")
        if status != 200:
            raise SystemExit(f"raw page: {status} {body[:200]!r}")
        size += len(body)
        count += len(items)
    return len(pages), count, size


# -- measuring ------------------------------------------------------------------------------------------

def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _wait(url: str, process: subprocess.Popen[bytes], seconds: float = 600) -> None:
    parts = urllib.parse.urlsplit(url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a server exited ({process.args})")
        try:
            with socket.create_connection((parts.hostname, parts.port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not come up")


def _wrk(url: str, seconds: int = 10) -> float:
    done = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", url], capture_output=True, text=True,
                          check=True)
    found = re.search(r"Requests/sec:\s+([0-9.]+)", done.stdout)
    if not found or "Non-2xx" in done.stdout:
        raise SystemExit("wrk: " + done.stdout)
    return float(found.group(1))


def report(workdir: Path, samples: int = 100) -> None:
    kg_store, raw = workdir / "kg-store", workdir / "raw-store"
    kg_port, raw_port = free_port(), free_port()
    kg_url, raw_url = f"http://127.0.0.1:{kg_port}", f"http://127.0.0.1:{raw_port}"
    kg_server = subprocess.Popen(kg_command("serve", "--no-init", "--port", str(kg_port), store=kg_store),
                                 env=kg_env(workdir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
    raw_server = subprocess.Popen([str(Path(sys.executable).with_name("oxigraph")), "serve-read-only",
                                   "--location", str(raw), "--union-default-graph", "--bind",
                                   f"127.0.0.1:{raw_port}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(kg_url, kg_server)
        _wait(raw_url, raw_server)
        kg = Client(kg_url)
        while kg.get("/healthz?wait=60")[0] != 200:
            time.sleep(1)
        # the harvest first: it also gives each page's datasets for the baseline's pages
        started = time.perf_counter()
        pages, datasets, kg_bytes, per_page = harvestkg_command(kg_url + "/catalog")
        kg_seconds = time.perf_counter() - started
        (workdir / "pages.json").write_text(json.dumps(per_page), encoding="utf-8")
        started = time.perf_counter()
        _, _, raw_bytes = harvest_raw(raw_url, per_page)
        raw_seconds = time.perf_counter() - started
        print(f"full harvest: kg {kg_seconds:.2f} s, {kg_bytes / 1e6:.1f} MB ({pages} pages, "
              f"{datasets} datasets); "
              f"raw CONSTRUCTs {raw_seconds:.2f} s, {raw_bytes / 1e6:.1f} MB; "
              f"ratio {kg_seconds / raw_seconds:.2f}x time, {kg_bytes / raw_bytes:.2f}x bytes", flush=True)
        for encoding, public in (("gzip", True), ("br", True), ("gzip", False)):
            stored = public and encoding in STORED_ENCODINGS
            where = ("at the public address" if public else "at another address") + (
                ": stored compressed" if stored else ": compressed on the fly")
            started = time.perf_counter()
            _, _, packed, _ = harvestkg_command(kg_url + "/catalog", encoding, public)
            seconds = time.perf_counter() - started
            print(f"full harvest, {encoding} {where}: kg {seconds:.2f} s, {packed / 1e6:.1f} MB on the wire "
                  f"({packed / kg_bytes:.2f}x identity); against raw CONSTRUCTs {seconds / raw_seconds:.2f}x "
                  f"time, {packed / raw_bytes:.2f}x bytes", flush=True)

        rng = random.Random(7)
        raw = Client(raw_url)
        for ext, media in FORMATS.items():
            kg_times, raw_times = [], []
            for _ in range(samples):
                n = rng.randint(1, pages)
                status, _, seconds, _ = kg.get(f"/catalog.{ext}?page={n}")
                assert status == 200, status
                kg_times.append(seconds)
                query = RAW_PAGE % " ".join(f"<{i}>" for i in per_page[n - 1])
                status, _, seconds, _ = _raw_query(raw, query, media)
                assert status == 200, status
                raw_times.append(seconds)
            print(f"page {ext:6s}: kg p50 {_percentile(kg_times, .5) * 1e3:6.1f} ms, "
                  f"p95 {_percentile(kg_times, .95) * 1e3:6.1f} ms; raw CONSTRUCT p50 "
                  f"{_percentile(raw_times, .5) * 1e3:6.1f} ms, "
                  f"p95 {_percentile(raw_times, .95) * 1e3:6.1f} ms",
                  flush=True)

        one = per_page[len(per_page) // 2][0]
        for name, query in (("empty ASK", EMPTY_ASK), ("one-dataset CONSTRUCT", ONE_DATASET % (one, one))):
            kg_times, raw_times = [], []
            accept = "application/sparql-results+json" if query == EMPTY_ASK else "application/n-triples"
            encoded = urllib.parse.urlencode({"query": query})
            for _ in range(300):
                kg_times.append(kg.get("/sparql?" + encoded, accept)[2])
                raw_times.append(raw.get("/query?" + encoded, accept)[2])
            kg_median, raw_median = _percentile(kg_times, .5), _percentile(raw_times, .5)
            print(f"{name}: kg median {kg_median * 1e3:.2f} ms, raw {raw_median * 1e3:.2f} ms, overhead "
                  f"{(kg_median - raw_median) * 1e3:+.2f} ms", flush=True)

        encoded = urllib.parse.urlencode({"query": ONE_DATASET % (one, one)})
        kg_rps = _wrk(f"{kg_url}/sparql?{encoded}")
        raw_rps = _wrk(f"{raw_url}/query?{encoded}")
        print(f"one-dataset CONSTRUCT, 8 connections: kg {kg_rps:,.0f}/s, raw {raw_rps:,.0f}/s, "
              f"ratio {kg_rps / raw_rps:.2f}x", flush=True)
        print(f"peak memory: kg serve (every process) {memory_mib(kg_server.pid, 'VmHWM'):,.0f} MiB, "
              f"oxigraph serve {memory_mib(raw_server.pid, 'VmHWM'):,.0f} MiB", flush=True)
    finally:
        kg_server.terminate()
        raw_server.terminate()
        kg_server.wait(timeout=60)
        raw_server.wait(timeout=60)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("setup", help="generate, load with kg, dump, load the dump into raw Oxigraph")
    made.add_argument("datasets", type=int)
    made.add_argument("--workdir", type=Path, required=True)
    measured = commands.add_parser("report", help="start both servers and measure")
    measured.add_argument("--workdir", type=Path, required=True)
    measured.add_argument("--samples", type=int, default=100, help="random pages per format")
    one = commands.add_parser("harvest-kg", help="a CKAN-style harvest of a running kg (for external timing)")
    one.add_argument("url")
    one.add_argument("--encoding", choices=["gzip", "br"], help="ask for this content coding")
    one.add_argument("--public", action="store_true",
                     help="ask as at kg's public address behind its proxy (stored compressed pages)")
    other = commands.add_parser("harvest-raw", help="the baseline harvest from a running Oxigraph server")
    other.add_argument("url")
    other.add_argument("pages", type=Path, help="pages.json written by report")
    args = parser.parse_args(argv)
    if args.command == "setup":
        setup(args.datasets, args.workdir)
    elif args.command == "report":
        report(args.workdir, args.samples)
    elif args.command == "harvest-kg":
        pages, datasets, size, _ = harvestkg_command(args.url, args.encoding, args.public)
        print(f"{pages} pages, {datasets} datasets, {size} bytes")
    else:
        pages, datasets, size = harvest_raw(args.url, json.loads(args.pages.read_text(encoding="utf-8")))
        print(f"{pages} pages, {datasets} datasets, {size} bytes")


if __name__ == "__main__":
    main()
