"""The README's main job: `kg serve` on a fresh embedded store loads data/ and answers on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.servers import stop

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_kg_serve_on_a_fresh_store(tmp_path: Path) -> None:
    # A copy of the checkout's content folders, as a fresh clone has them.
    for folder in ("data", "ontologies", "shapes"):
        if (ROOT / folder).exists():
            shutil.copytree(ROOT / folder, tmp_path / folder)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--threads", "2"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "kg serve did not become ready"
            time.sleep(0.3)
        home = requests.get(f"http://127.0.0.1:{port}/", timeout=60)
        assert home.status_code == 200
        assert "text/html" in home.headers["Content-Type"]
        assert (tmp_path / "var" / "store").is_dir()  # the embedded store is on disk
        assert "graph/" in home.text                   # and holds the loaded sources
    finally:
        stop(proc)
