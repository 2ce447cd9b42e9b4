"""The one store suite, run against every back end: in memory, embedded on disk, and the remote
back end against a real ``oxigraph serve`` and a real Virtuoso started by :mod:`tests.servers`.

Every test gets its own base IRI, so the relative IRIs of the test data name
different resources in each test even on a server shared by the session.
"""

from __future__ import annotations

import io
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from kg.config import Settings, load_settings
from kg.loading import load_paths
from kg.namespaces import KG, SD
from kg.queries import iri, render
from kg.store import ParseError, Provenance, QuerySyntaxError, Store, StoreError, StoreUnavailable, open_store
from kg.store.base import sha256_of
from tests.servers import RunningServer, free_port, oxigraph_server, virtuoso_server

DATA = Path(__file__).resolve().parent / "data" / "store"
EX = Namespace("http://example.org/def#")
REMOTE = ("oxigraph-serve", "virtuoso")
BACKENDS = ("memory", "embedded", *REMOTE)


# -- servers, once per session ------------------------------------------------------
@pytest.fixture(scope="session")
def oxigraph_serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    if shutil.which("oxigraph") is None:
        pytest.skip("oxigraph is not installed (pip install oxigraph)")
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    if shutil.which("virtuoso-t") is None or not (shutil.which("isql-vt") or shutil.which("isql")):
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


# -- one back end per test ----------------------------------------------------------------
@dataclass
class Backend:
    """How to open (and reopen) a store of one kind with this test's settings."""

    name: str
    settings: Settings

    def open(self) -> Store:
        return open_store(self.settings)

    @property
    def base(self) -> str:
        return self.settings.base


def _settings(base: str, **values: object) -> Settings:
    return load_settings(environ={}, config_file=Path("no-such-kg.toml"), base_iri=base,
                         data_dir=DATA, ontologies_dir=DATA / "no-ontologies", **values)


def server_for(request: pytest.FixtureRequest, name: str) -> RunningServer:
    return request.getfixturevalue("oxigraph_serve" if name == "oxigraph-serve" else "virtuoso")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    base = f"https://kg.test/{uuid.uuid4().hex[:12]}"
    name = request.param
    if name == "memory":
        return Backend(name, _settings(base, store="memory"))
    if name == "embedded":
        return Backend(name, _settings(base, store="embedded", store_path=tmp_path / "store"))
    server = server_for(request, name)
    # Oxigraph uploads through the Graph Store Protocol, Virtuoso through chunked SPARQL Update:
    # both upload paths run the whole suite.
    overrides = {"remote_gsp_url": ""} if name == "virtuoso" else {}
    return Backend(name, _settings(base, **server.settings(**overrides)))


@pytest.fixture
def store(backend: Backend) -> Iterator[Store]:
    opened = backend.open()
    yield opened
    if backend.name in REMOTE:  # leave the shared server as we found it
        for info in opened.graphs():
            opened.drop_graph(info.name)
    opened.close()


def load(store: Store, backend: Backend, name: str, graph: str | None = None) -> int:
    path = DATA / name
    target = graph or backend.base + "graph/" + path.stem
    return store.load_file(target, path, "turtle", backend.base,
                           Provenance.now(f"store/{name}", sha256_of(path)))


def dump_lines(store: Store) -> list[bytes]:
    out = io.BytesIO()
    store.dump(out, "nquads")
    return sorted(line for line in out.getvalue().splitlines() if line.strip())


def as_dataset(store: Store) -> Dataset:
    dataset = Dataset()
    for s, p, o, g in store.quads():
        dataset.graph(g).add((s, p, o))
    return dataset


def graph_of(store: Store, graph: str) -> Graph:
    return store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}")


def expected(name: str, base: str) -> Graph:
    return Graph().parse(DATA / name, format="turtle", publicID=base)


# -- the suite ------------------------------------------------------------------------------
def test_load_turtle_into_named_graph(store: Store, backend: Backend) -> None:
    graph = backend.base + "graph/people"
    assert load(store, backend, "people.ttl") == 19
    assert isomorphic(graph_of(store, graph), expected("people.ttl", backend.base))


def test_literals_and_blank_nodes_round_trip(store: Store, backend: Backend) -> None:
    load(store, backend, "people.ttl")
    got = graph_of(store, backend.base + "graph/people")
    ane = URIRef(backend.base + "id/person/ane")
    assert Literal("Ane Ærø Søgaard", lang="da") in set(got.objects(ane, EX.name))
    assert Literal("Ane Aero Sogaard", lang="en-GB") in set(got.objects(ane, EX.name))
    assert got.value(ane, EX.born) == Literal("1975-03-01", datatype=XSD.date)
    assert got.value(ane, EX.age) == Literal(48)
    assert got.value(ane, EX.active) == Literal(True)
    assert got.value(ane, EX.code) == Literal("K-17", datatype=EX.MunicipalCode)
    assert got.value(ane, EX.note) == Literal('Linjeskift\nog "citat" og tab\tog emoji 🙂')
    address = got.value(ane, EX.address)
    assert isinstance(address, BNode) and got.value(address, EX.street) == Literal("Åboulevarden 1")
    assert list(got.items(got.value(ane, EX.roles))) == [Literal("formand"), Literal("næstformand")]


def test_broken_file_changes_nothing_and_names_line_and_column(store: Store, backend: Backend) -> None:
    load(store, backend, "people.ttl")
    before = dump_lines(store)
    for graph in ("graph/people", "graph/broken"):  # an existing graph and a new one
        with pytest.raises(ParseError) as caught:
            load(store, backend, "broken.ttl", graph=backend.base + graph)
        assert (caught.value.line, caught.value.column) == (6, 25)
        assert "store/broken.ttl, line 6, column 25" in str(caught.value)
    assert dump_lines(store) == before
    assert [g.name for g in store.graphs()] == [backend.base + "graph/meta", backend.base + "graph/people"]


def test_reload_replaces(store: Store, backend: Backend) -> None:
    graph = backend.base + "graph/people"
    load(store, backend, "people.ttl")
    assert load(store, backend, "people-v2.ttl", graph=graph) == 2
    assert isomorphic(graph_of(store, graph), expected("people-v2.ttl", backend.base))
    info = store.graph_info(graph)
    assert info is not None and info.triples == 2 and info.sha256 == sha256_of(DATA / "people-v2.ttl")
    assert not store.ask(f"ASK {{ <{backend.base}id/person/ane> <{EX.age}> ?age }}")


def test_prov_record(store: Store, backend: Backend) -> None:
    graph = backend.base + "graph/people"
    load(store, backend, "people.ttl")
    info = store.graph_info(graph)
    assert info is not None
    sha = sha256_of(DATA / "people.ttl")
    assert (info.triples, info.source, info.sha256) == (19, "store/people.ttl", sha)
    assert info.loaded_at and info.loaded_at.endswith("Z") and info.version and info.version.startswith("kg ")
    record = store.construct(f"CONSTRUCT {{ {iri(graph)} ?p ?o }} WHERE {{ GRAPH <{backend.base}graph/meta> "
                             f"{{ {iri(graph)} ?p ?o }} }}")
    g = URIRef(graph)
    # the same shape on every back end
    assert set(record.predicates(g)) == {RDF.type, KG.tripleCount, PROV.generatedAtTime, KG.softwareVersion,
                                         DCTERMS.source, KG.sha256}
    assert set(record.objects(g, RDF.type)) == {PROV.Entity, SD.NamedGraph}
    assert record.value(g, PROV.generatedAtTime).datatype == XSD.dateTime
    assert record.value(g, KG.tripleCount).toPython() == 19


def test_union_default_graph(store: Store, backend: Backend) -> None:
    load(store, backend, "people.ttl")
    load(store, backend, "places.ttl")
    rows = store.select(f"SELECT ?place WHERE {{ <{backend.base}id/person/ane> <{EX.knows}> ?who . "
                        f"?who <{EX.livesIn}> ?where . ?where <{EX.label}> ?place }}")
    assert rows == [{"place": Literal("Aalborg")}]


def test_drop_graph(store: Store, backend: Backend) -> None:
    graph = backend.base + "graph/places"
    load(store, backend, "places.ttl")
    assert store.drop_graph(graph) is True
    assert store.graph_info(graph) is None
    assert not store.ask(f"ASK {{ <{backend.base}id/place/aalborg> ?p ?o }}")
    assert not store.ask(f"ASK {{ GRAPH ?meta {{ {iri(graph)} ?p ?o }} }}")
    assert store.drop_graph(graph) is False


def test_list_graphs_with_counts(store: Store, backend: Backend) -> None:
    load(store, backend, "people.ttl")
    load(store, backend, "places.ttl")
    listed = {g.name: g.triples for g in store.graphs()}
    assert listed[backend.base + "graph/people"] == 19
    assert listed[backend.base + "graph/places"] == 3
    assert listed[backend.base + "graph/meta"] > 0
    assert set(listed) == {backend.base + f"graph/{n}" for n in ("meta", "people", "places")}


def test_dump_restore_is_isomorphic(store: Store, backend: Backend, tmp_path: Path) -> None:
    load(store, backend, "people.ttl")
    load(store, backend, "places.ttl")
    original = as_dataset(store)
    for syntax in ("nquads", "trig"):
        dump = tmp_path / f"dump.{syntax}"
        with dump.open("wb") as out:
            written = store.dump(out, syntax)
        assert written == sum(1 for _ in store.quads())
        for info in store.graphs():  # empty the store, then restore into it
            store.drop_graph(info.name)
        assert list(store.quads()) == []
        assert store.restore(dump, syntax) == written
        restored = as_dataset(store)
        for name in {g.identifier for g in original.graphs()} | {g.identifier for g in restored.graphs()}:
            assert isomorphic(original.graph(name), restored.graph(name)), name
    # a dump is the same whatever back end wrote it: restore it into an in-memory store
    with open_store(backend.settings.replace(store="memory")) as memory:
        memory.restore(tmp_path / "dump.nquads", "nquads")
        for info in memory.graphs():
            assert isomorphic(graph_of(memory, info.name), graph_of(store, info.name)), info.name


def test_broken_dump_changes_nothing(store: Store, backend: Backend, tmp_path: Path) -> None:
    load(store, backend, "places.ttl")
    before = dump_lines(store)
    broken = tmp_path / "broken.nq"
    broken.write_bytes(b"<http://a/s> <http://a/p> <http://a/o> <http://a/g> .\n"
                       b"<http://a/s> <http://a/p> .\n")
    with pytest.raises(ParseError) as caught:
        store.restore(broken, "nquads")
    assert caught.value.line == 2
    assert dump_lines(store) == before


def test_query_forms(store: Store, backend: Backend) -> None:
    load(store, backend, "people.ttl")
    ane = f"<{backend.base}id/person/ane>"
    assert store.ask(f"ASK {{ {ane} a <{EX.Person}> }}") is True
    assert store.ask(f"ASK {{ {ane} a <{EX.Nobody}> }}") is False
    rows = store.select(f"SELECT ?n WHERE {{ {ane} <{EX.name}> ?n FILTER(lang(?n) = 'da') }}")
    assert rows == [{"n": Literal("Ane Ærø Søgaard", lang="da")}]
    optional = store.select(f"SELECT ?n ?x WHERE {{ {ane} <{EX.age}> ?n "
                            f"OPTIONAL {{ {ane} <{EX.none}> ?x }} }}")
    assert optional == [{"n": Literal(48)}]  # unbound variables are absent
    built = store.construct(f"CONSTRUCT {{ ?s <{EX.called}> ?n }} WHERE {{ ?s <{EX.name}> ?n }}")
    assert len(built) == 2
    described = store.construct(f"DESCRIBE {ane}")
    assert (URIRef(ane[1:-1]), EX.age, Literal(48)) in described
    with pytest.raises(QuerySyntaxError):
        store.select("SELECT ?x WHERE { ?x ?y }")
    with pytest.raises(StoreError):
        store.select(f"ASK {{ {ane} ?p ?o }}")


def test_execute_serialises_and_truncates(store: Store, backend: Backend) -> None:
    load(store, backend, "people.ttl")
    query = f"SELECT ?p ?o WHERE {{ <{backend.base}id/person/ane> ?p ?o }} ORDER BY ?p ?o"
    full = store.execute(query)
    assert full.kind == "bindings" and not full.truncated
    assert b'"vars"' in full.serialize("application/sparql-results+json")
    assert b"<sparql" in full.serialize("application/sparql-results+xml")
    cut = store.execute(query, max_rows=3)
    assert cut.serialize("text/csv").decode().strip().count("\n") == 3  # header + 3 rows
    assert cut.truncated
    graph = store.execute(f"CONSTRUCT WHERE {{ <{backend.base}id/person/ane> <{EX.age}> ?o }}")
    assert graph.kind == "graph"
    assert len(Graph().parse(data=graph.serialize("text/turtle"), format="turtle")) == 1
    assert store.execute(f"ASK {{ <{backend.base}id/person/ane> ?p ?o }}").serialize(
        "application/sparql-results+json").replace(b" ", b"").find(b'"boolean":true') >= 0
    only_places = store.execute("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                default_graphs=[backend.base + "graph/people"])
    assert b"19" in only_places.serialize("text/csv")


def test_sparql_update(store: Store, backend: Backend) -> None:
    graph = backend.base + "graph/notes"
    store.update(f'INSERT DATA {{ GRAPH {iri(graph)} {{ <{backend.base}id/n/1> <{EX.text}> "første"@da }} }}')
    assert store.select(f"SELECT ?t WHERE {{ <{backend.base}id/n/1> <{EX.text}> ?t }}") == [
        {"t": Literal("første", lang="da")}]
    assert store.graph_info(graph) is not None and store.graph_info(graph).triples == 1  # type: ignore[union-attr]
    store.update(f"DELETE WHERE {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}")
    assert not store.ask(f"ASK {{ <{backend.base}id/n/1> ?p ?o }}")
    with pytest.raises(QuerySyntaxError):
        store.update("INSERT DATA { <a> }")


def test_hidden_staging_graph_is_invisible(store: Store, backend: Backend) -> None:
    """While a load's hidden graph exists, queries, listings and dumps do not see it."""
    load(store, backend, "places.ttl")
    before = dump_lines(store)
    staging = f"{backend.base}graph/staging/cafe?for={backend.base}graph/places"
    store.update(render("store/mark-staging", meta=iri(backend.base + "graph/meta"), staging=iri(staging),
                        graph=iri(backend.base + "graph/places")))
    store.update(f"INSERT DATA {{ GRAPH {iri(staging)} {{ <{backend.base}id/x> <{EX.half}> 'loaded' }} }}")
    assert not store.ask(f"ASK {{ ?s <{EX.half}> ?o }}")
    assert not store.ask(f"ASK {{ GRAPH ?g {{ ?s <{EX.half}> ?o }} }}")
    assert store.ask(f"ASK {{ <{backend.base}id/place/aalborg> ?p ?o }}")  # live graphs still answer
    assert staging not in {g.name for g in store.graphs()}
    assert dump_lines(store) == before
    if backend.name in REMOTE:  # opening a remote store leaves them: `kg recover` removes them
        from click.testing import CliRunner

        from kg.cli import main

        s = backend.settings
        env = {"KG_STORE": "remote", "KG_REMOTE_QUERY_URL": s.remote_query_url, "KG_BASE_IRI": s.base_iri,
               "KG_REMOTE_UPDATE_URL": s.remote_update_url, "KG_REMOTE_GSP_URL": s.remote_gsp_url,
               "KG_REMOTE_AUTH": s.remote_auth, "KG_CONFIG": str(DATA / "no-such-kg.toml")}
        result = CliRunner().invoke(main, ["recover"], env=env)
        assert result.exit_code == 0 and f"removed {staging}" in result.output, result.output
        assert not store.ask(f"ASK {{ GRAPH {iri(staging)} {{ ?s ?p ?o }} }}")
        assert "nothing to recover" in CliRunner().invoke(main, ["recover"], env=env).output


def test_unchanged_file_is_skipped(store: Store, backend: Backend) -> None:
    first = load_paths(store, backend.settings, [DATA / "places.ttl"])
    again = load_paths(store, backend.settings, [DATA / "places.ttl"])
    assert [o.status for o in first] == ["loaded"] and [o.status for o in again] == ["skipped"]
    assert again[0].triples == 3


# -- embedded only ----------------------------------------------------------------------------
@pytest.fixture
def disk(tmp_path: Path) -> Backend:
    return Backend("embedded", _settings(f"https://kg.test/{uuid.uuid4().hex[:12]}", store="embedded",
                                         store_path=tmp_path / "store"))


def test_embedded_data_survives_reopen(disk: Backend) -> None:
    with disk.open() as first:
        load(first, disk, "people.ttl")
        before = dump_lines(first)
    with disk.open() as second:
        assert dump_lines(second) == before
        assert second.graph_info(disk.base + "graph/people").triples == 19  # type: ignore[union-attr]


def test_embedded_crash_recovery_drops_hidden_graphs(disk: Backend) -> None:
    meta, people = disk.base + "graph/meta", disk.base + "graph/people"
    staging = f"{disk.base}graph/staging/dead?for={people}"
    with disk.open() as first:
        load(first, disk, "people.ttl")
        before = dump_lines(first)
        # what a load killed half way leaves: a marked staging graph, partly filled, and a new graph loading
        first.update(render("store/mark-staging", meta=iri(meta), staging=iri(staging), graph=iri(people)))
        first.update(render("store/mark-loading", meta=iri(meta), graph=iri(disk.base + "graph/new")))
        first.update(f"INSERT DATA {{ GRAPH {iri(staging)} {{ <{disk.base}id/x> <{EX.half}> 1 }} "
                     f"GRAPH <{disk.base}graph/new> {{ <{disk.base}id/y> <{EX.half}> 2 }} }}")
        assert not first.ask(f"ASK {{ ?s <{EX.half}> ?o }}")
        assert dump_lines(first) == before
    with disk.open() as second:
        assert not second.ask(f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g IN ({iri(staging)}, "
                              f"<{disk.base}graph/new>)) }}")
        assert not second.ask(f"ASK {{ GRAPH <{meta}> {{ ?g <{KG.stagingFor}>|<{KG.loadState}> ?x }} }}")
        assert dump_lines(second) == before


# -- remote only ------------------------------------------------------------------------------
def test_remote_server_down_is_unavailable() -> None:
    port = free_port()
    settings = _settings("https://kg.test/down", store="remote", remote_query_url=f"http://127.0.0.1:{port}/query",
                         remote_timeout=5.0)
    with open_store(settings) as down:
        with pytest.raises(StoreUnavailable, match=f"127.0.0.1:{port}.*cannot be reached"):
            down.select("SELECT * WHERE { ?s ?p ?o }")
        with pytest.raises(StoreUnavailable):
            down.update("INSERT DATA { <http://a/s> <http://a/p> 1 }")


@pytest.mark.parametrize("name", REMOTE)
def test_remote_other_upload_path(name: str, request: pytest.FixtureRequest) -> None:
    """The upload path the main suite does not use on this server (GSP for Virtuoso, Update for Oxigraph)."""
    server = server_for(request, name)
    base = f"https://kg.test/{uuid.uuid4().hex[:12]}/"
    gsp = server.gsp_url if name == "virtuoso" else ""
    backend = Backend(name, _settings(base.rstrip("/"), **server.settings(remote_gsp_url=gsp)))
    with backend.open() as remote:
        load(remote, backend, "people.ttl")
        load(remote, backend, "people.ttl")  # the second load goes through staging and the switch
        assert isomorphic(graph_of(remote, base + "graph/people"), expected("people.ttl", base))
        remote.drop_graph(base + "graph/people")
        remote.drop_graph(base + "graph/meta")


def test_remote_wrong_credentials(virtuoso: RunningServer) -> None:
    settings = _settings("https://kg.test/creds", **virtuoso.settings(remote_auth="kg:wrong"))
    with open_store(settings) as remote, pytest.raises(StoreError, match="refused"):
        remote.update("INSERT DATA { GRAPH <https://kg.test/creds/graph/x> { <http://a/s> <http://a/p> 1 } }")


@pytest.mark.parametrize("name", REMOTE)
def test_a_large_file_goes_to_the_graph_store_in_chunks(
        name: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above a size, a remote load sends several Graph Store POSTs instead of one PUT (Virtuoso stalled on a
    1.4 GB PUT); blank nodes keep their identity because each one's triples stay in one request."""
    from rdflib.compare import isomorphic

    from kg.store import remote

    server = server_for(request, name)  # with its Graph Store URL, also for Virtuoso
    settings = _settings(f"https://kg.test/{uuid.uuid4().hex[:12]}", **server.settings())
    monkeypatch.setattr(remote, "_GSP_ONE_REQUEST_BYTES", 0)
    monkeypatch.setattr(remote, "_GSP_CHUNK_TRIPLES", 5)
    sent: list[str] = []
    send = remote.RemoteStore._gsp_send

    def spy(self: remote.RemoteStore, method: str, graph: str, body: object) -> None:
        sent.append(method)
        send(self, method, graph, body)  # type: ignore[arg-type]

    monkeypatch.setattr(remote.RemoteStore, "_gsp_send", spy)
    path = tmp_path / "chunks.ttl"
    rows = "\n".join(f'<id/n/{i}> <{EX.text}> "tekst {i}"@da ; <{EX.link}> [ <{EX.text}> "indre {i}" ; '
                     f'<{EX.link}> [ <{EX.text}> "dybere {i}" ] ] .' for i in range(12))
    path.write_text(rows + "\n", encoding="utf-8")
    store = open_store(settings)
    try:
        outcome = load_paths(store, settings, [path])[0]
        assert outcome.status == "loaded" and outcome.triples == 12 * 5, outcome
        assert len(sent) >= 12 and set(sent) == {"POST"}  # one blank-node component (5 triples) a request
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri(outcome.graph)} {{ ?s ?p ?o }} }}"
        stored = store.construct(query)
    finally:
        for info in store.graphs():
            store.drop_graph(info.name)
        store.close()
    expected = Graph().parse(path, format="turtle", publicID=settings.base)
    assert len(stored) == 60 and isomorphic(stored, expected)
