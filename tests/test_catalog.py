"""The harvesters' catalogue: formats, negotiation, paging, caching, determinism, documents, VoID, dump."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, Namespace

from kg import catalog
from kg.catalog.stored import ITEMS_TABLE
from kg.config import Settings
from kg.store import Store, open_store
from kg.write import Writer
from tests.harvester import flask_fetch, harvest
from webapp import create_app

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "catalog"
PARSERS = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
           "application/n-triples": "nt"}


class _Client(FlaskClient):
    """A client that follows redirects, as harvesters do (a bare ``/catalog`` redirects to its first page)."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("follow_redirects", True)
        return super().open(*args, **kwargs)


def _client(settings: Settings, store: Store) -> FlaskClient:
    app = create_app(settings, store=store)
    app.test_client_class = _Client
    return app.test_client()


def _store(settings: Settings, *paths: Path) -> Store:
    store = open_store(settings)
    outcomes = Writer(store, settings).load(list(paths))
    assert all(o.status == "loaded" for o in outcomes), [o.message for o in outcomes]
    return store


@pytest.fixture()
def small(settings: Settings) -> Iterator[Store]:
    store = _store(settings, FIXTURES / "small.ttl")
    yield store
    store.close()


@pytest.fixture()
def client(settings: Settings, small: Store) -> FlaskClient:
    return _client(settings, small)


def _parse(response) -> Graph:  # type: ignore[no-untyped-def]
    media = response.headers["Content-Type"].split(";")[0]
    return Graph().parse(data=response.get_data(), format=PARSERS[media])


def _view(graph: Graph) -> URIRef:
    views = list(graph.subjects(RDF.type, HYDRA.PartialCollectionView))
    assert len(views) == 1
    assert (views[0], RDF.type, HYDRA.PagedCollection) in graph
    return views[0]  # type: ignore[return-value]


# -- formats and negotiation -------------------------------------------------------------------

@pytest.mark.parametrize("ext,media", [("ttl", "text/turtle"), ("rdf", "application/rdf+xml"),
                                       ("jsonld", "application/ld+json"), ("nt", "application/n-triples")])
def test_each_extension_serves_its_format(client: FlaskClient, settings: Settings, ext: str,
                                          media: str) -> None:
    response = client.get(f"/catalog.{ext}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == f"{media}; charset=utf-8"
    graph = _parse(response)
    base = settings.base_iri
    assert (URIRef(f"{base}/id/dataset/alpha"), DCTERMS.title, None) in graph
    assert (URIRef(f"{base}/id/catalog/test"), DCAT.dataset, URIRef(f"{base}/id/dataset/gamma")) in graph
    assert set(graph.subjects(RDF.type, DCAT.DataService)) == {URIRef(f"{base}/id/service/delta")}


def test_no_accept_header_gives_turtle_and_varies_on_accept(client: FlaskClient) -> None:
    response = client.get("/catalog")
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert {v.strip() for v in response.headers["Vary"].split(",")} == {"Accept", "Accept-Encoding"}
    jsonld = client.get("/catalog", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["Content-Type"] == "application/ld+json; charset=utf-8"
    rdfxml = client.get("/catalog", headers={"Accept": "application/rdf+xml;q=0.9, text/turtle;q=0.5"})
    assert rdfxml.headers["Content-Type"].startswith("application/rdf+xml")
    assert client.get("/catalog", headers={"Accept": "image/png"}).status_code == 406


def test_html_catalogue_links_its_alternates(client: FlaskClient) -> None:
    page = client.get("/catalog", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<link rel="alternate" type="text/turtle" href="/catalog.ttl?page=1">' in page
    assert "id/dataset/alpha" in page


def test_head_gives_headers_without_body(client: FlaskClient) -> None:
    get = client.get("/catalog.ttl")
    head = client.head("/catalog.ttl")
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Type"] == get.headers["Content-Type"]


def test_page_carries_the_catalogue_record_and_labels(client: FlaskClient, settings: Settings) -> None:
    graph = _parse(client.get("/catalog.ttl"))
    base = settings.base_iri
    record = URIRef(f"{base}/id/record/alpha")
    assert (record, RDF.type, DCAT.CatalogRecord) in graph
    assert (record, DCTERMS.modified, None) in graph
    assert (URIRef(f"{base}/id/catalog/test"), DCAT.record, record) in graph
    theme = URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE")
    assert graph.value(theme, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")) is not None
    contact = graph.value(URIRef(f"{base}/id/dataset/alpha"), DCAT.contactPoint)
    vcard_fn = URIRef("http://www.w3.org/2006/vcard/ns#fn")
    assert contact is not None and graph.value(contact, vcard_fn) is not None
    foaf_name = URIRef("http://xmlns.com/foaf/0.1/name")
    assert graph.value(URIRef(f"{base}/id/org/test-org"), foaf_name) is not None


# -- paging ------------------------------------------------------------------------------------

def test_exactly_one_page(client: FlaskClient) -> None:
    graph = _parse(client.get("/catalog.ttl"))
    view = _view(graph)
    assert int(graph.value(view, HYDRA.totalItems)) == 4
    assert graph.value(view, HYDRA.first) == graph.value(view, HYDRA.last)
    assert graph.value(view, HYDRA.next) is None and graph.value(view, HYDRA.previous) is None
    assert isinstance(graph.value(view, HYDRA.first), URIRef)


def test_empty_catalogue(settings: Settings, memory_store: Store) -> None:
    client = _client(settings, memory_store)
    assert client.get("/healthz?wait=30").get_json()["fresh"]   # an empty store's products, derived once
    response = client.get("/catalog.ttl")
    assert response.status_code == 200
    graph = _parse(response)
    view = _view(graph)
    assert int(graph.value(view, HYDRA.totalItems)) == 0
    assert graph.value(view, HYDRA.next) is None
    assert not list(graph.subjects(RDF.type, DCAT.Dataset))
    missing = client.get("/catalog.ttl?page=2")
    assert missing.status_code == 404 and b"page 2 does not exist" in missing.get_data()


def test_paging_links_last_page_and_out_of_range(client: FlaskClient) -> None:
    first = _parse(client.get("/catalog.ttl?per_page=3"))
    view = _view(first)
    assert str(view).endswith("/catalog.ttl?page=1&per_page=3")
    assert str(first.value(view, HYDRA.next)).endswith("page=2&per_page=3")
    assert str(first.value(view, HYDRA.last)).endswith("page=2&per_page=3")
    last = _parse(client.get("/catalog.ttl?page=2&per_page=3"))
    last_view = _view(last)
    assert last.value(last_view, HYDRA.next) is None
    assert str(last.value(last_view, HYDRA.previous)).endswith("page=1&per_page=3")
    items = set(last.subjects(RDF.type, DCAT.Dataset)) | set(last.subjects(RDF.type, DCAT.DataService))
    assert len(items) == 1
    out = client.get("/catalog.ttl?page=3&per_page=3", headers={"Accept": "text/plain"})
    assert out.status_code == 404
    message = "page 3 does not exist: the catalogue has 4 item(s) in 2 page(s) of 3"
    assert message in out.get_data(as_text=True)


@pytest.mark.parametrize("query", ["page=0", "page=abc", "per_page=0", "per_page=100000",
                                   "modified_since=yesterday", "modified_since=2024-13-01"])
def test_bad_parameters_are_400_with_a_message(client: FlaskClient, query: str) -> None:
    response = client.get(f"/catalog.ttl?{query}", headers={"Accept": "text/plain"})
    assert response.status_code == 400
    assert response.get_data(as_text=True).startswith("400 Bad Request: ")


def test_modified_since_filters_by_record_modification(client: FlaskClient, settings: Settings) -> None:
    graph = _parse(client.get("/catalog.ttl?modified_since=2023-06-01"))
    base = settings.base_iri
    items = set(graph.subjects(RDF.type, DCAT.Dataset)) | set(graph.subjects(RDF.type, DCAT.DataService))
    assert items == {URIRef(f"{base}/id/dataset/beta"), URIRef(f"{base}/id/dataset/gamma")}
    assert int(graph.value(_view(graph), HYDRA.totalItems)) == 2
    later = _parse(client.get("/catalog.ttl?modified_since=2023-06-01T12:00:01%2B00:00"))
    assert set(later.subjects(RDF.type, DCAT.Dataset)) == {URIRef(f"{base}/id/dataset/gamma")}
    assert "modified_since=2023-06-01" in str(graph.value(_view(graph), HYDRA.first))


# -- caching and determinism ----------------------------------------------------------------------

def test_etag_and_last_modified_give_304(client: FlaskClient) -> None:
    response = client.get("/catalog.ttl")
    etag, last_modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert etag.startswith('"') and not etag.startswith('W/')
    again = client.get("/catalog.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert client.get("/catalog.ttl", headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get("/catalog.ttl", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/catalog.jsonld").headers["ETag"] != etag


def test_same_data_gives_same_bytes_even_after_a_reload(client: FlaskClient, settings: Settings) -> None:
    for ext in catalog.FORMATS:
        assert client.get(f"/catalog.{ext}").get_data() == client.get(f"/catalog.{ext}").get_data()
    other = _store(settings, FIXTURES / "small.ttl")  # new blank node ids inside the store
    try:
        fresh = _client(settings, other)
        for ext in catalog.FORMATS:
            assert fresh.get(f"/catalog.{ext}").get_data() == client.get(f"/catalog.{ext}").get_data()
    finally:
        other.close()


def test_index_heals_when_the_store_changes(settings: Settings, small: Store) -> None:
    client = _client(settings, small)
    before = _parse(client.get("/catalog.ttl"))
    assert int(before.value(_view(before), HYDRA.totalItems)) == 4
    Writer(small, settings).load([FIXTURES / "extra.ttl"])
    after = _parse(client.get("/catalog.ttl"))
    assert int(after.value(_view(after), HYDRA.totalItems)) == 5
    assert (URIRef(f"{settings.base_iri}/id/dataset/epsilon"), DCTERMS.identifier, None) in after


# -- documents, VoID, dump ---------------------------------------------------------------------

def test_dataset_document_at_its_iri(client: FlaskClient, settings: Settings) -> None:
    base = settings.base_iri
    for ext in ("ttl", "jsonld", "rdf"):
        response = client.get(f"/id/dataset/alpha.{ext}")
        assert response.status_code == 200
        graph = _parse(response)
        assert (URIRef(f"{base}/id/dataset/alpha"), DCTERMS.identifier, None) in graph
        assert (URIRef(f"{base}/id/record/alpha"), DCTERMS.modified, None) in graph
        assert not list(graph.subjects(RDF.type, HYDRA.PartialCollectionView))
        assert (None, DCAT.dataset, URIRef(f"{base}/id/dataset/beta")) not in graph
    assert client.get("/id/service/delta.ttl").status_code == 200
    assert client.get("/id/dataset/nope.ttl").status_code == 404


def test_void_describes_endpoint_dump_and_partitions(client: FlaskClient, settings: Settings) -> None:
    response = client.get("/.well-known/void")
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = _parse(response)
    dataset = URIRef(catalog.void_dataset(settings.base_iri))
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef(settings.base_iri + "/sparql")
    assert graph.value(dataset, VOID.dataDump) == URIRef(settings.base_iri + "/dump.nq.gz")
    assert int(graph.value(dataset, VOID.triples)) > 40
    classes = {graph.value(p, VOID["class"]): int(graph.value(p, VOID.entities))
               for p in graph.objects(dataset, VOID.classPartition)}
    assert classes[DCAT.Dataset] == 3 and classes[DCAT.DataService] == 1
    assert list(graph.objects(dataset, VOID.exampleResource))


def test_dump_is_gzipped_nquads_of_the_store(client: FlaskClient, small: Store) -> None:
    response = client.get("/dump.nq.gz")
    assert response.status_code == 200
    text = gzip.decompress(response.get_data()).decode("utf-8")
    lines = [line for line in text.splitlines() if line]
    assert len(lines) == sum(1 for _ in small.quads())
    assert all(line.endswith(" .") for line in lines)


# -- the harvester's-eye view ------------------------------------------------------------------

def _store_items(store: Store, cls: str) -> set[str]:
    rows = store.select(f"SELECT DISTINCT ?s WHERE {{ ?s a <{cls}> FILTER(isIRI(?s)) }}")
    return {str(r["s"]) for r in rows}


def test_harvester_on_the_fixture_with_small_pages(client: FlaskClient, small: Store) -> None:
    result = harvest(flask_fetch(client), "http://localhost/catalog?per_page=1")
    assert result.pages == 4
    assert set(result.datasets) == _store_items(small, str(DCAT.Dataset))
    assert result.services == _store_items(small, str(DCAT.DataService))


def test_harvester_on_data(settings: Settings, loaded_store: Store) -> None:
    client = _client(settings, loaded_store)
    result = harvest(flask_fetch(client), "http://localhost/catalog")
    assert set(result.datasets) == _store_items(loaded_store, str(DCAT.Dataset))
    assert all(iri.startswith(settings.base_iri + "/") for iri in result.datasets)


@pytest.mark.slow
def test_harvester_on_a_generated_catalogue_of_10k(settings: Settings, tmp_path: Path) -> None:
    from bench.generate import write

    source = tmp_path / "c10k.nt"
    with source.open("w", encoding="utf-8") as out:
        write(10_000, out, settings.base_iri)
    store = _store(settings, source)
    try:
        client = _client(settings, store)
        result = harvest(flask_fetch(client), "http://localhost/catalog")
        assert result.pages == 100 and result.total_items == 10_000
        assert set(result.datasets) == _store_items(store, str(DCAT.Dataset))
        assert len(result.datasets) == 10_000
        assert sorted(result.datasets.values()) == sorted(f"bench-{i}" for i in range(10_000))
    finally:
        store.close()


# -- conformance -------------------------------------------------------------------------------

@pytest.mark.parametrize("shapes", ["dcat-ap-2.1.1/dcat-ap_2.1.1_shacl_shapes.ttl",
                                    "dcat-ap-3.0.1/shapes.ttl"])
def test_served_catalogue_of_data_passes_the_semic_shapes(settings: Settings, loaded_store: Store,
                                                          shapes: str) -> None:
    from pyshacl import validate

    from tests.reference import reference_path

    shapes_graph = Graph().parse(reference_path(*shapes.split("/")), format="turtle")
    client = _client(settings, loaded_store)
    page = _parse(client.get(f"/catalog.ttl?per_page={catalog.MAX_PER_PAGE}"))
    assert list(page.subjects(RDF.type, DCAT.Dataset)), "data/ should publish datasets"
    _, report, text = validate(page, shacl_graph=shapes_graph, inference="none", allow_warnings=True)
    violations = list(report.subjects(URIRef("http://www.w3.org/ns/shacl#resultSeverity"),
                                      URIRef("http://www.w3.org/ns/shacl#Violation")))
    assert not violations, text


# -- stored pages: stable, incremental, read without the store ----------------------------------------

def _generated(tmp_path: Path, n: int) -> Path:
    from bench.generate import write

    path = tmp_path / f"generated-{n}.nt"
    with path.open("w", encoding="utf-8") as out:
        write(n, out, "https://kg.rammearkitektur.dk")
    return path


def _pages(publication: object, count: int) -> dict[int, bytes]:
    out = {}
    for n in range(1, count + 1):
        stored = publication.get(f"page:{n}:nt")  # type: ignore[attr-defined]
        assert stored is not None, f"page {n} is not stored"
        out[n] = stored.body
    return out


def _triples_of(store: Store, item: str) -> str:
    """The item's own triples in its source graph (the one that types it), as a GRAPH block."""
    rows = store.select(f"SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ <{item}> a <{DCAT.Dataset}> ; ?p ?o }} }}")
    graphs = {str(r["g"]) for r in rows}
    assert len(graphs) == 1, graphs
    lines = " ".join(f"<{item}> <{r['p']}> {r['o'].n3()} ." for r in rows)
    return f"GRAPH <{graphs.pop()}> {{ {lines} }}"


@pytest.mark.slow
def test_a_change_rewrites_only_the_pages_it_shows_on(settings: Settings, tmp_path: Path) -> None:
    """Items keep their positions: a changed dataset rewrites its own page, a new one the first page
    (the totals) and the last, a removed one its own page and the first; no other page changes."""
    from kg.write import publication_for

    store = _store(settings, _generated(tmp_path, 250))
    writer = Writer(store, settings)
    publication = publication_for(store, settings)
    try:
        order = catalog.catalogue_items(publication)
        assert len(order) == 250 and len(set(order)) == 250
        before = _pages(publication, 3)

        changed = order[150]  # on page 2
        writer.update(f"INSERT DATA {{ {_triples_of(store, changed).split('{', 1)[0]}"
                      f"{{ <{changed}> <http://purl.org/dc/terms/title> \"Ændret\"@da }} }}")
        after = _pages(publication, 3)
        assert catalog.catalogue_items(publication) == order
        assert after[2] != before[2] and after[1] == before[1] and after[3] == before[3]
        assert "Ændret" in after[2].decode("utf-8")

        new = "https://kg.rammearkitektur.dk/id/dataset/new-one"
        home = _triples_of(store, order[0]).split("{", 1)[0]
        writer.update(f"INSERT DATA {{ {home}{{ <{new}> a <{DCAT.Dataset}> ; "
                      f"<{DCTERMS.title}> \"Ny\"@da ; <{DCTERMS.identifier}> \"new-one\" . "
                      f"<https://kg.rammearkitektur.dk/id/catalog/bench> <{DCAT.dataset}> <{new}> }} }}")
        added = _pages(publication, 3)
        assert catalog.catalogue_items(publication) == [*order, new]
        assert added[2] == after[2], "a new dataset goes at the end and leaves the pages before alone"
        assert added[1] != after[1] and added[3] != after[3]

        gone = order[10]  # on page 1
        writer.update(f"DELETE DATA {{ {_triples_of(store, gone)} }}")
        removed = _pages(publication, 3)
        assert gone not in catalog.catalogue_items(publication)
        assert removed[2] == added[2] and removed[3] == added[3]
        assert gone.encode() not in removed[1]

        # every item is on exactly one page, in position order
        on_pages = [str(s) for n in (1, 2, 3)
                    for s in Graph().parse(data=removed[n], format="nt").subjects(RDF.type, DCAT.Dataset)]
        assert sorted(on_pages) == sorted(catalog.catalogue_items(publication))
    finally:
        store.close()


@pytest.mark.slow
def test_incremental_pages_hold_what_a_full_build_gives(settings: Settings, tmp_path: Path) -> None:
    """After changes made incrementally, every item's document and every page is byte for byte what a
    build from scratch gives for the same positions."""
    from kg.publication import Publication
    from kg.write import publication_for

    store = _store(settings, _generated(tmp_path, 120))
    writer = Writer(store, settings)
    publication = publication_for(store, settings)
    try:
        order = catalog.catalogue_items(publication)
        for n, item in enumerate(order[::17]):
            writer.update(f"INSERT DATA {{ {_triples_of(store, item).split('{', 1)[0]}"
                          f"{{ <{item}> <http://www.w3.org/ns/dcat#keyword> \"ekstra {n}\"@da }} }}")
        writer.update(f"DELETE DATA {{ {_triples_of(store, order[5])} }}")
        fresh = Publication(None)
        with fresh.writing() as batch:  # the same positions, then everything built again
            batch.db.execute(ITEMS_TABLE)
            with publication.connection() as db:
                rows = list(db.execute("SELECT iri, position, sortkey FROM catalogue_items"))
            batch.db.executemany("INSERT INTO catalogue_items VALUES (?, ?, ?)", rows)
        catalog.publish_catalogue(store, fresh, None)
        for item in catalog.catalogue_items(publication):
            assert publication.get("item:" + item).body == fresh.get("item:" + item).body, item  # type: ignore[union-attr]
        for n in (1, 2):
            for ext in catalog.FORMATS:
                key = f"page:{n}:{ext}"
                assert publication.get(key).body == fresh.get(key).body, key  # type: ignore[union-attr]
    finally:
        store.close()


def test_pages_are_served_without_the_store(settings: Settings, small: Store) -> None:
    """Requests read the stored pages: with the store closed, every catalogue answer still comes."""
    client = _client(settings, small)
    assert client.get("/healthz?wait=30").get_json()["fresh"]
    expected = {ext: client.get(f"/catalog.{ext}?page=1").get_data() for ext in catalog.FORMATS}
    small.close()
    for ext, body in expected.items():
        assert client.get(f"/catalog.{ext}?page=1").get_data() == body
    assert client.get("/catalog.ttl?page=1&per_page=2").status_code == 200
    assert client.get("/catalog.ttl?page=1&modified_since=2023-01-01").status_code == 200
    assert client.get("/id/dataset/alpha.jsonld").status_code == 200
    assert client.get("/.well-known/void").status_code == 200


def test_range_and_head_on_a_stored_page(client: FlaskClient) -> None:
    whole = client.get("/catalog.nt?page=1")
    part = client.get("/catalog.nt?page=1", headers={"Range": "bytes=10-29"})
    assert part.status_code == 206 and part.get_data() == whole.get_data()[10:30]
    assert part.headers["Content-Range"] == f"bytes 10-29/{len(whole.get_data())}"
    beyond = client.get("/catalog.nt?page=1", headers={"Range": f"bytes={len(whole.get_data()) + 5}-"})
    assert beyond.status_code == 416
    head = client.head("/catalog.nt?page=1")
    assert head.headers["Content-Length"] == str(len(whole.get_data())) and head.get_data() == b""


def test_the_collection_redirects_to_its_first_page(client: FlaskClient) -> None:
    bare = client.get("/catalog", follow_redirects=False)
    assert bare.status_code == 303 and bare.headers["Location"].endswith("/catalog?page=1")
    odd = client.get("/catalog.ttl?per_page=2&page=1", follow_redirects=False)
    assert odd.status_code == 303 and odd.headers["Location"].endswith("/catalog.ttl?page=1&per_page=2")
    graph = _parse(client.get("/catalog.ttl?page=1&per_page=2", follow_redirects=False))
    view = _view(graph)
    assert str(view) == "http://localhost/catalog.ttl?page=1&per_page=2"
    collection = URIRef("http://localhost/catalog.ttl")
    assert (collection, RDF.type, HYDRA.Collection) in graph and (collection, HYDRA.view, view) in graph
    assert client.get("/catalog?page=0", follow_redirects=False).status_code == 400
