"""Per-client limits on the expensive endpoints: one client hammering cannot starve the others.

Unit tests of the token buckets on a fake clock; the app's 429 with ``Retry-After``
on the expensive endpoints only; the proxy header trusted only when configured; and
a live server on 127.0.0.1 where one client hammers from 127.0.0.2 with many threads
while another, from 127.0.0.3, keeps being answered quickly.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pytest

from kg.config import Settings
from kg.ratelimit import RateLimiter, client_key
from kg.store import Store
from tests.w3c_protocol import serve
from webapp import create_app

#: A query that takes the engine a few tens of milliseconds on data/ (a self-join over every triple).
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?s ?q ?r }"


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_gives_its_burst_then_the_rate() -> None:
    clock = _Clock()
    limiter = RateLimiter(rate=2.0, burst=3, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a") == pytest.approx(0.5)
    assert limiter.take("b") == 0.0, "another client has its own bucket"
    clock.now += 0.5
    assert limiter.take("a") == 0.0 and limiter.take("a") > 0
    clock.now += 60
    assert [limiter.take("a") for _ in range(4)][:3] == [0.0, 0.0, 0.0], "refills up to the burst only"


def test_the_table_of_clients_is_bounded() -> None:
    limiter = RateLimiter(rate=1.0, burst=1, max_clients=100, clock=_Clock())
    for n in range(1000):
        limiter.take(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter) == 100


def test_client_keys() -> None:
    assert client_key("192.0.2.7") == "192.0.2.7"
    assert client_key("127.0.0.1", "203.0.113.9, 198.51.100.4") == "198.51.100.4", "the proxy's own entry"
    assert client_key("2001:db8:1:2:3:4:5:6") == client_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert client_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert client_key(None) == "unknown"


@pytest.fixture()
def limited(settings: Settings, loaded_store: Store) -> Iterator[object]:
    yield create_app(settings.replace(rate_limit=1.0, rate_burst=3), loaded_store)


def test_the_expensive_endpoints_answer_429_with_retry_after(limited: object) -> None:
    client = limited.test_client()  # type: ignore[attr-defined]
    statuses = [client.get("/sparql", query_string={"query": "ASK {}"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    r = client.get("/search?q=arkitektur", headers={"Accept": "text/plain"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert "try again in" in r.get_data(as_text=True) and "3 at once" in r.get_data(as_text=True)
    for path in ("/catalog", "/catalog.ttl", "/.well-known/void", "/dump.nq.gz"):
        assert client.get(path).status_code == 429, path
    assert client.get("/").status_code == 200, "pages that are not expensive are not limited"
    assert client.get("/id/meeting/it-arkitekturraadet/2023-11-30").status_code == 200
    assert client.options("/sparql").status_code == 204, "CORS preflights are not counted"


def test_the_proxy_header_counts_only_when_configured(settings: Settings, loaded_store: Store) -> None:
    untrusted = create_app(settings.replace(rate_limit=1.0, rate_burst=1), loaded_store).test_client()
    first = untrusted.get("/sparql?query=ASK%7B%7D", headers={"X-Forwarded-For": "198.51.100.1"})
    assert first.status_code == 200
    spoofed = untrusted.get("/sparql?query=ASK%7B%7D", headers={"X-Forwarded-For": "198.51.100.2"})
    assert spoofed.status_code == 429, "a client cannot get a fresh bucket by claiming another address"
    proxied = settings.replace(rate_limit=1.0, rate_burst=1, trusted_proxy_header="X-Forwarded-For")
    trusted = create_app(proxied, loaded_store).test_client()
    for n in range(3):
        r = trusted.get("/sparql?query=ASK%7B%7D", headers={"X-Forwarded-For": f"1.2.3.4, 198.51.100.{n}"})
        assert r.status_code == 200
    r = trusted.get("/sparql?query=ASK%7B%7D", headers={"X-Forwarded-For": "9.9.9.9, 198.51.100.0"})
    assert r.status_code == 429


def test_limits_are_off_unless_configured(settings: Settings, loaded_store: Store) -> None:
    client = create_app(settings, loaded_store).test_client()
    assert settings.rate_limit == 0
    assert {client.get("/sparql?query=ASK%7B%7D").status_code for _ in range(50)} == {200}


# -- live: a hammering client does not starve a polite one -----------------------------------------------

def _get(site: str, source: str, path: str) -> tuple[int, float, str | None]:
    address = urlsplit(site)
    started = time.monotonic()
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30,
                                            source_address=(source, 0))
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started, response.getheader("Retry-After")
    finally:
        connection.close()


def _polite(site: str, seconds: float) -> list[tuple[int, float, str | None]]:
    path = "/sparql?" + urlencode({"query": EXPENSIVE})
    answers = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        answers.append(_get(site, "127.0.0.3", path))
        time.sleep(0.25)
    return answers


def _hammer(site: str, seconds: float, threads: int) -> list[tuple[int, float, str | None]]:
    path = "/sparql?" + urlencode({"query": EXPENSIVE})
    answers: list[tuple[int, float, str | None]] = []
    end = time.monotonic() + seconds

    def work() -> None:
        while time.monotonic() < end:
            answers.append(_get(site, "127.0.0.2", path))

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return answers


@pytest.mark.slow
def test_one_client_hammering_does_not_starve_another(settings: Settings, loaded_store: Store) -> None:
    app = create_app(settings.replace(rate_limit=5.0, rate_burst=10), loaded_store)
    with serve(app) as site:
        baseline = [t for _, t, _ in _polite(site, 1.5)]
        hammering: list[tuple[int, float, str | None]] = []
        thread = threading.Thread(target=lambda: hammering.extend(_hammer(site, 4.0, 8)))
        thread.start()
        time.sleep(0.5)
        polite = _polite(site, 3.0)
        thread.join()
    assert polite and all(status == 200 for status, _, _ in polite), polite
    limited = [a for a in hammering if a[0] == 429]
    assert len(limited) > len(hammering) / 2, f"{len(limited)} of {len(hammering)} hammering requests limited"
    assert all(retry and int(retry) >= 1 for _, _, retry in limited)
    assert all(status in (200, 429) for status, _, _ in hammering)
    p50_base, worst = statistics.median(baseline), max(t for _, t, _ in polite)
    under = statistics.median(t for _, t, _ in polite)
    assert worst < max(2.0, 10 * p50_base), f"polite client waited {worst:.3f} s (alone: {p50_base:.3f} s)"
    assert under < 3 * p50_base + 0.2, f"polite median {under:.3f} s under hammering, {p50_base:.3f} s alone"
    print(f"\nhammer: {len(hammering)} requests, {len(limited)} limited; polite p50 alone "
          f"{p50_base * 1000:.1f} ms, p50 under hammering {under * 1000:.1f} ms, worst {worst * 1000:.1f} ms")
