"""Length-prefixed messages over a stream socket: a JSON header and raw bytes.

One message is ``!II`` (header length, body length), the header as UTF-8 JSON, then the body.
Bodies carry query answers and uploads as they are, never re-encoded.
"""

from __future__ import annotations

import json
import socket
import struct
from typing import Any

_FRAME = struct.Struct("!II")
#: A header is small; a body may be a whole answer or upload.
MAX_HEADER = 16 * 1024 * 1024


class Closed(ConnectionError):
    """The other side closed the connection (or died) before a whole message arrived."""


def send(sock: socket.socket, header: dict[str, Any], body: bytes = b"") -> None:
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    sock.sendall(_FRAME.pack(len(head), len(body)) + head)
    if body:
        sock.sendall(body)


def _exactly(sock: socket.socket, size: int) -> bytes:
    chunks = []
    left = size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise Closed("the connection closed in the middle of a message")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def recv(sock: socket.socket) -> tuple[dict[str, Any], bytes]:
    """The next message; raises :class:`Closed` when the other side has gone."""
    frame = sock.recv(_FRAME.size, socket.MSG_WAITALL)
    if len(frame) < _FRAME.size:
        raise Closed("the connection closed")
    head_size, body_size = _FRAME.unpack(frame)
    if head_size > MAX_HEADER:
        raise Closed(f"a message header of {head_size} bytes")
    header = json.loads(_exactly(sock, head_size))
    body = _exactly(sock, body_size) if body_size else b""
    return header, body


def error_header(exc: BaseException) -> dict[str, Any]:
    """How an exception crosses a process boundary: its class name and its one-line message."""
    return {"ok": False, "error": type(exc).__name__, "message": str(exc)}
