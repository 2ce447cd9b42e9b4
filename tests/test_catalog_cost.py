"""A catalogue page costs the same beside many graphs as alone, and still reads published graphs only.

Issue 9 measured a page at 0.9 s on a store holding only a 1M-triple catalogue but 11-46 s beside
data/'s graphs: the page query ran on a default graph that listed every published graph, and
Oxigraph answers each triple pattern of such a dataset with one index lookup per listed graph.
Timing is too noisy to test here, so these tests pin the cause instead: what kg asks the store
for a page must not depend on how many graphs the store holds, and leaving the unpublished graphs
out by filter (not by listing the rest) must give the same bytes as a store without them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg import catalog
from kg.config import Settings
from kg.iris import Minter
from kg.store import Store
from kg.store.base import Provenance
from tests.test_catalog import _store

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "catalog"
#: A SKOS list with no dataset in it: graphs that sit beside the catalogue without changing it.
BYSTANDER = ROOT / "data" / "vocabularies" / "status.ttl"


@pytest.fixture()
def small(settings: Settings) -> Iterator[Store]:
    with _store(settings, FIXTURES / "small.ttl") as store:
        yield store


def _page_url(n: int) -> str:
    return f"http://localhost/catalog.ttl?page={n}&per_page=2"


Call = tuple[str, str, Any, Any]  # method, query, default graphs, named graphs


class _Recorder:
    """Wraps the store's reading methods and records every call a page makes."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[Call] = []
        for method in ("execute", "select", "ask", "construct"):
            monkeypatch.setattr(store, method, self._wrap(method, getattr(store, method)))

    def _wrap(self, method: str, real: Any) -> Any:
        def call(query: str, *args: Any, **kwargs: Any) -> Any:
            self.calls.append((method, query, kwargs.get("default_graphs"), kwargs.get("named_graphs")))
            return real(query, *args, **kwargs)
        return call

    def take(self) -> list[Call]:
        calls, self.calls = self.calls, []
        return calls


def _page_calls(store: Store, recorder: _Recorder, page: int) -> tuple[bytes, list[Call]]:
    catalog.catalog_page(store, catalog.FORMATS["ttl"], _page_url, page, 2)  # index built, caches warm
    recorder.take()
    body = catalog.catalog_page(store, catalog.FORMATS["ttl"], _page_url, page, 2).body
    return body, recorder.take()


def test_a_page_asks_the_store_the_same_whatever_the_graphs_beside_it(
        settings: Settings, small: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = _Recorder(small, monkeypatch)
    alone_body, alone = _page_calls(small, recorder, 2)
    for k in range(40):
        small.load_file(Minter(settings.base_iri).graph(f"bystander/{k}"), BYSTANDER, "turtle",
                        settings.base_iri + "/", Provenance.now(f"bystander {k}"))
    assert len(small.graphs()) >= 42
    beside_body, beside = _page_calls(small, recorder, 2)
    assert beside_body == alone_body
    # The same calls with the same query texts: nothing in them grows with the store's graphs.
    assert beside == alone
    constructs = [c for c in beside if c[0] == "execute"]
    assert len(constructs) == 1, "one CONSTRUCT per page"
    _, query, default_graphs, named_graphs = constructs[0]
    assert default_graphs is None and named_graphs is None, "the page query runs on the whole dataset"
    assert "bystander" not in query
    assert len(beside) <= 4, f"a page should need a handful of store calls, made {len(beside)}"


def test_unpublished_graphs_change_neither_the_pages_nor_the_item_documents(settings: Settings,
                                                                          small: Store) -> None:
    """Derived graphs beside the data: the same bytes as without them, not one of their triples."""
    minter = Minter(settings.base_iri)
    beside = _store(settings, FIXTURES / "small.ttl", FIXTURES / "linked-catalog.ttl")
    try:
        for graph in (minter.inferred_graph(), minter.validation_graph()):
            beside.load_file(graph, FIXTURES / "unpublished.ttl", "turtle", settings.base_iri + "/",
                             Provenance.now("test: derived"))
        plain = _store(settings, FIXTURES / "small.ttl")
        try:
            for fmt in ("ttl", "nt"):
                for page in (1, 2):
                    a = catalog.catalog_page(plain, catalog.FORMATS[fmt], _page_url, page, 2).body
                    b = catalog.catalog_page(beside, catalog.FORMATS[fmt], _page_url, page, 2).body
                    assert a == b, f"page {page} ({fmt}) differs with derived graphs beside the data"
            for slug in ("dataset/alpha", "dataset/beta", "dataset/gamma", "service/delta"):
                item = f"{settings.base_iri}/id/{slug}"
                a_doc = catalog.item_document(plain, item, catalog.FORMATS["nt"])
                b_doc = catalog.item_document(beside, item, catalog.FORMATS["nt"])
                assert a_doc is not None and b_doc is not None
                assert a_doc.body == b_doc.body, slug
            everything = b"".join(catalog.catalog_page(beside, catalog.FORMATS["nt"], _page_url, n, 2).body
                                  for n in (1, 2))
            assert b"kun i et afledt graf" not in everything and b"Not to be published" not in everything
            assert b"derived-only" not in everything
            assert b"file-type/JSON" not in everything
            assert catalog.ensure_index(beside)[0].total == 4
        finally:
            plain.close()
    finally:
        beside.close()
