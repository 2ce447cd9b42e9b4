"""The writer process of ``kg serve``: the only process that opens the store for writing.

Every HTTP write (SPARQL Update, Graph Store PUT/POST/DELETE) and every ``kg load``, ``kg ingest``,
``kg drop``, ``kg restore`` run while the server is up arrives here over a Unix socket beside the
store (``<store>.sock``, mode 0600: only kg's own user may write), as one framed request
(:mod:`kg.procs.ipc`).  It runs the one write path (:class:`kg.write.Writer`, deriving in the
background) and publishes each new state as a generation for the query processes.  It leaves the
network first when the store is embedded: nothing it runs can fetch anything.

On SIGTERM it stops taking requests, lets the ones in progress finish, and exits with the store
closed; derivation still pending is recorded and done at the next start.

Run as ``python -m kg.procs.writer``; :class:`WriterClient` in :mod:`kg.procs.writer_client` talks to it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socketserver
import sys
import threading
from pathlib import Path
from typing import Any

from kg.config import Settings, load_settings
from kg.procs import ipc, isolation
from kg.procs.writer_client import socket_path

log = logging.getLogger("kg.writer")


def _outcome(o: Any) -> dict[str, Any]:
    return {"path": str(o.path), "graph": o.graph, "status": o.status, "triples": o.triples,
            "message": o.message, "warnings": list(o.warnings)}


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        try:
            header, body = ipc.recv(self.request)
        except (ipc.Closed, OSError):
            return
        try:
            reply, data = self.server.dispatch(header, body)
        except Exception as exc:  # the client raises it again as kg's error of the same class
            if not isinstance(exc, ValueError | OSError) and "Error" not in type(exc).__name__:
                log.exception("write failed")
            reply, data = ipc.error_header(exc), b""
        with contextlib.suppress(OSError):
            ipc.send(self.request, reply, data)


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = False
    block_on_close = True

    def __init__(self, path: Path, writer: Any) -> None:
        self.writer = writer
        super().__init__(str(path), _Handler)

    def dispatch(self, header: dict[str, Any], body: bytes) -> tuple[dict[str, Any], bytes]:
        w, op = self.writer, header.get("op")
        ok: dict[str, Any] = {"ok": True}
        if op == "ping":
            return ok, b""
        if op == "update":
            w.update(header["text"])
            return ok, b""
        if op in ("put_graph", "post_graph"):
            created = getattr(w, op)(header["graph"], body, header["syntax"], header["source"])
            return {**ok, "created": created}, b""
        if op == "write_default":
            w.write_default(body, header["syntax"], bool(header["replace"]))
            return ok, b""
        if op == "clear_default":
            w.clear_default()
            return ok, b""
        if op == "drop":
            return {**ok, "existed": w.drop(header["graph"])}, b""
        if op == "wait":
            return {**ok, "fresh": w.wait(header.get("timeout"))}, b""
        if op == "status":
            return {**ok, "status": w.status()}, b""
        if op == "load":
            outcomes = w.load([Path(p) for p in header["paths"]], graph=header.get("graph"),
                              force=bool(header.get("force")))
            return {**ok, "outcomes": [_outcome(o) for o in outcomes]}, b""
        if op == "ingest":
            from kg.store.base import sha256_of

            path = Path(header["path"])
            prepared = w.prepare(path, header["kind"], **header.get("options", {}))
            info = {"warnings": prepared.warnings, "notes": prepared.notes, "changes": prepared.changes,
                    "summary": prepared.summary, "triples": len(prepared.graph)}
            if header.get("dry_run"):
                return {**ok, "prepared": info}, b""
            outcome = w.store_prepared(path, prepared, sha256_of(path))
            return {**ok, "prepared": info, "outcome": _outcome(outcome)}, b""
        if op == "restore":
            return {**ok, "quads": w.restore(Path(header["path"]), header.get("syntax", "nquads"))}, b""
        if op == "recover":
            return {**ok, "dropped": w.recover()}, b""
        if op == "derive":
            return {**ok, "status": w.derive()}, b""
        raise ValueError(f"unknown operation {op!r}")


def _first_load(store: Any, settings: Settings) -> None:
    """A store with no source yet gets the ontologies and ``data/`` (what ``kg init`` loads)."""
    from kg.loading import default_sources
    from kg.write import Writer

    if any(g.source for g in store.graphs()):
        return
    sources = default_sources(settings)
    if not sources:
        return
    log.info("the store is empty: loading the ontologies and data/ first")
    outcomes = Writer(store, settings, report=lambda line: log.info("%s", line)).load(sources)
    for outcome in outcomes:
        if outcome.status == "failed":
            log.error("failed  %s", outcome.message)
        else:
            log.info("%s %s -> %s (%s triples)", outcome.status, outcome.path, outcome.graph, outcome.triples)


def serve(settings: Settings, first_load: bool = False) -> None:
    """Open the store, take requests until SIGTERM, then close it cleanly."""
    from kg.store import open_store
    from kg.write import Writer

    path = socket_path(settings)
    path.unlink(missing_ok=True)
    store = open_store(settings)
    if first_load:
        _first_load(store, settings)
    publish = getattr(store, "publish", None)
    if publish is not None:
        publish()   # the state query processes open first is the store as it is now
    writer = Writer(store, settings, background=True, report=lambda line: log.info("%s", line))
    old_umask = os.umask(0o177)
    try:
        server = _Server(path, writer)
    finally:
        os.umask(old_umask)
    stopping = threading.Event()

    def stop(*_: object) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("kg writer: ready on %s", path)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()   # waits for the requests in progress
        path.unlink(missing_ok=True)
        writer.close(wait=False)
        store.close()
        log.info("kg writer: stopped, the store is closed")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[writer] %(message)s", stream=sys.stderr)
    settings = load_settings()
    if settings.store != "remote":
        isolation.without_network()   # before any thread: nothing it runs reaches the network
    serve(settings, first_load=os.environ.get("KG_WRITER_FIRST_LOAD") == "1")


if __name__ == "__main__":
    main()
