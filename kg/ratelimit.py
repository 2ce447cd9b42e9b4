"""Per-client token buckets: how a public server keeps one client from starving the rest.

Each client has a bucket of ``burst`` tokens that refills at ``rate`` tokens a second;
a request takes one token or, when the bucket is empty, is told how long to wait.
In-process and lock-protected, so it holds for one server process (gunicorn's
threads share it; several processes or machines each count on their own, which
``SECURITY.md`` notes).  The table of buckets is bounded: past ``max_clients`` the
least recently seen client is forgotten (it comes back with a full bucket), so a
flood of addresses cannot exhaust memory.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    """Token buckets keyed by client."""

    def __init__(self, rate: float, burst: int, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self.max_clients = max_clients
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, when)

    def take(self, client: str) -> float:
        """Take a token for ``client``: 0.0 when the request may go ahead, else the seconds to wait."""
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait

    def __len__(self) -> int:
        return len(self._buckets)


def client_key(remote_addr: str | None, forwarded: str | None = None) -> str:
    """The key a client is counted under.

    ``forwarded`` is the trusted proxy's header value, when one is configured: its last
    entry is the address the proxy saw (earlier entries are whatever the client claimed).
    IPv6 clients are counted per /64, the block one subscriber usually holds, so that
    rotating through one's own addresses does not give fresh buckets.
    """
    address = (forwarded.split(",")[-1].strip() if forwarded else "") or (remote_addr or "unknown")
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address[:100]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)
