"""A real ``kg serve`` for tests: its own store in a temporary folder, its own port, stopped after.

The serving core (writer process, gevent workers, query processes) only exists in a real
server, so the tests of isolation, life cycle and slow clients start one, the way a user does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "serving-core-test-token-77a1"


@dataclass
class KgServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    store: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kg serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url + "/healthz?wait=30", timeout=40).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"kg serve did not answer in {seconds:g} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def kg_serve(folder: Path, **settings: str) -> Iterator[KgServer]:
    """``kg serve`` over ``data/`` in a store of its own; ``settings`` are ``KG_*`` variables."""
    port = free_port()
    log = folder / "serve.log"
    store = folder / "store"
    env = {**os.environ, "KG_CONFIG": str(folder / "no-kg.toml"), "KG_STORE_PATH": str(store),
           "KG_DATA_DIR": str(ROOT / "data"), "KG_ONTOLOGIES_DIR": str(ROOT / "ontologies"),
           "KG_SHAPES_DIR": str(ROOT / "shapes"), "KG_WRITE_TOKEN": TOKEN,
           # the assets the setup built (kg assets), as an installed server has them
           "KG_ASSETS_DIR": str(ROOT / "var" / "assets"), **settings}
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", str(port)], env=env,
                                   cwd=folder, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = KgServer(f"http://127.0.0.1:{port}", process, log, store)
    try:
        _wait(server.url, process, log)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
