"""The `kg` command line on a real on-disk store: loading, atomicity, PROV, dump/restore, errors."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Dataset
from rdflib.compare import isomorphic

from kg.cli import main
from tests.servers import recording_listener

BASE = "https://kg.example.org"


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for var in ("KG_STORE", "KG_STORE_PATH", "KG_BASE_IRI", "KG_CONFIG", "KG_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("KG_BASE_IRI", BASE)
    return tmp_path


def kg(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def dump(workdir: Path) -> str:
    result = kg("dump")
    assert result.exit_code == 0, result.output
    return result.stdout


GOOD = ("@prefix ex: <http://example.org/> .\nex:a ex:name \"Ærø\"@da ; ex:n 1 .\n"
        "<id/case/SAG-1> ex:p ex:b .\n")
BROKEN = "@prefix ex: <http://example.org/> .\nex:a ex:name \"x\" .\nex:b ex:name \"y\"\nex:c .\n"


def test_every_command_has_help() -> None:
    commands = [[], ["init"], ["load"], ["graphs"], ["query"], ["dump"], ["restore"], ["drop"], ["serve"],
                ["ingest"], ["export"]]
    for command in commands:
        result = kg(*command, "--help")
        assert result.exit_code == 0, command
        assert "Usage:" in result.output


def test_load_records_prov_and_resolves_relative_iris(workdir: Path) -> None:
    write(workdir / "data" / "cases.ttl", GOOD)
    result = kg("load", "data/cases.ttl")
    assert result.exit_code == 0, result.output
    assert f"{BASE}/graph/cases" in result.output
    rows = kg("query", "--format", "csv",
              "SELECT ?s WHERE { ?s <http://example.org/p> ?o }").stdout.splitlines()
    assert rows[1] == f"{BASE}/id/case/SAG-1"
    prov = kg("query", "--format", "csv", f"""
        PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dct: <http://purl.org/dc/terms/>
        PREFIX kg: <https://kg.rammearkitektur.dk/def/kg#>
        SELECT ?source ?sha ?at ?v WHERE {{ GRAPH <{BASE}/graph/meta> {{
          <{BASE}/graph/cases> dct:source ?source ; kg:sha256 ?sha ; prov:generatedAtTime ?at ;
          kg:softwareVersion ?v }} }}""").stdout.splitlines()
    source, sha, at, version = prov[1].split(",")
    import hashlib
    assert source == "cases.ttl"
    assert sha == hashlib.sha256((workdir / "data" / "cases.ttl").read_bytes()).hexdigest()
    assert at.startswith("20") and at.endswith("Z")
    assert version.startswith("kg ")


def test_broken_file_leaves_store_unchanged_and_names_line(workdir: Path) -> None:
    write(workdir / "data" / "a.ttl", GOOD)
    assert kg("load", "data/a.ttl").exit_code == 0
    before = dump(workdir)
    write(workdir / "data" / "a.ttl", BROKEN)     # a broken new version of a loaded graph
    write(workdir / "data" / "b.ttl", BROKEN)     # a broken new graph
    for name in ("a", "b"):
        result = kg("load", f"data/{name}.ttl")
        assert result.exit_code == 1
        assert f"{name}.ttl, line 4, column 1" in result.stderr
        assert "Traceback" not in result.output
    assert dump(workdir) == before


def test_reload_replaces_and_unchanged_is_skipped(workdir: Path) -> None:
    path = write(workdir / "data" / "a.ttl", GOOD)
    assert "loaded" in kg("load", "data/a.ttl").stdout
    assert "skipped" in kg("load", "data/a.ttl").stdout
    write(path, "@prefix ex: <http://example.org/> .\nex:z ex:name \"new\" .\n")
    assert "loaded" in kg("load", "data/a.ttl").stdout
    out = kg("query", "--format", "csv", "SELECT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && "
             "STRSTARTS(STR(?s), 'http://example.org/')) }").stdout.splitlines()
    assert out[1:] == ["http://example.org/z"]
    assert "loaded" in kg("load", "--force", "data/a.ttl").stdout


def test_union_default_graph(workdir: Path) -> None:
    write(workdir / "data" / "one.ttl", "<http://e/a> <http://e/knows> <http://e/b> .\n")
    write(workdir / "data" / "two.ttl", "<http://e/b> <http://e/name> \"B\" .\n")
    assert kg("load", "data").exit_code == 0
    out = kg("query", "--format", "csv",
             "SELECT ?n WHERE { <http://e/a> <http://e/knows> ?x . ?x <http://e/name> ?n }").stdout
    assert out.splitlines()[1:] == ["B"]


def test_every_rdf_syntax_loads(workdir: Path) -> None:
    sources = {
        "ttl.ttl": "<http://e/s> <http://e/p> \"ttl\" .",
        "nt.nt": "<http://e/s> <http://e/p> \"nt\" .",
        "nq.nq": "<http://e/s> <http://e/p> \"nq\" <http://e/g> .",
        "trig.trig": "<http://e/g> { <http://e/s> <http://e/p> \"trig\" }",
        "rdf.rdf": ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
                  '<rdf:Description rdf:about="http://e/s"><e:p>rdfxml</e:p></rdf:Description></rdf:RDF>'),
        "jsonld.jsonld": '{"@id": "http://e/s", "http://e/p": "jsonld"}',
    }
    for name, text in sources.items():
        write(workdir / "data" / name, text)
    result = kg("load", "data")
    assert result.exit_code == 0, result.output
    values = kg("query", "--format", "csv", "SELECT ?o WHERE { <http://e/s> <http://e/p> ?o }").stdout
    assert sorted(values.splitlines()[1:]) == sorted(["ttl", "nt", "nq", "trig", "rdfxml", "jsonld"])


def test_two_files_for_one_graph_are_refused(workdir: Path) -> None:
    write(workdir / "data" / "x.ttl", GOOD)
    write(workdir / "data" / "x.nt", "<http://e/s> <http://e/p> \"nt\" .")
    result = kg("load", "data")
    assert result.exit_code == 1
    assert "x.ttl" in result.stderr and "same graph" in result.stderr


@pytest.fixture()
def listener() -> Iterator[tuple[str, list[str]]]:
    """A web server that would serve a JSON-LD context, recording every request."""
    with recording_listener(b'{"@context": {"name": "http://e/name"}}', "application/ld+json") as found:
        yield found


def test_jsonld_remote_context_and_xml_entities_never_fetched(workdir: Path,
                                                             listener: tuple[str, list[str]]) -> None:
    url, seen = listener
    write(workdir / "data" / "remote.jsonld", f'{{"@context": "{url}/ctx.jsonld", "@id": "http://e/s", '
          '"name": "x"}')
    write(workdir / "data" / "xxe.rdf", '<?xml version="1.0"?>\n'
          f'<!DOCTYPE r [<!ENTITY e SYSTEM "{url}/e">]>\n'
          '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
          '<rdf:Description rdf:about="http://e/s"><e:p>&e;</e:p></rdf:Description></rdf:RDF>')
    before = dump(workdir)
    for name in ("remote.jsonld", "xxe.rdf"):
        result = kg("load", f"data/{name}")
        assert result.exit_code == 1
        assert name in result.stderr
    assert seen == []
    assert dump(workdir) == before


def test_dump_restore_round_trip_is_isomorphic(workdir: Path) -> None:
    write(workdir / "data" / "a.ttl", GOOD + "<http://e/s> <http://e/p> [ <http://e/q> \"blank\" ] .\n")
    write(workdir / "data" / "b.ttl", "<http://e/b> <http://e/name> \"B\"@en .\n")
    assert kg("load", "data").exit_code == 0
    assert kg("dump", "backup.nq").exit_code == 0
    original = Dataset()
    original.parse(workdir / "backup.nq", format="nquads")
    time.sleep(1.1)  # a derived graph written again after the restore would carry another second
    result = kg("--store-path", "var/other", "restore", "backup.nq")
    assert result.exit_code == 0, result.output
    assert kg("--store-path", "var/other", "dump", "again.nq").exit_code == 0
    restored = Dataset()
    restored.parse(workdir / "again.nq", format="nquads")
    for graph in original.graphs():
        assert isomorphic(graph, restored.graph(graph.identifier)), graph.identifier
    assert "graph/b" in kg("--store-path", "var/other", "graphs").stdout


def test_restore_of_a_broken_dump_changes_nothing(workdir: Path) -> None:
    write(workdir / "data" / "a.ttl", GOOD)
    assert kg("load", "data").exit_code == 0
    before = dump(workdir)
    write(workdir / "bad.nq", "<http://e/a> <http://e/b> \"c\" <http://e/g> .\n<http://e/a> <http://e/b> .\n")
    result = kg("restore", "--yes", "bad.nq")
    assert result.exit_code == 1
    assert "bad.nq, line 2" in result.stderr
    assert dump(workdir) == before


def test_drop_and_graphs_table(workdir: Path) -> None:
    write(workdir / "data" / "a.ttl", GOOD)
    kg("load", "data")
    table = kg("graphs").stdout
    assert f"{BASE}/graph/a" in table and "a.ttl" in table and " 3 " in table
    assert kg("drop", f"{BASE}/graph/a").exit_code == 0
    assert f"{BASE}/graph/a " not in kg("graphs").stdout
    missing = kg("drop", f"{BASE}/graph/a")
    assert missing.exit_code == 1 and "no graph named" in missing.stderr


def test_query_formats_and_errors(workdir: Path) -> None:
    write(workdir / "data" / "a.ttl", GOOD)
    kg("load", "data")
    assert kg("query", "ASK { ?s ?p \"Ærø\"@da }").stdout.strip() == "true"
    assert '"head"' in kg("query", "--format", "json", "SELECT * WHERE { ?s ?p ?o }").stdout
    ttl = kg("query", "--format", "ttl", "CONSTRUCT { ?s ?p ?o } WHERE { ?s <http://example.org/name> ?o "
             "BIND(<http://example.org/name> AS ?p) }").stdout
    assert "Ærø" in ttl
    write(workdir / "q.rq", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert "(1 rows)" in kg("query", "q.rq").stdout
    assert "(1 rows)" in kg("query", "-", input="SELECT * WHERE { ?s ?p \"Ærø\"@da }").stdout
    bad = kg("query", "SELECT WHERE")
    assert bad.exit_code == 1 and "query syntax" in bad.stderr and "Traceback" not in bad.output


def test_usage_errors_exit_2(workdir: Path) -> None:
    assert kg("load").exit_code == 2
    assert kg("load", "no-such-file.ttl").exit_code == 2
    assert kg("query", "--format", "xls", "ASK {}").exit_code == 2


def test_bad_settings_are_one_line(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_STORE", "remote")
    result = kg("graphs")
    assert result.exit_code == 1
    assert "remote_query_url" in result.stderr and "Traceback" not in result.output


def test_store_survives_restart(workdir: Path) -> None:
    write(workdir / "data" / "a.ttl", GOOD)
    kg("load", "data")
    assert (workdir / "var" / "store").is_dir()
    assert "graph/a" in kg("graphs").stdout   # a new process-equivalent: the store is reopened from disk


@pytest.mark.slow
@pytest.mark.parametrize(("signame", "when"), [("SIGINT", "loading"), ("SIGTERM", "deriving")])
def test_a_stopped_load_loses_nothing_and_the_next_write_catches_up(tmp_path: Path, signame: str,
                                                                     when: str) -> None:
    """SIGTERM or Ctrl-C to `kg load`, while it loads or while it derives: one line, exit 1, no
    traceback; the store opens, what it held is whole, the graph being loaded is all there or not at
    all, and the next write derives what the stopped one did not."""
    import os
    import signal
    import subprocess
    import sys

    from bench.generate import write as generate

    big = tmp_path / "big.nt"
    with big.open("w", encoding="utf-8") as out:
        triples = generate(3000, out, BASE)
    small = write(tmp_path / "small.ttl", GOOD)
    env = {**os.environ, "KG_CONFIG": str(tmp_path / "none.toml"), "KG_BASE_IRI": BASE}
    command = [sys.executable, "-m", "kg.cli", "--store-path", str(tmp_path / "store")]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*command, *args], env=env, capture_output=True, text=True, timeout=600)

    assert run("load", str(small)).returncode == 0
    process = subprocess.Popen([*command, "load", str(big)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    if when == "deriving":
        line = process.stdout.readline()   # the load is durable when it says so; derivation follows
        assert line.startswith("loaded"), line
    else:
        time.sleep(0.5)
    process.send_signal(getattr(signal, signame))
    _, stderr = process.communicate(timeout=120)
    assert process.returncode in (0, 1), stderr   # 0: it had finished before the signal came
    assert "Traceback" not in stderr
    if process.returncode == 1:
        assert stderr.strip().endswith("Aborted!"), stderr

    listed = run("graphs")
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[0]: int(line.split()[1]) for line in listed.stdout.splitlines()[2:] if line.strip()}
    assert rows[f"{BASE}/graph/small"] == 3
    assert rows.get(f"{BASE}/graph/big", triples) == triples

    assert run("load", str(write(tmp_path / "other.ttl", "<http://e/x> <http://e/y> 1 ."))).returncode == 0
    assert run("status").returncode == 0
    datasets = int(run("query", "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH ?q { ?d "
                       "<http://www.w3.org/ns/dqv#hasQualityMeasurement> ?m } }", "--format", "csv")
                   .stdout.splitlines()[1])
    assert datasets == (3000 if f"{BASE}/graph/big" in rows else 0)
