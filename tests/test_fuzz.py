"""Fuzzing the serving core: generated hostile queries, updates and uploads against a real ``kg serve``.

For a bounded time (``KG_FUZZ_SECONDS``, 60 by default) requests from :mod:`tests.fuzz_sparql` go to
the query endpoint, the update endpoint and the Graph Store, four at a time.  Every one must be
answered (no dropped connection, no hang past the time limit plus 2 s) with a status that is a
client error, a time-out or success, or a 500 that says in one line what happened (an engine
crash, isolated); a listener that every generated ``SERVICE``, ``LOAD``, ``FROM`` and remote
context points at must never be contacted; and afterwards the server still answers at once.
The seed is printed with every failure, so ``KG_FUZZ_SEED`` reproduces it.
"""

from __future__ import annotations

import concurrent.futures
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.fuzz_sparql import Generator
from tests.kg_server import TOKEN, KgServer, kg_serve
from tests.servers import recording_listener

pytestmark = pytest.mark.slow
LIMIT = 3.0
SECONDS = float(os.environ.get("KG_FUZZ_SECONDS", "60"))
SEED = int(os.environ.get("KG_FUZZ_SEED", str(int(time.time()) % 100000)))


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[str]]]:
    with recording_listener() as found:
        yield found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KgServer]:
    with kg_serve(tmp_path_factory.mktemp("fuzz"), KG_QUERY_TIMEOUT=str(LIMIT), KG_QUERY_MEMORY_MB="500",
                  KG_MAX_UPLOAD_BYTES="2000000") as running:
        yield running


def _acceptable(response: requests.Response) -> bool:
    if response.status_code < 500 or response.status_code == 503:
        return True
    text = response.text.strip()
    return response.status_code == 500 and bool(text) and "\n" not in text and "Traceback" not in text


def test_generated_hostile_requests(server: KgServer, listener: tuple[str, list[str]],
                                    tmp_path: Path) -> None:
    url, seen = listener
    generator = Generator(SEED, url)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    failures: list[str] = []
    counts = {"query": 0, "update": 0, "upload": 0}
    lock = threading.Lock()

    def one(n: int) -> None:
        with lock:
            kind = generator.rng.choice(["query"] * 6 + ["update", "upload"])
            if kind == "query":
                text = generator.query()
                request = ("POST", "/sparql", {"data": {"query": text}})
            elif kind == "update":
                text = generator.update()
                request = ("POST", "/sparql/update", {"data": {"update": text}, "headers": auth})
            else:
                media, body = generator.upload()
                text = f"{media}: {body[:200]!r}"
                request = ("PUT", "/sparql/graph", {"params": {"graph": "http://example.org/fuzz-up"},
                                                   "data": body, "headers": {**auth, "Content-Type": media}})
            counts[kind] += 1
        method, path, args = request
        begun = time.monotonic()
        try:
            response = requests.request(method, server.url + path, timeout=LIMIT + 30, **args)  # type: ignore[arg-type]
        except requests.RequestException as exc:
            failures.append(f"seed {SEED} #{n} {kind}: no answer ({exc}): {text[:300]!r}")
            return
        took = time.monotonic() - begun
        if kind == "query" and took > LIMIT + 2 + 5:  # + the wait for a free query process, when all are busy
            failures.append(f"seed {SEED} #{n}: answered after {took:.1f} s: {text[:300]!r}")
        if not _acceptable(response):
            failures.append(f"seed {SEED} #{n} {kind}: {response.status_code} {response.text[:200]!r}: "
                            f"{text[:300]!r}")

    deadline = time.monotonic() + SECONDS
    number = 0
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        while time.monotonic() < deadline and len(failures) < 5:
            batch = [pool.submit(one, number + k) for k in range(8)]
            number += 8
            for future in batch:
                future.result()
    time.sleep(0.5)
    assert not failures, "\n".join(failures)
    assert seen == [], f"seed {SEED}: the network was reached: {seen[:5]}"
    begun = time.monotonic()
    assert requests.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=10).status_code == 200
    assert time.monotonic() - begun < 1.0
    assert sum(counts.values()) >= 50, counts
    assert "Traceback" not in server.log_text()
