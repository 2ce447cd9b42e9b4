"""The W3C SPARQL 1.1 Protocol tests, replayed over HTTP against a running kg endpoint.

All query tests and all negative tests must pass; the update tests must pass
when the write token is given, and be refused without it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kg.config import Settings
from kg.store import Provenance, Store, open_store
from tests.reference import reference_dir, reference_path
from tests.w3c_protocol import ProtocolTest, load_manifest, run_test, serve
from webapp import create_app

MANIFEST = reference_dir() / "w3c-sparql11-protocol" / "manifest.ttl"
TOKEN = "w3c-test-token"
TESTS = load_manifest(MANIFEST) if MANIFEST.is_file() else []
BY_NAME = {t.name: t for t in TESTS}


def _loader(store: Store) -> object:
    def load(graphs: dict[str, bytes]) -> None:
        for name, data in graphs.items():
            store.replace_graph_data(name, data, "ntriples", name, Provenance.now("W3C protocol test data"))
    return load


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[tuple[str, Store]]:
    """A live endpoint over its own in-memory store (the update tests DROP ALL), with a write token."""
    reference_path("w3c-sparql11-protocol", "manifest.ttl")
    store = open_store(settings)
    app = create_app(settings.replace(write_token=TOKEN), store)
    with serve(app) as url:
        yield url, store
    store.close()


def test_manifest_has_the_34_tests() -> None:
    reference_path("w3c-sparql11-protocol", "manifest.ttl")
    assert len(TESTS) == 34
    assert sum(t.is_negative for t in TESTS) == 14


@pytest.mark.parametrize("name", [t.name for t in TESTS if not t.is_update or t.is_negative] or ["none"])
def test_query_and_negative_tests_pass(server: tuple[str, Store], name: str) -> None:
    url, store = server
    test: ProtocolTest = BY_NAME[name]
    assert run_test(test, url, _loader(store), token=TOKEN) == []


@pytest.mark.parametrize("name", [t.name for t in TESTS if t.is_update and not t.is_negative] or ["none"])
def test_update_tests_pass_with_the_token(server: tuple[str, Store], name: str) -> None:
    url, store = server
    assert run_test(BY_NAME[name], url, _loader(store), token=TOKEN) == []


def test_update_tests_are_refused_without_a_token(server: tuple[str, Store]) -> None:
    url, store = server
    positive = [t for t in TESTS if t.is_update and not t.is_negative]
    assert positive
    for test in positive:
        failures = run_test(test, url, _loader(store), token=None)
        assert failures and "status 401" in failures[0], test.name


def test_the_manifest_graphs_are_read_with_their_labels() -> None:
    reference_path("w3c-sparql11-protocol", "manifest.ttl")
    graphs = BY_NAME["query_dataset_full"].graphs
    assert set(graphs) == {f"http://kasei.us/2009/09/sparql/data/data{i}.rdf" for i in (1, 2, 3)}


__all__ = ["TESTS"]
