"""Shared fixtures: settings for an in-memory store, and one store loaded with kg's own data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.config import Settings, load_settings
from kg.loading import default_sources
from kg.store import Store, open_store
from kg.write import Writer
from tests import reference, remote_fixtures
from tests.browsers import chromium
from tests.remote_fixtures import (  # noqa: F401  (fixtures and hook of the KG_TEST_STORE=virtuoso switch)
    _remote_module_scratch,
    _remote_test_scratch,
    pytest_collection_modifyitems,
    virtuoso_servers,
)

ROOT = Path(__file__).resolve().parents[1]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reference.fail_on_skips(session, exitstatus)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    remote_fixtures.pytest_terminal_summary(terminalreporter)
    reference.report_skips(terminalreporter)


@pytest.fixture(scope="session")
def settings(request: pytest.FixtureRequest) -> Settings:
    """Settings for an in-memory store over the repository's own data and ontologies.

    With ``KG_TEST_STORE=virtuoso`` they name the ``scratch`` Virtuoso server instead
    (``tests/remote_fixtures.py``).
    """
    local = load_settings(environ={}, config_file=ROOT / "no-such-kg.toml", store="memory",
                          data_dir=ROOT / "data", ontologies_dir=ROOT / "ontologies",
                          shapes_dir=ROOT / "shapes")
    return remote_fixtures.maybe_remote(request, local, "scratch")


@pytest.fixture()
def memory_store(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Store]:
    """An empty in-memory store (the wiped ``empty`` Virtuoso server with ``KG_TEST_STORE=virtuoso``)."""
    if remote_fixtures.ACTIVE:
        store = remote_fixtures.empty_remote_store(request, settings)
    else:
        store = open_store(settings)
    yield store
    store.close()


@pytest.fixture(scope="session")
def loaded_store(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Store]:
    """One in-memory store with ``ontologies/`` and ``data/`` loaded, and the agendas' derived links,
    shared by read-only tests.

    With ``KG_TEST_STORE=virtuoso`` it is the ``loaded`` Virtuoso server, loaded once for the session.
    """
    here = remote_fixtures.maybe_remote(request, settings, "loaded")
    store = open_store(here)
    outcomes = Writer(store, here).load(default_sources(here))  # the pipeline runs before it returns
    failed = [o.message for o in outcomes if o.status == "failed"]
    assert not failed, "data/ must load without errors:\n" + "\n".join(failed)
    yield store
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, for a module's browser tests (``tests/browsers.py``)."""
    yield from chromium()
