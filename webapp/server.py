"""Running the app under gunicorn, from ``kg serve``.

The embedded store is one process's (Oxigraph locks its folder), so kg serves
with one gunicorn worker and several threads; a remote store lifts that limit
(``docs/deploy.md``).
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from kg.config import Settings


class _KgApplication(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from webapp import create_app

        return create_app(self.settings)


def run_server(settings: Settings, host: str, port: int, threads: int) -> None:
    workers = 1 if settings.store != "remote" else 2
    _KgApplication(settings, {
        "bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
        "timeout": int(settings.query_timeout) + 30, "accesslog": "-",
        # No user field (%(u)s): a token sent as a Basic username must never reach the log.
        "access_log_format": '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss',
        # kg refuses long URLs itself (max_url_length) with a clear 414; gunicorn must not cut first.
        "limit_request_line": 8190,
    }).run()
