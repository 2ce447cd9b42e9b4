"""Real SPARQL servers for the remote-store tests: started on 127.0.0.1, in a temp dir, stopped after.

The remote back end is only trustworthy if it passes the same suite as the
embedded one against servers that really differ, so the tests start
``oxigraph serve`` (PyPI ``oxigraph``) and Virtuoso (Debian
``virtuoso-opensource``) themselves.  Virtuoso is never used through the Debian
package's service (all interfaces, dba/dba): it runs from its own ini with its
own database folder, both ports bound to 127.0.0.1, a random dba password and a
``kg`` user allowed to update through the digest-authenticated endpoints.
"""

from __future__ import annotations

import contextlib
import http.server
import secrets
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

#: Seconds a server may take to come up before the tests give up on it.
STARTUP_SECONDS = 60.0


@dataclass(frozen=True)
class RunningServer:
    """A started server and the kg settings that point at it."""

    name: str
    query_url: str
    update_url: str
    gsp_url: str
    auth: str
    log: Path

    def settings(self, **overrides: object) -> dict[str, object]:
        """Keyword arguments for ``load_settings`` naming this server as the remote store."""
        values: dict[str, object] = {
            "store": "remote", "remote_query_url": self.query_url, "remote_update_url": self.update_url,
            "remote_gsp_url": self.gsp_url, "remote_auth": self.auth, "remote_timeout": 30.0,
            # what kg keeps beside a store (the publication, dumps) goes beside this server's files,
            # not into the checkout's var/ where every test would share it
            "store_path": self.log.parent / "kg-store",
        }
        values.update(overrides)
        return values


@contextlib.contextmanager
def recording_listener(body: bytes = b"",
                       content_type: str = "text/plain") -> Iterator[tuple[str, list[str]]]:
    """A web server on 127.0.0.1 standing in for "the network": it answers every request with ``body``
    and records it as ``"METHOD /path"`` in the list it yields beside its URL."""
    seen: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def _record(self) -> None:
            seen.append(f"{self.command} {self.path}")
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_HEAD = _record

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    """A TCP port nothing listens on right now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll until the endpoint answers a query; fail with the server's log if it dies or hangs."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}:\n{_tail(log)}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, params={"query": "ASK {}"}, timeout=2).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url}: no answer after {STARTUP_SECONDS:g} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    return "(no log)"


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server the test started: SIGTERM, then SIGKILL if it has not exited within 30 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def oxigraph_server(folder: Path) -> Iterator[RunningServer]:
    """``oxigraph serve`` on disk in ``folder``; its default graph is left as is (kg asks for the union)."""
    binary = shutil.which("oxigraph")
    if binary is None:
        raise FileNotFoundError("oxigraph (pip install oxigraph) is not installed")
    port = free_port()
    log = folder / "oxigraph.log"
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen([binary, "serve", "--location", str(folder / "db"),
                                    "--bind", f"127.0.0.1:{port}"], stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_ready(f"{base}/query", process, log)
        yield RunningServer("oxigraph-serve", f"{base}/query", f"{base}/update", f"{base}/store", "", log)
    finally:
        stop(process)


_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
AllowOSCalls = 0
DirsAllowed = ., {db}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 200M
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
MaxClientConnections = 10
ServerThreads = 10
EnabledDavVSP = 0
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
"""


def _isql(isql: str, sql_port: int, password: str, statements: str) -> None:
    done = subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", password, f"exec={statements}"],
                          capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise RuntimeError(f"isql failed: {done.stdout}\n{done.stderr}")


@contextlib.contextmanager
def virtuoso_server(folder: Path) -> Iterator[RunningServer]:
    """Virtuoso 7 with its own ini and database in ``folder``, SPARQL on 127.0.0.1.

    Reads go to the anonymous ``/sparql``; updates and Graph Store uploads to the
    digest-authenticated ``/sparql-auth`` and ``/sparql-graph-crud-auth`` as user ``kg``,
    which gets SPARQL_UPDATE and read/write rights on all graphs.  The default dba/dba
    login lives only until the first isql call replaces its password.
    """
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
    if binary is None or isql is None:
        raise FileNotFoundError("virtuoso-t or isql-vt missing (apt-get install virtuoso-opensource)")
    sql_port, http_port = free_port(), free_port()
    db = folder / "virtuoso"
    db.mkdir(parents=True, exist_ok=True)
    ini = db / "virtuoso.ini"
    ini.write_text(_VIRTUOSO_INI.format(db=db, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    log = db / "virtuoso.log"
    base = f"http://127.0.0.1:{http_port}"
    with (db / "stdout.log").open("wb") as out:
        process = subprocess.Popen([binary, "-f", "-c", str(ini)], cwd=db, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        _wait_ready(f"{base}/sparql", process, log)
        dba, kg = secrets.token_hex(12), secrets.token_hex(12)
        _isql(isql, sql_port, "dba",
              f"DB.DBA.USER_CREATE('kg', '{kg}'); GRANT SPARQL_UPDATE TO \"kg\"; "
              "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('kg', 7); "
              f"USER_SET_PASSWORD('dba', '{dba}');")
        yield RunningServer("virtuoso", f"{base}/sparql", f"{base}/sparql-auth",
                            f"{base}/sparql-graph-crud-auth", f"kg:{kg}", log)
    finally:
        stop(process)
