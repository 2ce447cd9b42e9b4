"""Running kg under gunicorn (``kg serve``): the supervisor, the writer, the workers, their query processes.

The supervisor (gunicorn's arbiter, in the ``kg serve`` process) never opens the store.  It starts
the writer process (:mod:`kg.procs.writer`), the only one that writes, and HTTP workers with
gevent, so that slow clients cost a cheap greenlet and never a thread; each worker answers reads
through its own pool of isolated query processes (:mod:`kg.procs.pool`) and sends writes to the
writer.  On SIGTERM the workers finish the requests in flight, then the writer finishes the writes
in flight and closes the store, and ``kg serve`` exits 0.

A store in memory (``--store memory``, for trying kg out) cannot be shared between processes: it
is served by one worker that holds it, with its write path in the same process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from typing import Any

from gunicorn.app.base import BaseApplication

from kg.config import Settings, settings_environment


class _KgApplication(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, options: dict[str, Any], first_load: bool = True) -> None:
        self.settings = settings
        self.options = options
        self.first_load = first_load
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """The app of one worker (after gevent has patched it): reads through a pool, writes to the writer."""
        from webapp import create_app

        if self.settings.store == "memory":  # the worker holds the store: load it here
            from kg.loading import default_sources
            from kg.store import open_store
            from kg.write import Writer

            store = open_store(self.settings)
            if self.first_load:
                Writer(store, self.settings).load(default_sources(self.settings))
            return create_app(self.settings, store=store)
        from kg.procs.pool import ExecutorPool
        from kg.procs.writer_client import WriterClient
        from kg.publication import Publication, publication_path
        from kg.store.served import ServedStore

        pool = ExecutorPool(self.settings)
        _WORKER["pool"] = pool
        path = publication_path(self.settings)
        return create_app(self.settings, store=ServedStore(self.settings, pool),
                          writer=WriterClient(self.settings, timeout=self.settings.query_timeout + 60),
                          publication=Publication(path, readonly=True))


#: What the worker process holds, for its exit hook.
_WORKER: dict[str, Any] = {}


def _worker_exit(server: object, worker: object) -> None:
    pool = _WORKER.pop("pool", None)
    if pool is not None:
        pool.close()


def start_writer(settings: Settings, first_load: bool) -> subprocess.Popen[bytes]:
    """Start the writer process (which loads ``data/`` into an empty store first, when asked) and wait
    until it answers on its socket.  The supervisor itself never opens the store: a process that
    forks workers must not hold the store's threads."""
    from kg.procs.writer_client import running

    env = {**os.environ, **settings_environment(settings), "KG_WRITER_FIRST_LOAD": "1" if first_load else "0"}
    process = subprocess.Popen([sys.executable, "-m", "kg.procs.writer"], env=env, stdin=subprocess.DEVNULL)
    while True:  # a first load of a large data/ takes as long as it takes; the writer shows its progress
        if process.poll() is not None:
            raise SystemExit(f"kg serve: the writer process stopped (status {process.returncode}); "
                             "see its message above")
        if running(settings):
            return process
        time.sleep(0.1)


def stop_writer(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then wait for it to finish its writes and close the store."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def run_server(settings: Settings, bind: str, threads: int, first_load: bool = True) -> None:
    from webapp.assets import build

    build(settings.assets_dir)   # before the workers start: they find the assets built, never build at once
    shared = settings.store != "memory"
    workers = (settings.http_workers or os.cpu_count() or 1) if shared else 1
    writer = start_writer(settings, first_load) if shared else None
    options: dict[str, Any] = {
        "bind": bind, "workers": workers, "worker_class": "gevent",
        "worker_connections": max(threads, 1) * 128,
        "timeout": int(settings.query_timeout) + 30, "graceful_timeout": 30, "keepalive": 5,
        "accesslog": "-",
        # No user field (%(u)s) and no query string (%(r)s would log ?access_token=…): a token sent
        # anywhere in a request must never reach the log.
        "access_log_format": '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss',
        # kg refuses long URLs itself (max_url_length) with a clear 414; gunicorn must not cut first.
        "limit_request_line": 8190,
        "worker_exit": _worker_exit,
        "control_socket_disable": True,   # one per user by default: two servers would share it
    }
    try:
        _KgApplication(settings, options, first_load).run()
    finally:
        if writer is not None:
            stop_writer(writer)
        with contextlib.suppress(Exception):
            sys.stdout.flush()
