"""A query process: answers one query at a time, from the newest published generation, in isolation.

Started by :mod:`kg.procs.pool` with one end of a socket pair (``KG_EXECUTOR_FD``) and the
settings in ``KG_*`` variables.  Before it opens anything it leaves the network
(:mod:`kg.procs.isolation`), caps its memory and arranges to die with its parent.  Each request
names an operation (``answer``: a query serialised in a media type; ``select``, ``ask``,
``construct``, ``graphs`` for kg's own pages); between requests it moves to a newer generation
when the writer has published one.  It never decides how long a query may run: the pool kills it
at the deadline, which is the only way to stop work inside the engine.

Run as ``python -m kg.procs.executor``; it is not a command for people.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import socket
import sys
from typing import Any

from kg.config import Settings, load_settings
from kg.procs import ipc, isolation
from kg.store.base import Store, StoreError

log = logging.getLogger("kg.executor")


class _Reader:
    """The store this process reads: the newest generation of an embedded store, or a remote store."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store: Store | None = None
        self.generation = 0
        self._reading: Any = None

    def current(self) -> Store:
        if self.settings.store == "remote":
            if self.store is None:
                from kg.store import open_store

                self.store = open_store(self.settings)
            return self.store
        from kg.store import snapshots
        from kg.store.base import StoreUnavailable
        from kg.store.embedded import EmbeddedStore

        for _ in range(5):
            found = snapshots.current(self.settings.store_path)
            if found is None:
                raise StoreUnavailable("no generation of the store is published yet")
            number, path = found
            if self.store is not None and number == self.generation:
                return self.store
            try:
                reading = snapshots.Reading(number, path)
            except FileNotFoundError:  # collected between the two reads: look again
                continue
            fresh = EmbeddedStore(self.settings.base_iri, path, readonly=True)
            if self.store is not None:
                self.store.close()
            if self._reading is not None:
                self._reading.release()
            self.store, self.generation, self._reading = fresh, number, reading
            return fresh
        raise StoreUnavailable("the published generations changed too fast to open one")


def _rows_json(store: Store, query: str) -> bytes:
    result = store.execute(query, max_rows=None)
    return result.serialize("application/sparql-results+json")


def handle(reader: _Reader, header: dict[str, Any], body: bytes) -> tuple[dict[str, Any], bytes]:
    """Answer one request (the store's errors become error headers for the caller to raise)."""
    op = header.get("op")
    if op == "ping":
        return {"ok": True, "generation": reader.generation}, b""
    store = reader.current()
    reply: dict[str, Any] = {"ok": True, "generation": reader.generation}
    if op == "answer":
        result = store.execute(header["query"], header.get("default_graphs"), header.get("named_graphs"),
                               max_rows=header.get("max_rows"))
        data = result.serialize(header["media_type"])
        reply.update(kind=result.kind, truncated=result.truncated)
        return reply, data
    if op == "select":
        return reply, _rows_json(store, header["query"])
    if op == "ask":
        return {**reply, "boolean": store.ask(header["query"])}, b""
    if op == "construct":
        result = store.execute(header["query"], max_rows=None)
        return reply, result.serialize("application/n-triples")
    if op == "graphs":
        return reply, json.dumps([dataclasses.asdict(g) for g in store.graphs()]).encode("utf-8")
    raise StoreError(f"unknown operation {op!r}")


def main() -> None:
    fd = int(os.environ.pop("KG_EXECUTOR_FD"))
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # Ctrl-C is the server's to handle
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    isolation.die_with_parent()
    settings = load_settings()
    if settings.store != "remote":
        isolation.without_network()
    isolation.limit_memory(settings.query_memory_mb)
    sock = socket.socket(fileno=fd)
    sock.setblocking(True)   # a parent under gevent made its end non-blocking, and the flag is shared
    reader = _Reader(settings)
    while True:
        try:
            header, body = ipc.recv(sock)
        except (ipc.Closed, OSError):
            break
        try:
            reply, data = handle(reader, header, body)
        except BaseException as exc:
            reply, data = ipc.error_header(exc), b""
        try:
            ipc.send(sock, reply, data)
        except OSError:
            break
    sys.stdout.flush()
    os._exit(0)  # no destructors: a read-only store has nothing to flush


if __name__ == "__main__":
    main()
