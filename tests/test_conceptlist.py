"""Concept lists: CSV/XLSX → SKOS → CSV/XLSX, the row checks, the CLI, and the ladeinfrastruktur content."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.cli import main
from kg.config import Settings
from kg.export.conceptlist import concept_rows, scheme_metadata, sidecar_text, write_csv, write_xlsx
from kg.ingest.conceptlist import COLUMNS, ConceptListError, read_conceptlist, split_cell
from kg.iris import Minter
from kg.loading import load_paths
from kg.namespaces import ADMS, CV, LADE, MDL
from kg.queries import iri, render
from kg.store import Store

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "conceptlists"
AUTHORED = ROOT / "data" / "conceptlists" / "ladeinfrastruktur.csv"
ONTOLOGY = ROOT / "ontologies" / "ladeinfrastruktur.ttl"
AFIR = URIRef("http://data.europa.eu/eli/reg/2023/1804/oj")
UNDER_DEVELOPMENT = URIRef("http://purl.org/adms/status/UnderDevelopment")
#: The small layout the bad-row cases are written in (a subset, in an order of its own).
HEADER = ("Foretrukken term (da),Definition (da),Accepteret term (da),Eksempel (da),Frarådet term (da),"
          "Juridisk kilde,Overordnet begreb,Status")


# -- helpers ---------------------------------------------------------------------------------

def normalised(rows: list[list[str]]) -> list[dict[str, tuple[str, ...]]]:
    """A table as comparable rows: canonical column → sorted values, blank rows dropped, sorted by term."""
    header = rows[0]
    keys = {i: next(c.key for c in COLUMNS if c.header == h) for i, h in enumerate(header)}
    out = []
    for row in rows[1:]:
        if not any(row):
            continue
        out.append({keys[i]: tuple(sorted(split_cell(cell))) for i, cell in enumerate(row) if cell.strip()})
    return sorted(out, key=lambda r: r["pref_da"])


def read_csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def load(store: Store, settings: Settings, path: Path, **kwargs: object) -> str:
    result = read_conceptlist(path, settings, **kwargs)  # type: ignore[arg-type]
    assert not result.errors, [str(p) for p in result.errors]
    store.replace_graph(settings.base_iri + "/graph/test/" + path.stem, result.graph)
    return result.scheme_iri


def export_csv(store: Store, scheme: str) -> str:
    buffer = io.StringIO()
    write_csv(concept_rows(store, scheme), buffer)
    return buffer.getvalue()


def write_list(tmp_path: Path, body: str, name: str = "list.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + "\n" + body, encoding="utf-8")
    return path


# -- the SKOS mapping of each column -----------------------------------------------------------

@pytest.fixture(scope="module")
def valid(settings: Settings) -> tuple[Graph, Minter]:
    result = read_conceptlist(FIXTURES / "valid.csv", settings)
    assert result.problems == []
    assert result.concepts == 5
    return result.graph, Minter(settings.base_iri)


def test_concept_iris_and_scheme_come_from_the_sidecar_slug_and_preferred_terms(valid) -> None:
    graph, minter = valid
    scheme = URIRef(minter.scheme("testliste"))
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert concepts == {URIRef(minter.concept("testliste", s))
                        for s in ("aagerhoene", "aeble", "frugt", "fugl", "oern")}
    assert all((c, SKOS.inScheme, scheme) in graph for c in concepts)
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph


def test_each_column_maps_to_its_skos_property_with_language(valid) -> None:
    graph, minter = valid
    aeble, frugt, fugl = (URIRef(minter.concept("testliste", s)) for s in ("aeble", "frugt", "fugl"))
    assert set(graph.objects(aeble, SKOS.prefLabel)) == {Literal("Æble", lang="da"),
                                                         Literal("apple", lang="en")}
    assert set(graph.objects(frugt, SKOS.altLabel)) == {Literal("frugter", lang="da"),
                                                        Literal("grøntsag-ish", lang="da")}
    assert set(graph.objects(fugl, MDL.deprecatedLabel)) == {Literal("flyvedyr", lang="da"),
                                                            Literal("fjerfæ", lang="da")}
    assert set(graph.objects(aeble, SKOS.definition)) == {Literal("Frugt af æbletræet.", lang="da"),
                                                          Literal("Fruit of the apple tree.", lang="en")}
    assert set(graph.objects(aeble, SKOS.example)) == {Literal("Et Granny Smith-æble.", lang="da")}
    assert set(graph.objects(aeble, RDFS.comment)) == {
        Literal("Også brugt om træet, i daglig tale.", lang="da")}
    assert set(graph.objects(fugl, CV.hasLegalResource)) == {AFIR, URIRef("urn:lex:dk:test:1")}
    # a source that is an IRI stays a link; any other source is text
    assert set(graph.objects(aeble, DCTERMS.source)) == {URIRef("http://example.org/kilde/frugt")}
    assert set(graph.objects(frugt, DCTERMS.source)) == {Literal("Ordbog over frugt", lang="da")}
    assert set(graph.objects(frugt, ADMS.status)) == {URIRef("http://purl.org/adms/status/Completed")}
    assert set(graph.objects(frugt, SKOS.editorialNote)) == {Literal("Kun til test.", lang="da"),
                                                             Literal("Test only.", lang="en")}


def test_broader_and_top_concepts(valid) -> None:
    graph, minter = valid
    scheme = URIRef(minter.scheme("testliste"))
    c = {s: URIRef(minter.concept("testliste", s)) for s in ("aagerhoene", "aeble", "frugt", "fugl", "oern")}
    assert set(graph.objects(c["aeble"], SKOS.broader)) == {c["frugt"]}
    assert set(graph.subjects(SKOS.broader, c["fugl"])) == {c["oern"], c["aagerhoene"]}
    tops = {c["frugt"], c["fugl"]}
    assert set(graph.subjects(SKOS.topConceptOf, scheme)) == tops
    assert set(graph.objects(scheme, SKOS.hasTopConcept)) == tops


def test_scheme_metadata_from_the_sidecar(valid, settings: Settings) -> None:
    graph, minter = valid
    scheme = URIRef(minter.scheme("testliste"))
    assert set(graph.objects(scheme, SKOS.prefLabel)) == {Literal("Testliste", lang="da"),
                                                          Literal("Test list", lang="en")}
    assert (scheme, ADMS.status, UNDER_DEVELOPMENT) in graph
    assert (scheme, OWL.versionInfo, Literal("1")) in graph
    assert (scheme, CV.hasLegalResource, AFIR) in graph
    assert (scheme, DCTERMS.relation, URIRef(settings.base + "id/product/test")) in graph


def test_header_variants_semicolon_delimiter_and_unknown_columns(settings: Settings) -> None:
    result = read_conceptlist(FIXTURES / "variants.csv", settings, scheme="varianter")
    assert result.errors == []
    assert [(w.row, w.column) for w in result.warnings] == [(1, "Bemærkning")]
    minter = Minter(settings.base_iri)
    aeble = URIRef(minter.concept("varianter", "aeble"))
    assert (aeble, SKOS.broader, URIRef(minter.concept("varianter", "frugt"))) in result.graph
    assert (aeble, SKOS.prefLabel, Literal("apple", lang="en")) in result.graph
    assert (aeble, CV.hasLegalResource, AFIR) in result.graph


# -- round trips -------------------------------------------------------------------------------

def test_csv_round_trip_keeps_every_row_and_cell(memory_store: Store, settings: Settings) -> None:
    source = (FIXTURES / "valid.csv").read_text(encoding="utf-8")
    scheme = load(memory_store, settings, FIXTURES / "valid.csv")
    exported = export_csv(memory_store, scheme)
    assert normalised(read_csv_rows(exported)) == normalised(read_csv_rows(source))


def test_export_is_canonical_and_idempotent(memory_store: Store, settings: Settings, tmp_path: Path) -> None:
    scheme = load(memory_store, settings, FIXTURES / "valid.csv")
    first = tmp_path / "valid.csv"
    first.write_text(export_csv(memory_store, scheme), encoding="utf-8")
    (tmp_path / "valid.scheme.toml").write_text(
        sidecar_text("testliste", scheme_metadata(memory_store, settings, scheme)), encoding="utf-8")
    rows = read_csv_rows(first.read_text(encoding="utf-8"))
    assert rows[0] == [c.header for c in COLUMNS if not c.optional]  # no Id or replacement: not written
    assert [r[0] for r in rows[1:]] == ["Frugt", "Fugl", "Æble", "Ørn", "Ågerhøne"]  # Danish order
    assert rows[2][3] == "fjerfæ; flyvedyr"  # values sorted within a cell
    second = read_conceptlist(first, settings)
    assert isomorphic(second.graph, read_conceptlist(FIXTURES / "valid.csv", settings).graph)
    memory_store.replace_graph(settings.base_iri + "/graph/test/valid", second.graph)
    assert export_csv(memory_store, scheme) == first.read_text(encoding="utf-8")


def test_authored_list_round_trips_byte_for_byte(memory_store: Store, settings: Settings) -> None:
    scheme = load(memory_store, settings, AUTHORED)
    assert export_csv(memory_store, scheme) == AUTHORED.read_text(encoding="utf-8")


def _xlsx_from_csv(source: Path, target: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in read_csv_rows(source.read_text(encoding="utf-8")):
        sheet.append([cell or None for cell in row])
    workbook.save(target)


def _xlsx_rows(path: Path) -> list[list[str]]:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    return [r + [""] * (len(rows[0]) - len(r)) for r in rows]


def test_xlsx_round_trip(memory_store: Store, settings: Settings, tmp_path: Path) -> None:
    xlsx = tmp_path / "valid.xlsx"
    _xlsx_from_csv(FIXTURES / "valid.csv", xlsx)
    (tmp_path / "valid.scheme.toml").write_text((FIXTURES / "valid.scheme.toml").read_text(encoding="utf-8"),
                                                encoding="utf-8")
    from_xlsx = read_conceptlist(xlsx, settings)
    assert from_xlsx.problems == []
    assert isomorphic(from_xlsx.graph, read_conceptlist(FIXTURES / "valid.csv", settings).graph)
    memory_store.replace_graph(settings.base_iri + "/graph/test/valid", from_xlsx.graph)
    out = tmp_path / "out.xlsx"
    write_xlsx(concept_rows(memory_store, from_xlsx.scheme_iri), out)
    cells = _xlsx_rows(out)
    assert cells == read_csv_rows(export_csv(memory_store, from_xlsx.scheme_iri))
    assert normalised(cells) == normalised(_xlsx_rows(xlsx))


def test_xlsx_keeps_text_that_looks_like_a_formula(memory_store: Store, settings: Settings,
                                                   tmp_path: Path) -> None:
    path = write_list(tmp_path, "Lighed,=SUM(A1) er ikke en formel,,,,,,\n")
    scheme = load(memory_store, settings, path, scheme="formel")
    out = tmp_path / "formel.xlsx"
    write_xlsx(concept_rows(memory_store, scheme), out)
    again = read_conceptlist(out, settings, scheme="formel")
    assert (URIRef(Minter(settings.base_iri).concept("formel", "lighed")), SKOS.definition,
            Literal("=SUM(A1) er ikke en formel", lang="da")) in again.graph


# -- bad rows ----------------------------------------------------------------------------------

BAD_ROWS = [
    ("missing preferred term", "Ladepunkt,Et punkt.,,,,,,\n,Uden term.,,,,,,\n", 3, "Foretrukken term (da)",
     "missing preferred term"),
    ("missing definition", "Ladepunkt,,,,,,,\n", 2, "Definition (da)", "missing definition"),
    ("preferred and deprecated in one row", "Ladepunkt,Et punkt.,,,ladepunkt,,,\n", 2, "Frarådet term (da)",
     "both preferred and deprecated"),
    ("deprecated here, preferred elsewhere", "Ladepunkt,Et punkt.,,,,,,\nStik,Et stik.,,,Ladepunkt,,,\n", 3,
     "Frarådet term (da)", "preferred in row 2"),
    ("duplicate preferred term", "Ladepunkt,Et punkt.,,,,,,\nladepunkt,Igen.,,,,,,\n", 3,
     "Foretrukken term (da)", "duplicate preferred term"),
    ("two terms whose IRIs collide", "Ad hoc-pris,En pris.,,,,,,\nAd hoc pris,Igen.,,,,,,\n", 3,
     "Foretrukken term (da)", "same concept IRI as row 2"),
    ("legal source not an IRI", "Ladepunkt,Et punkt.,,,,AFIR artikel 2,,\n", 2, "Juridisk kilde",
     "not an IRI"),
    ("unknown broader reference", "Normalt ladepunkt,Et punkt.,,,,,Ladepunkter,\n", 2, "Overordnet begreb",
     "unknown broader concept"),
    ("broader cycle", "A,a.,,,,,B,\nB,b.,,,,,A,\n", 2, "Overordnet begreb", "cycle"),
    ("two preferred terms in one cell", "Ladepunkt; ladested,Et punkt.,,,,,,\n", 2, "Foretrukken term (da)",
     "one preferred term per language"),
    ("status not an IRI", "Ladepunkt,Et punkt.,,,,,,kladde\n", 2, "Status", "not an IRI"),
    ("too many cells", "Ladepunkt,Et punkt.,,,,,,,ekstra\n", 2, None, "wrong column count"),
    ("too few cells", "Ladepunkt,Et punkt.,,\n", 2, "Frarådet term (da)", "wrong column count"),
]


@pytest.mark.parametrize(("body", "row", "column", "message"), [c[1:] for c in BAD_ROWS],
                         ids=[c[0] for c in BAD_ROWS])
def test_bad_row_is_reported_with_row_and_column(settings: Settings, tmp_path: Path, body: str, row: int,
                                                 column: str | None, message: str) -> None:
    result = read_conceptlist(write_list(tmp_path, body), settings)
    matching = [p for p in result.errors if p.row == row and p.column == column and message in p.message]
    assert matching, [str(p) for p in result.errors]
    text = str(matching[0])
    assert f"row {row}" in text and (column is None or f"column '{column}'" in text)


def test_a_latin1_file_is_read_as_windows_1252(settings: Settings) -> None:
    result = read_conceptlist(FIXTURES / "latin1.csv", settings)
    assert result.errors == [] and "Windows-1252" in result.described
    assert Literal("Drik af brændte bønner.", lang="da") in set(result.graph.objects(None, SKOS.definition))


def test_undecodable_text_is_reported_in_its_cell(settings: Settings) -> None:
    """A UTF-8 file with one cell pasted in as Latin-1 is UTF-8 with a bad cell, not another encoding."""
    result = read_conceptlist(FIXTURES / "saved" / "mixed-utf8.csv", settings)
    assert [(p.row, p.column) for p in result.errors] == [(5, "Definition (da)")]
    assert "undecodable" in result.errors[0].message


def test_a_list_with_errors_loads_nothing(memory_store: Store, settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "data" / "conceptlists"
    folder.mkdir(parents=True)
    path = write_list(folder, "Ladepunkt,Et punkt.,,,,,,\nStik,,,,,,,\n")
    local = settings.replace(data_dir=tmp_path / "data")
    outcomes = load_paths(memory_store, local, [path])
    assert [o.status for o in outcomes] == ["failed"]
    assert "row 3, column 'Definition (da)'" in outcomes[0].message
    assert not [g for g in memory_store.graphs() if "conceptlists" in g.name]


def test_skip_bad_rows_loads_the_rest_and_follows_broader_references(settings: Settings,
                                                                    tmp_path: Path) -> None:
    body = ("Ladepunkt,Et punkt.,,,,,,\nStik,,,,,,,\nStiktype,En type.,,,,,Stik,\n"
            "Normalt ladepunkt,Højst 22 kW.,,,,,Ladepunkt,\n")
    result = read_conceptlist(write_list(tmp_path, body), settings, skip_bad_rows=True)
    assert result.errors == []
    assert result.concepts == 2 and result.skipped_rows == [3, 4]
    assert any(p.row == 4 and "left out" in p.message for p in result.warnings)
    labels = {str(o) for o in result.graph.objects(None, SKOS.prefLabel) if o.language == "da"}
    assert {"Ladepunkt", "Normalt ladepunkt"} <= labels and "Stik" not in labels


# -- files that are not concept lists ------------------------------------------------------------

@pytest.mark.parametrize(("name", "message"), [
    ("empty.csv", "empty file"),
    ("binary.csv", "binary file"),
    ("corrupt.xlsx", "not a readable .xlsx workbook"),
    ("notalist.csv", "no recognised header"),
])
def test_file_that_is_not_a_concept_list(settings: Settings, name: str, message: str) -> None:
    with pytest.raises(ConceptListError) as caught:
        read_conceptlist(FIXTURES / name, settings)
    assert message in str(caught.value) and name in str(caught.value)


def test_missing_required_column_and_duplicate_columns(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(ConceptListError, match=r"missing required column.*Definition"):
        read_conceptlist(write_list(tmp_path, "Ladepunkt\n", header="Foretrukken term"), settings)
    with pytest.raises(ConceptListError, match=r"both mean 'Definition \(da\)'"):
        read_conceptlist(write_list(tmp_path, "A,a,b\n", header="Term,Definition,Definition (da)"), settings)


def test_wrong_suffix_and_bad_sidecar(settings: Settings, tmp_path: Path) -> None:
    other = tmp_path / "list.ods"
    other.write_text("Term,Definition\n", encoding="utf-8")
    with pytest.raises(ConceptListError, match=r"must be a \.csv or \.xlsx"):
        read_conceptlist(other, settings)
    path = write_list(tmp_path, "Ladepunkt,Et punkt.,,,,,,\n")
    (tmp_path / "list.scheme.toml").write_text('[scheme]\nstatus = "kladde"\n', encoding="utf-8")
    with pytest.raises(ConceptListError, match=r"list\.scheme\.toml: status must be an absolute IRI"):
        read_conceptlist(path, settings)


# -- the command line --------------------------------------------------------------------------

@pytest.fixture()
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    for name in ("KG_STORE", "KG_STORE_PATH", "KG_BASE_IRI", "KG_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    store = ["--store", "embedded", "--store-path", str(tmp_path / "store")]

    def run(*args: str):
        return runner.invoke(main, [*store, *args], catch_exceptions=False)

    return run


def test_cli_ingest_then_export_csv_and_xlsx(cli, tmp_path: Path) -> None:
    result = cli("ingest", "conceptlist", str(AUTHORED))
    assert result.exit_code == 0, result.output
    assert "16 concepts" in result.output
    result = cli("export", "conceptlist", "ladeinfrastruktur", "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == AUTHORED.read_text(encoding="utf-8")
    assert 'slug = "ladeinfrastruktur"' in (tmp_path / "out.scheme.toml").read_text(encoding="utf-8")
    result = cli("export", "conceptlist", "ladeinfrastruktur", "--format", "xlsx",
                 "-o", str(tmp_path / "o.xlsx"))
    assert result.exit_code == 0, result.output
    assert _xlsx_rows(tmp_path / "o.xlsx") == read_csv_rows(AUTHORED.read_text(encoding="utf-8"))
    result = cli("export", "conceptlist", "no-such-scheme")
    assert result.exit_code == 1 and "no concepts in scheme" in result.output
    assert "ladeinfrastruktur" in result.output  # the message names the schemes there are


def test_cli_bad_file_is_one_line_and_loads_nothing(cli, tmp_path: Path) -> None:
    bad = write_list(tmp_path, "Ladepunkt,Et punkt.,,,,AFIR,,\n")
    result = cli("ingest", "conceptlist", str(bad))
    assert result.exit_code == 1
    assert "row 2, column 'Juridisk kilde': not an IRI" in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: ")
    assert "Traceback" not in result.output
    assert "graph/list" not in cli("graphs").output
    result = cli("ingest", "conceptlist", str(FIXTURES / "corrupt.xlsx"))
    assert result.exit_code == 1 and result.output.count("\n") == 1 and "corrupt.xlsx" in result.output


def test_cli_skip_bad_rows_dry_run_and_format(cli, tmp_path: Path) -> None:
    path = write_list(tmp_path, "Ladepunkt,Et punkt.,,,,,,\nStik,,,,,,,\n")
    result = cli("ingest", "conceptlist", str(path), "--skip-bad-rows", "--dry-run", "--format", "ttl")
    assert result.exit_code == 0, result.output
    assert "nothing loaded" in result.output and "row 3" in result.output
    turtle = Graph().parse(data=result.stdout, format="turtle")  # the SKOS alone goes to standard output
    assert {str(o) for o in turtle.objects(None, SKOS.prefLabel)} >= {"Ladepunkt"}
    assert "graph/conceptlists/" not in cli("graphs").output
    result = cli("ingest", "conceptlist", str(path), "--skip-bad-rows", "--scheme", "skip")
    assert result.exit_code == 0 and "1 concepts" in result.output
    assert "graph/conceptlists/skip" in cli("graphs").output  # named by its scheme, not its file


def test_cli_help() -> None:
    for command in (["ingest", "conceptlist", "--help"], ["export", "conceptlist", "--help"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 0 and "Usage:" in result.output


# -- the authored ladeinfrastruktur list and its kernemodel ---------------------------------------

def test_authored_list_ingests_cleanly_with_legal_sources_and_working_version_notes(
        memory_store: Store, settings: Settings) -> None:
    result = read_conceptlist(AUTHORED, settings)
    assert result.problems == [] and result.concepts >= 11
    memory_store.replace_graph(settings.base_iri + "/graph/conceptlists/ladeinfrastruktur", result.graph)
    incomplete = memory_store.select(render("conceptlist/incomplete-concepts", scheme=iri(result.scheme_iri)))
    assert incomplete == []
    graph = result.graph
    scheme = URIRef(result.scheme_iri)
    for concept in graph.subjects(RDF.type, SKOS.Concept):
        assert all(str(s).startswith("http://data.europa.eu/eli/") for s in graph.objects(concept,
                                                                                          CV.hasLegalResource))
        assert (concept, ADMS.status, UNDER_DEVELOPMENT) in graph
        notes = {n.language: str(n) for n in graph.objects(concept, SKOS.editorialNote)}
        assert "arbejdsversion" in notes["da"] and "working version" in notes["en"]
    assert (scheme, ADMS.status, UNDER_DEVELOPMENT) in graph
    needed = {"ladepunkt", "normalt-ladepunkt", "hoejeffektladepunkt", "ladestation", "ladepark", "stik",
              "ladepunktsoperatoer", "mobilitetstjenesteudbyder", "ad-hoc-pris",
              "offentligt-tilgaengeligt-ladepunkt", "elektrisk-koeretoej"}
    minter = Minter(settings.base_iri)
    assert {URIRef(minter.concept("ladeinfrastruktur", s)) for s in needed} <= set(
        graph.subjects(RDF.type, SKOS.Concept))


def test_the_loader_ingests_the_data_folder_list_into_its_own_graph(memory_store: Store,
                                                                   settings: Settings) -> None:
    outcomes = load_paths(memory_store, settings, [AUTHORED])
    assert [(o.status, o.warnings) for o in outcomes] == [("loaded", [])]
    assert outcomes[0].graph == settings.base_iri + "/graph/conceptlists/ladeinfrastruktur"


def test_kernemodel_terms_are_labelled_defined_and_linked_to_existing_concepts(settings: Settings) -> None:
    ontology = Graph().parse(ONTOLOGY, publicID=settings.base)
    concepts = set(read_conceptlist(AUTHORED, settings).graph.subjects(RDF.type, SKOS.Concept))
    terms = [t for t in ontology.subjects(RDF.type, None) if str(t).startswith(str(LADE))]
    assert {LADE.Ladepark, LADE.Ladestation, LADE.Ladepunkt, LADE.Stik, LADE.Ladepunktsoperatoer,
            LADE.placering, LADE.effekt, LADE.stiktype} <= set(terms)
    for term in terms:
        for prop in (RDFS.label, SKOS.definition):
            assert {o.language for o in ontology.objects(term, prop)} >= {"da", "en"}, (term, prop)
    for cls in ontology.subjects(RDF.type, OWL.Class):
        linked = set(ontology.objects(cls, DCTERMS.subject))
        assert linked and linked <= concepts, cls
    chain = [(LADE.harLadestation, LADE.Ladepark, LADE.Ladestation), (LADE.harLadepunkt, LADE.Ladestation,
             LADE.Ladepunkt), (LADE.harStik, LADE.Ladepunkt, LADE.Stik)]
    for prop, domain, range_ in chain:
        assert (prop, RDFS.domain, domain) in ontology and (prop, RDFS.range, range_) in ontology
    onto = URIRef("https://kg.rammearkitektur.dk/def/ladeinfrastruktur")
    assert (onto, ADMS.status, UNDER_DEVELOPMENT) in ontology
    assert any("arbejdsversion" in str(n) for n in ontology.objects(onto, SKOS.editorialNote))
