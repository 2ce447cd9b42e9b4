"""Talking to the writer process of a running ``kg serve``: the write path, seen from elsewhere.

:class:`WriterClient` has the methods of :class:`kg.write.Writer` that HTTP writes and the command
line need, each one request over the writer's Unix socket.  Errors come back as kg's own
exception classes, so callers answer them exactly as they would in one process.  This module
imports nothing heavy: HTTP workers use it without loading the store's engine.
"""

from __future__ import annotations

import importlib
import socket
from pathlib import Path
from typing import Any

from kg.config import Settings
from kg.procs import ipc
from kg.store.base import ParseError, StoreError, StoreUnavailable

#: Longest path a Unix socket may have on Linux.
_MAX_SOCKET_PATH = 107


def socket_path(settings: Settings) -> Path:
    """The writer's socket: beside the store (``var/store.sock``)."""
    folder = settings.store_path
    path = folder.with_name(folder.name + ".sock").resolve()
    if len(str(path)) > _MAX_SOCKET_PATH:
        raise StoreError(f"the writer's socket path {path} is longer than {_MAX_SOCKET_PATH} characters; "
                         "put the store in a folder with a shorter path")
    return path


def running(settings: Settings) -> bool:
    """Whether a writer process answers on the store's socket (a ``kg serve`` is up)."""
    try:
        WriterClient(settings, timeout=2.0).call({"op": "ping"})
    except (StoreError, OSError):
        return False
    return True


def _raise(reply: dict[str, Any]) -> None:
    name, message = str(reply.get("error")), str(reply.get("message"))
    for module in ("kg.store.base", "kg.sparql.execution", "kg.store.errors", "kg.sparql.protocol"):
        try:
            kind = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if kind is ParseError:
            raise ParseError.from_message(message)
        if isinstance(kind, type) and issubclass(kind, StoreError):
            raise kind(message)
    if name in ("ValueError", "ConceptListError", "AgendaError"):
        raise ValueError(message)
    raise StoreError(message)


class WriterClient:
    """The write path of a running server, over its socket (one connection per request)."""

    def __init__(self, settings: Settings, timeout: float | None = None) -> None:
        self.settings = settings
        self.path = socket_path(settings)
        self.timeout = timeout

    def call(self, header: dict[str, Any], body: bytes = b"") -> dict[str, Any]:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(str(self.path))
            ipc.send(sock, header, body)
            reply, _ = ipc.recv(sock)
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise StoreUnavailable(f"no kg server's writer answers on {self.path} ({exc.strerror})") from None
        except (ipc.Closed, OSError) as exc:
            raise StoreUnavailable(f"the writer process did not answer: {exc}") from None
        finally:
            sock.close()
        if not reply.get("ok"):
            _raise(reply)
        return reply

    # -- what HTTP writes use --------------------------------------------------------------------
    def update(self, text: str) -> None:
        self.call({"op": "update", "text": text})

    def put_graph(self, graph: str, data: bytes, syntax: str, source: str) -> bool:
        return bool(self.call({"op": "put_graph", "graph": graph, "syntax": syntax, "source": source},
                              data)["created"])

    def post_graph(self, graph: str, data: bytes, syntax: str, source: str) -> bool:
        return bool(self.call({"op": "post_graph", "graph": graph, "syntax": syntax, "source": source},
                              data)["created"])

    def write_default(self, data: bytes, syntax: str, replace: bool) -> None:
        self.call({"op": "write_default", "syntax": syntax, "replace": replace}, data)

    def clear_default(self) -> None:
        self.call({"op": "clear_default"})

    def drop(self, graph: str) -> bool:
        return bool(self.call({"op": "drop", "graph": graph})["existed"])

    def wait(self, timeout: float | None = None) -> bool:
        return bool(self.call({"op": "wait", "timeout": timeout})["fresh"])

    def status(self) -> dict[str, Any]:
        return dict(self.call({"op": "status"})["status"])

    # -- what the command line uses beside a running server -----------------------------------------
    def load(self, paths: list[Path], graph: str | None = None, force: bool = False) -> list[dict[str, Any]]:
        reply = self.call({"op": "load", "paths": [str(p.resolve()) for p in paths], "graph": graph,
                           "force": force})
        return list(reply["outcomes"])

    def ingest(self, path: Path, kind: str, dry_run: bool, **options: object) -> dict[str, Any]:
        return self.call({"op": "ingest", "path": str(path.resolve()), "kind": kind, "dry_run": dry_run,
                          "options": options})

    def restore(self, path: Path, syntax: str) -> int:
        return int(self.call({"op": "restore", "path": str(path.resolve()), "syntax": syntax})["quads"])

    def recover(self) -> list[str]:
        return list(self.call({"op": "recover"})["dropped"])

    def derive(self) -> dict[str, Any]:
        return dict(self.call({"op": "derive"})["status"])
