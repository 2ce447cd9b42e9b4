"""The integration suite with the store on Virtuoso: ``KG_TEST_STORE=virtuoso python -m pytest tests``.

kg scales out by putting its store on a SPARQL 1.1 server, so the tests written against the
in-memory store must also pass against a real remote one.  With ``KG_TEST_STORE=virtuoso`` the
shared fixtures of ``tests/conftest.py`` point at three Virtuoso servers started by
:mod:`tests.servers` (127.0.0.1, own folders, stopped at the end):

* ``loaded``: ``loaded_store``, loaded once with ``ontologies/`` and ``data/``;
* ``scratch``: ``settings``, so every ``open_store(settings)`` of a test or of a module fixture
  opens it.  The in-memory store gave each such call a fresh empty store; here the server is
  wiped when a test module starts and ends, and whatever graphs a test adds are dropped after
  it, so module fixtures keep their data and tests do not see each other's;
* ``empty``: ``memory_store``, wiped before and after each test.

"Wiped" means every graph the server did not hold when it started (its own system graphs stay),
plus graphs left hidden by an interrupted load.  Tests that are about the embedded or in-memory
store itself are skipped with their reason (``EMBEDDED_ONLY``).  Without the variable nothing here
does anything.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kg.config import Settings
from kg.publication import Publication, publication_path
from kg.queries import iri, render
from kg.store import Store, open_store
from tests.servers import RunningServer, virtuoso_server

#: Which store the integration suite runs on: ``memory`` (default) or ``virtuoso``.
STORE = os.environ.get("KG_TEST_STORE", "memory").strip().lower() or "memory"
ACTIVE = STORE == "virtuoso"
ROLES = ("loaded", "scratch", "empty")

#: Tests that check the embedded or in-memory store as such, or that a shared server cannot give what they
#: assume, by node-id prefix, with the reason (found by the first runs on Virtuoso 7.2.5).
EMBEDDED_ONLY: dict[str, str] = {
    "tests/test_faults.py": "kills and reopens stores it makes itself; unaffected by the switch",
    "tests/test_store.py": "runs every back end itself, Virtuoso included; unaffected by the switch",
    "tests/test_catalog.py::test_same_data_gives_same_bytes_even_after_a_reload":
        "opens two stores and expects the second one empty; on a server both are the same store",
    "tests/test_catalog.py::test_harvester_on_a_generated_catalogue_of_10k":
        "390k triples are more than the test Virtuoso's 80 MB of buffers drops in one transaction "
        "(SR171 Transaction timed out); bench/scale.py loads and harvests 1M and 10M on a Virtuoso "
        "sized for it",
    "tests/test_catalog_cost.py::test_unpublished_graphs_change_neither_the_pages_nor_the_item_documents":
        "compares a store with derived graphs beside the data against a second store without them; on a "
        "server both are the same store (small.ttl is reported unchanged by the second open_store)",
    "tests/test_domain.py::test_board_approvals":
        "Virtuoso refuses the domain query with 'SR478: Value of ANY type column too long' (a limit of "
        "Virtuoso 7.2 on long values in its sort and group columns)",
    "tests/test_domain.py::test_board_proposal_titles_are_the_agendas_lists":
        "the same domain query as test_board_approvals, refused by Virtuoso with SR478",
    "tests/test_sparql_protocol.py::test_kg_prefixes_are_known_to_queries_only_when_declared":
        "Virtuoso predeclares common prefixes (dct:, skos:, ...), so an undeclared one is not an error there",
    "tests/test_sparql_protocol.py::test_a_syntax_error_is_400_and_says_where_in_the_clients_text":
        "the error is Virtuoso's own (still 400), with its line numbers, not kg's line:column",
    "tests/test_sparql_protocol.py::test_blank_nodes_survive_in_results":
        "Virtuoso 7.2 has no BNODE() function: '37000 Error SP031: SPARQL compiler: Internal error: Built-in "
        "function is not implemented' (kg answers 400 with that message)",
    "tests/test_http_hostile.py::test_hostile_request[sparql-huge-limit]":
        "Virtuoso accepts LIMIT 99999999999999999999999999 (the grammar puts no bound on an INTEGER) and "
        "answers 200 under kg's row limit; Oxigraph's parser refuses it, which is what the case expects",
    "tests/test_http_hostile.py::test_hostile_request[sparql-property-path-explosion]":
        "Virtuoso cannot evaluate a transitive path with neither end bound: '37000 Error TR...: transitive "
        "start not given' (HTTP 500 from Virtuoso; kg answers 400 with that message at once, no 500)",
    "tests/test_sparql_safety.py::test_graph_store_default_graph":
        "on a remote store the default graph is the union of the named graphs: there is none to write",
    "tests/test_sparql_safety.py::test_a_streaming_query_stops_at_the_deadline":
        "the deadline between result rows is the embedded back end's; a remote store's queries end at "
        "remote_timeout and the server's own limit",
    "tests/test_browser_pages.py": "drives Chromium over pages whose store is not the switch's concern; "
                                   "run without the switch",
    "tests/test_sparql_browser.py": "drives Chromium; run without the switch",
    "tests/test_shacl_sparql.py::test_ill_formed_literals_fail_their_datatype_by_the_xsd_rules":
        "Virtuoso rewrites ill-formed typed literals when it loads them (\"2023-11-30T10:00\"^^xsd:dateTime "
        "comes back as ...T10:00:00), so there is nothing ill-formed left to report",
    "tests/test_shacl_sparql.py::test_core_components_beyond_kgs_shapes_match_pyshacl":
        "Virtuoso 7.2 stores \"seven\"^^xsd:integer as 0 and evaluates \"seven\" > 0 as true rather than "
        "a type error, so the data differs from what the test loaded (docs/validation.md)",
    "tests/test_shacl_sparql.py::test_every_shape_case_gives_pyshacls_results[dcat-ap-dk]":
        "on Virtuoso the whole-graph reference finds nothing for the Distribution-issued case (an "
        "xsd:gYear date written through rdflib): the data read back differs from the data written",
    "tests/test_shacl_sparql.py::test_a_remote_store_gives_pyshacls_results":
        "starts its own oxigraph serve and Virtuoso; unaffected by the switch",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out, with their reason, the tests that only make sense on the embedded store.

    They run in the first pass; this pass is about the store switch, so they are deselected (and listed
    with their reasons at the end) rather than counted as skipped.
    """
    if not ACTIVE:
        return
    kept, left_out = [], []
    for item in items:
        reason = next((r for prefix, r in EMBEDDED_ONLY.items() if item.nodeid.startswith(prefix)), None)
        if reason is None:
            kept.append(item)
        else:
            left_out.append(item)
            _LEFT_OUT.append((item.nodeid, reason))
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


_LEFT_OUT: list[tuple[str, str]] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The tests this pass left out, each with why (they ran in the embedded pass)."""
    if not _LEFT_OUT:
        return
    terminalreporter.section("left out on Virtuoso (run in the embedded pass)")
    for nodeid, reason in _LEFT_OUT:
        terminalreporter.write_line(f"{nodeid}: {reason}")


@pytest.fixture(scope="session")
def virtuoso_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, RunningServer]]:
    """The three servers, started once for the session."""
    if shutil.which("virtuoso-t") is None or not (shutil.which("isql-vt") or shutil.which("isql")):
        pytest.exit("KG_TEST_STORE=virtuoso, but Virtuoso is not installed "
                    "(apt-get install virtuoso-opensource)", returncode=4)
    with (virtuoso_server(tmp_path_factory.mktemp("virtuoso-loaded")) as loaded,
          virtuoso_server(tmp_path_factory.mktemp("virtuoso-scratch")) as scratch,
          virtuoso_server(tmp_path_factory.mktemp("virtuoso-empty")) as empty):
        servers = {"loaded": loaded, "scratch": scratch, "empty": empty}
        for server in servers.values():
            _BASELINE[server.query_url] = _server_graphs(server)
        yield servers


def maybe_remote(request: pytest.FixtureRequest, settings: Settings, role: str) -> Settings:
    """``settings`` unchanged, or (with ``KG_TEST_STORE=virtuoso``) pointed at the ``role`` server."""
    if not ACTIVE:
        return settings
    server: RunningServer = request.getfixturevalue("virtuoso_servers")[role]
    return settings.replace(**server.settings())


# -- keeping tests apart on a shared server ----------------------------------------------------------

#: Graphs each server held when it started (Virtuoso's own), by query URL.
_BASELINE: dict[str, set[str]] = {}


def _server_graphs(server: RunningServer) -> set[str]:
    """Every non-empty named graph on the server (its grouped count is answered from an index)."""
    import requests

    response = requests.post(server.query_url, data={"query": render("store/remote-graph-counts")},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60)
    response.raise_for_status()
    return {row["g"]["value"] for row in response.json()["results"]["bindings"]}


def _graphs_of(store: Store, server: RunningServer) -> set[str]:
    """kg's graphs (with or without triples, hidden ones included) and every graph on the server."""
    return {g.name for g in store.graphs()} | _server_graphs(server)


def wipe(store: Store, server: RunningServer, keep: set[str] | None = None) -> None:
    """Drop every graph of the server but its baseline (and ``keep``), with kg's PROV records."""
    keep = _BASELINE[server.query_url] | (keep or set())
    store.recover()  # type: ignore[attr-defined]  # hidden graphs of interrupted loads
    for name in sorted(_graphs_of(store, server) - keep):
        store.drop_graph(name)
        store.update(f"DROP SILENT GRAPH {iri(name)}")


def _publication_files(settings: Settings) -> list[Path]:
    """The publication kg keeps beside the server's store (its SQLite file and journals): each test
    module starts without one, as it starts with a wiped server."""
    path = publication_path(settings)
    if path is None:
        return []
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


@contextlib.contextmanager
def _module_clean(server: RunningServer, settings: Settings) -> Iterator[None]:
    """The scratch server wiped, without a publication, before and after a test module."""
    for path in _publication_files(settings):
        path.unlink(missing_ok=True)
    store = open_store(settings)
    wipe(store, server)
    yield
    wipe(store, server)
    store.close()
    for path in _publication_files(settings):
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def _test_clean(server: RunningServer, settings: Settings) -> Iterator[None]:
    """The graphs and the publication of the scratch server as they were before a test, after it."""
    store = open_store(settings)
    before = _graphs_of(store, server)
    with _publication_kept(settings):
        yield
        wipe(store, server, keep=before)
    store.close()


#: What is done around a module or a test on the scratch server: ``_module_clean`` or ``_test_clean``.
Cleaning = Callable[[RunningServer, Settings], contextlib.AbstractContextManager[None]]


def _on_scratch(request: pytest.FixtureRequest, clean: Cleaning) -> Iterator[None]:
    """``clean`` around a module or a test on the scratch server; on the in-memory store every
    ``open_store`` is fresh already, and there is nothing to do."""
    if not ACTIVE:
        yield
        return
    server: RunningServer = request.getfixturevalue("virtuoso_servers")["scratch"]
    settings: Settings = request.getfixturevalue("settings")
    with clean(server, settings):
        yield


@pytest.fixture(scope="module", autouse=True)
def _remote_module_scratch(request: pytest.FixtureRequest) -> Iterator[None]:
    """A clean scratch server for each test module."""
    yield from _on_scratch(request, _module_clean)


@pytest.fixture(autouse=True)
def _remote_test_scratch(request: pytest.FixtureRequest) -> Iterator[None]:
    """Drop the graphs a test added to the scratch server (its module fixtures' graphs stay)."""
    yield from _on_scratch(request, _test_clean)


@contextlib.contextmanager
def _publication_kept(settings: Settings) -> Iterator[None]:
    """What was published before the test (its module's derived state) is published after it: a
    test's catalogue, search index and status must not reach the next test, as its graphs do not.
    SQLite's backup API copies it, safely beside the connections the module's app holds open."""
    path = publication_path(settings)
    if path is None:
        yield
        return
    saved = sqlite3.connect(":memory:")
    if path.exists():
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as source:
            source.backup(saved)
    else:
        Publication(path).close()  # an empty publication: what the test publishes is undone
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as source:
            source.backup(saved)
    try:
        yield
    finally:
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as target:
            saved.backup(target)
        saved.close()


def empty_remote_store(request: pytest.FixtureRequest, settings: Settings) -> Store:
    """The ``memory_store`` stand-in: the ``empty`` server, wiped."""
    server: RunningServer = request.getfixturevalue("virtuoso_servers")["empty"]
    store = open_store(maybe_remote(request, settings, "empty"))
    wipe(store, server)
    return store
