"""kg's one settings object.

Settings come, in rising order of precedence, from the defaults below, an
optional ``kg.toml`` (in the working directory, or named by ``KG_CONFIG``) and
``KG_*`` environment variables.  Everything that varies between deployments is
here, so that no other module reads the environment.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.iri_syntax import is_web_iri

DEFAULT_BASE_IRI = "https://kg.rammearkitektur.dk"


class ConfigError(ValueError):
    """A setting has a value kg cannot use; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    """All of kg's settings, with their documented defaults."""

    #: Base of every IRI kg mints (no trailing slash), e.g. ``<base>/id/case/SAG-2022-04763``.
    base_iri: str = DEFAULT_BASE_IRI
    #: ``embedded`` (Oxigraph on disk), ``memory`` (Oxigraph in memory, for tests) or ``remote``.
    store: str = "embedded"
    #: Folder of the embedded store.
    store_path: Path = Path("var/store")
    #: SPARQL 1.1 query endpoint of the remote store.
    remote_query_url: str = ""
    #: SPARQL 1.1 update endpoint of the remote store (defaults to the query URL).
    remote_update_url: str = ""
    #: Graph Store HTTP Protocol endpoint of the remote store (optional; SPARQL Update is used without it).
    remote_gsp_url: str = ""
    #: HTTP basic or digest credentials for the remote store, ``user:password``.
    remote_auth: str = ""
    #: Seconds to wait for the remote store.
    remote_timeout: float = 60.0
    #: The published content loaded by ``kg init`` and a fresh ``kg serve``.
    data_dir: Path = Path("data")
    #: kg's own ontologies, loaded beside the data.
    ontologies_dir: Path = Path("ontologies")
    #: SHACL shapes.
    shapes_dir: Path = Path("shapes")
    #: The web pages' CSS, JavaScript and icons, under content-hashed names and precompressed (``kg assets``).
    assets_dir: Path = Path("var/assets")
    #: Bearer token that unlocks writes over HTTP; empty disables them.
    write_token: str = field(default="", repr=False)
    #: Seconds a SPARQL query may run.
    query_timeout: float = 30.0
    #: Rows a SELECT answer may carry before it is cut.
    max_rows: int = 10_000
    #: Largest request body accepted, in bytes.
    max_upload_bytes: int = 50 * 1024 * 1024
    #: Longest request target (path and query string) accepted, in characters; longer is refused with 414.
    #: 8190 is also the most gunicorn's ``limit_request_line`` allows; send longer queries by POST.
    max_url_length: int = 8190
    #: Requests per second one client may make, sustained, to the expensive endpoints (``/sparql``,
    #: ``/search``, ``/catalog``, VoID, dumps); past it the answer is 429 with ``Retry-After``.
    #: 0 turns the limit off (the default, so tests and ``kg serve`` on a laptop are not throttled);
    #: a public server sets it, e.g. ``KG_RATE_LIMIT=5`` (``SECURITY.md``).
    rate_limit: float = 0.0
    #: Requests a client may make at once before the sustained rate applies (the token bucket's size).
    rate_burst: int = 30
    #: Header a trusted reverse proxy sets to name the client (e.g. ``X-Forwarded-For``; its last entry is
    #: taken, the one the proxy appended).  Empty: the connection's address; never trust it without a proxy.
    trusted_proxy_header: str = ""
    #: Compute the OWL RL closure after each load.
    infer_after_load: bool = True
    #: Compute quality metrics after each load.
    quality_after_load: bool = True
    #: Rebuild the search index after each load.
    search_after_load: bool = True
    #: HTTP worker processes of ``kg serve`` (0: one per CPU).
    http_workers: int = 0
    #: Query processes per HTTP worker: each answers one query at a time, in isolation.
    query_processes: int = 2
    #: Memory one query process may take, in MiB (its heap; the store's files are not counted).
    query_memory_mb: int = 2048

    @property
    def base(self) -> str:
        """The base IRI with its trailing slash, for resolving relative IRIs in data files."""
        return self.base_iri + "/"

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed (settings are immutable)."""
        return dataclasses.replace(self, **changes)


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def _coerce(name: str, value: Any, source: str) -> Any:
    """Turn a raw value into the type the field expects; errors name the setting and source."""
    default = _FIELDS[name].default
    try:
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(f"not a yes/no value: {value!r}")
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, Path):
            return Path(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: setting {name!r}: {exc}") from None


def _validate(settings: Settings) -> Settings:
    base = settings.base_iri.rstrip("/")
    if not is_web_iri(base):
        raise ConfigError(f"setting 'base_iri' must be an http(s) IRI, got {settings.base_iri!r}")
    if settings.store not in {"embedded", "memory", "remote"}:
        raise ConfigError(f"setting 'store' must be embedded, memory or remote, got {settings.store!r}")
    if settings.store == "remote" and not settings.remote_query_url:
        raise ConfigError("setting 'remote_query_url' is required when store = remote")
    if settings.query_timeout <= 0 or settings.max_rows <= 0:
        raise ConfigError("settings 'query_timeout' and 'max_rows' must be positive")
    if settings.http_workers < 0 or settings.query_processes < 1 or settings.query_memory_mb < 0:
        raise ConfigError("settings 'http_workers' must be 0 or more, 'query_processes' 1 or more and "
                          "'query_memory_mb' 0 or more")
    if settings.rate_limit < 0 or settings.rate_burst < 1 or settings.max_url_length < 256:
        raise ConfigError("settings 'rate_limit' must be 0 or more, 'rate_burst' 1 or more and "
                          "'max_url_length' 256 or more")
    return settings.replace(base_iri=base)


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as ``KG_*`` variables, for a child process to read back with :func:`load_settings`."""
    out = {}
    for name, spec in _FIELDS.items():
        value = getattr(settings, name)
        if isinstance(spec.default, bool):
            out["KG_" + name.upper()] = "true" if value else "false"
        else:
            out["KG_" + name.upper()] = str(value)
    return out


def load_settings(environ: dict[str, str] | None = None, config_file: Path | None = None,
                  **overrides: Any) -> Settings:
    """Read settings from defaults, ``kg.toml``, ``KG_*`` variables and explicit overrides."""
    env = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    path = config_file or Path(env.get("KG_CONFIG", "kg.toml"))
    if path.is_file():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from None
        table = table.get("kg", table)
        for key, value in table.items():
            if key not in _FIELDS:
                raise ConfigError(f"{path}: unknown setting {key!r}")
            values[key] = _coerce(key, value, str(path))
    for name in _FIELDS:
        var = "KG_" + name.upper()
        if var in env and env[var] != "":
            values[name] = _coerce(name, env[var], var)
    for name, value in overrides.items():
        if value is not None:
            values[name] = _coerce(name, value, f"option {name}")
    return _validate(Settings(**values))
