"""No valid input can poison the derivation pipeline: every write succeeds and the derived state stays fresh.

An RDF list of literals (the shape of every ``sh:in`` and ``owl:oneOf``) once made the OWL RL closure
hand the store a triple with a literal subject; that write and every later one failed to derive.  Here
the list, then every data file of the W3C SPARQL suites, is loaded one after another with the default
settings (the server's background pipeline with every step), then an ordinary write is made: every
request succeeds and ``/healthz`` reports the derived state fresh, with no failed step.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from kg.cli import main
from kg.config import Settings, load_settings
from kg.store import open_store
from kg.write import Writer
from tests import w3c_suites as w
from tests.reference import reference_dir, reference_path
from webapp import create_app

TOKEN = "derive-token"
LIST_OF_LITERALS = b'<http://example.org/x> <http://example.org/p> ("1" "2") .\n'
ROOT = reference_dir() / "w3c-rdf-tests" / "sparql"


def _data_files() -> list[Path]:
    """Every data file the suites' query and update tests load (their results' files too)."""
    cases, _ = w.load_cases(ROOT)
    files: set[Path] = set()
    for case in cases:
        files.update(w.dataset_files(case, ROOT))
        files.update(p for _, p in case.result_graphs)
        if case.result_data is not None:
            files.add(case.result_data)
    return sorted(files)


@pytest.fixture()
def client(settings: Settings) -> Iterator[FlaskClient]:
    """kg's app with default settings over an empty in-memory store, deriving in the background."""
    here = settings.replace(write_token=TOKEN)
    store = open_store(here)
    app = create_app(here, store)
    yield app.test_client()
    app.extensions["kg.writer"].close()
    store.close()


def _healthy(client: FlaskClient) -> dict[str, object]:
    health = client.get("/healthz?wait=30").get_json()
    assert health["fresh"] is True and health["failed"] == {}, health
    return health  # type: ignore[no-any-return]


def test_a_list_of_literals_then_every_suite_file_then_a_write(client: FlaskClient) -> None:
    reference_path("w3c-rdf-tests", "sparql", "sparql11", "manifest-all.ttl")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    put = client.put("/sparql/graph?graph=http://example.org/list", data=LIST_OF_LITERALS,
                     headers={**auth, "Content-Type": "text/turtle"})
    assert put.status_code == 201, put.data
    _healthy(client)
    files = _data_files()
    assert len(files) > 200
    for path in files:
        iri = w.iri_of(ROOT, path)
        answer = client.put("/sparql/graph", query_string={"graph": iri}, data=path.read_bytes(),
                            headers={**auth, "Content-Type": w.RDF_MEDIA[path.suffix],
                                     "Content-Location": iri})
        assert answer.status_code in (201, 204), (path.name, answer.status_code, answer.data)
    update = client.post("/sparql/update", headers=auth, data={
        "update": "INSERT DATA { GRAPH <http://example.org/ordinary> { <http://example.org/a> "
                  "<http://example.org/b> <http://example.org/c> } }"})
    assert update.status_code == 200, update.data
    health = _healthy(client)
    assert health["last_refresh"] >= health["last_write"]  # type: ignore[operator]
    inferred = client.get("/sparql", query_string={
        "query": "ASK { GRAPH ?g { <http://example.org/a> <http://example.org/b> <http://example.org/c> } }"})
    assert inferred.get_json()["boolean"] is True


def test_kg_load_of_a_list_of_literals_and_the_load_after_it(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for var in ("KG_STORE", "KG_STORE_PATH", "KG_CONFIG", "KG_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "list.ttl").write_bytes(LIST_OF_LITERALS)
    other = "<http://example.org/y> <http://example.org/q> <http://example.org/z> .\n"
    (tmp_path / "other.ttl").write_text(other, encoding="utf-8")
    for name in ("list.ttl", "other.ttl"):
        result = CliRunner().invoke(main, ["load", name], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "failed" not in result.output and "Traceback" not in result.output, result.output
    settings = load_settings()
    store = open_store(settings)
    try:
        assert Writer(store, settings).pipeline.failed() == {}
    finally:
        store.close()
