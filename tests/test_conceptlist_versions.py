"""Versions of a concept list: one scheme wherever the file lies, IRIs kept across renames, withdrawn
concepts retired (still resolvable, links to them reported), a version with a change report per
change, and the round trip export → edit → ingest.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, SKOS, XSD

from kg import validation as v
from kg.cli import main
from kg.config import Settings
from kg.export.conceptlist import concept_rows
from kg.ingest.conceptlist import read_conceptlist
from kg.ingest.conceptlist_versions import DCAT_VERSION, prepare_version
from kg.iris import Minter
from kg.loading import load_paths, store_prepared
from kg.namespaces import ADMS, ADMS_STATUS, KG
from kg.store import Store

ROOT = Path(__file__).resolve().parents[1]
AUTHORED = ROOT / "data" / "conceptlists" / "ladeinfrastruktur.csv"
ONTOLOGY = ROOT / "ontologies" / "ladeinfrastruktur.ttl"
DAY1, DAY2, DAY3 = date(2024, 1, 10), date(2024, 3, 1), date(2024, 5, 2)
HEADER = ["Foretrukken term (da)", "Definition (da)", "Accepteret term (da)", "Frarådet term (da)",
          "Overordnet begreb", "Eksempel (da)"]
BASE_ROWS = [
    ["Ladepunkt", "Grænseflade, der overfører elektricitet til ét køretøj ad gangen.", "", "", "", ""],
    ["Normalt ladepunkt", "Ladepunkt med en effekt på højst 22 kW.", "", "", "Ladepunkt", ""],
    ["Stik", "Fysisk grænseflade mellem ladepunkt og køretøj.", "", "", "", ""],
    ["Stiktype", "Den standardiserede udformning af et stik.", "", "", "", ""],
    ["Slutbruger", "Person, der køber elektricitet til sit køretøj.", "", "", "", ""],
]


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    sidecar = '[scheme]\nslug = "lade"\ntitle.da = "Ladeliste"\n'
    path.with_name(path.stem + ".scheme.toml").write_text(sidecar, encoding="utf-8")
    return path


def ingest(store: Store, settings: Settings, path: Path, today: date, **options: object) -> object:
    """Prepare a list against the store and write it through the write path, as `kg ingest` does."""
    prepared = prepare_version(path, settings, store, today=today, **options)  # type: ignore[arg-type]
    assert not prepared.errors, prepared.errors
    store_prepared(store, settings, path, prepared, "sha-" + today.isoformat())
    return prepared


def c(settings: Settings, slug: str) -> URIRef:
    return URIRef(Minter(settings.base_iri).concept("lade", slug))


def version(settings: Settings, number: int) -> URIRef:
    return URIRef(Minter(settings.base_iri).scheme_version("lade", number))


def stored(store: Store, settings: Settings) -> Graph:
    graph = Graph()
    for s, p, o, g in store.quads():
        if str(g) == Minter(settings.base_iri).graph("conceptlists/lade"):
            graph.add((s, p, o))
    return graph


@pytest.fixture()
def first(memory_store: Store, settings: Settings, tmp_path: Path) -> Store:
    prepared = ingest(memory_store, settings, write(tmp_path / "v1" / "lade.csv", BASE_ROWS), DAY1)
    assert prepared.changes == ["version 1 of lade: first version: 5 concepts"]  # type: ignore[attr-defined]
    return memory_store


def test_first_version_is_recorded(first: Store, settings: Settings) -> None:
    graph = stored(first, settings)
    scheme = URIRef(Minter(settings.base_iri).scheme("lade"))
    v1 = version(settings, 1)
    assert (v1, RDF.type, KG.ConceptSchemeVersion) in graph and (v1, DCTERMS.isVersionOf, scheme) in graph
    assert (v1, DCAT_VERSION, Literal("1")) in graph
    assert (v1, DCTERMS.issued, Literal("2024-01-10", datatype=XSD.date)) in graph
    assert (scheme, DCTERMS.modified, Literal("2024-01-10", datatype=XSD.date)) in graph
    assert len(set(graph.objects(v1, KG.addedConcept))) == 5


def test_an_unchanged_list_records_no_version(first: Store, settings: Settings, tmp_path: Path) -> None:
    before = stored(first, settings)
    again = ingest(first, settings, write(tmp_path / "elsewhere" / "lade.csv", BASE_ROWS), DAY2)
    assert again.changes == [] and any("no change" in n for n in again.notes)  # type: ignore[attr-defined]
    assert set(stored(first, settings)) == set(before)


def test_edits_give_a_version_with_their_change_report(first: Store, settings: Settings,
                                                       tmp_path: Path) -> None:
    rows = [list(r) for r in BASE_ROWS]
    rows[4][0] = "Slutkunde"                                         # renamed: same definition and place
    rows[0][1] = "Grænseflade, der overfører elektricitet til ét elektrisk køretøj ad gangen."  # redefined
    rows[3][4] = "Stik"                                              # moved under Stik
    rows[2][2], rows[2][3] = "konnektor", "kontakt"                  # terms added
    rows[2][5] = "Type 2."                                           # other detail
    del rows[1]                                                      # Normalt ladepunkt withdrawn
    rows.append(["Ladestation", "Installation med et eller flere ladepunkter.", "", "", "", ""])  # added
    prepared = ingest(first, settings, write(tmp_path / "v2" / "lade.csv", rows), DAY2)
    assert prepared.changes == [  # type: ignore[attr-defined]
        "version 2 of lade (was 1): 1 added, 1 withdrawn, 1 renamed, 1 redefined, 1 moved, 1 terms changed, "
        "1 other details changed",
        "added: 'Ladestation'",
        "withdrawn: 'Normalt ladepunkt'",
        "renamed: 'Slutbruger' → 'Slutkunde' (IRI kept: same definition and place)",
        "redefined: 'Ladepunkt' (Definition (da))",
        "moved: 'Stiktype' from the top to under 'Stik'",
        "terms of 'Stik': accepted term 'konnektor' added; deprecated term 'kontakt' added",
        "other details of 'Stik' changed: Eksempel (da)",
    ]
    graph = stored(first, settings)
    v1, v2 = version(settings, 1), version(settings, 2)
    assert (v2, PROV.wasRevisionOf, v1) in graph and (v2, DCAT_VERSION, Literal("2")) in graph
    assert (c(settings, "slutbruger"), SKOS.prefLabel, Literal("Slutkunde", lang="da")) in graph
    assert (c(settings, "slutkunde"), None, None) not in graph
    assert set(graph.objects(v2, KG.renamedConcept)) == {c(settings, "slutbruger")}
    assert set(graph.objects(v2, KG.withdrawnConcept)) == {c(settings, "normalt-ladepunkt")}
    notes = {str(n) for n in graph.objects(v2, SKOS.changeNote) if n.language == "da"}
    assert notes and "omdøbt: »Slutbruger« → »Slutkunde«" in next(iter(notes))
    assert Literal("Version 2 (2024-03-01): renamed: 'Slutbruger' → 'Slutkunde' (IRI kept: same definition "
                   "and place)", lang="en") in set(graph.objects(c(settings, "slutbruger"), SKOS.changeNote))


def test_a_withdrawn_concept_stays_resolvable_marked_and_conforms(first: Store, settings: Settings,
                                                                 tmp_path: Path) -> None:
    rows = [r for r in BASE_ROWS if r[0] != "Normalt ladepunkt"]
    ingest(first, settings, write(tmp_path / "v2" / "lade.csv", rows), DAY2)
    graph = stored(first, settings)
    gone, scheme = c(settings, "normalt-ladepunkt"), URIRef(Minter(settings.base_iri).scheme("lade"))
    assert (gone, OWL.deprecated, Literal(True)) in graph
    assert (gone, ADMS.status, ADMS_STATUS.Withdrawn) in graph
    assert (gone, KG.withdrawnIn, version(settings, 2)) in graph
    assert (gone, SKOS.prefLabel, Literal("Normalt ladepunkt", lang="da")) in graph
    assert (gone, SKOS.definition, Literal("Ladepunkt med en effekt på højst 22 kW.", lang="da")) in graph
    assert (gone, SKOS.inScheme, scheme) in graph and not set(graph.objects(gone, SKOS.broader))
    # the export leaves it out; a third version keeps it retired, with the version that withdrew it
    assert "Normalt ladepunkt" not in {r["pref_da"][0] for r in concept_rows(first, str(scheme))}
    rows.append(["Ladestation", "Installation med et eller flere ladepunkter.", "", "", "", ""])
    ingest(first, settings, write(tmp_path / "v3" / "lade.csv", rows), DAY3)
    graph = stored(first, settings)
    assert (gone, KG.withdrawnIn, version(settings, 2)) in graph
    assert (gone, OWL.deprecated, Literal(True)) in graph
    shapes = v.load_shapes([ROOT / "shapes" / "conceptlists.ttl"], settings.base)
    assert v.validate_graph(graph, shapes).results == []


def test_a_concept_back_in_the_list_is_reinstated(first: Store, settings: Settings, tmp_path: Path) -> None:
    ingest(first, settings, write(tmp_path / "v2" / "lade.csv", BASE_ROWS[:4]), DAY2)
    prepared = ingest(first, settings, write(tmp_path / "v3" / "lade.csv", BASE_ROWS), DAY3)
    assert prepared.changes[1:] == ["reinstated: 'Slutbruger'"]  # type: ignore[attr-defined]
    graph = stored(first, settings)
    back = c(settings, "slutbruger")
    assert not set(graph.objects(back, OWL.deprecated)) and not set(graph.objects(back, KG.withdrawnIn))
    assert len(set(graph.objects(back, SKOS.changeNote))) == 4  # withdrawn in 2, reinstated in 3; da and en


def test_replacements_from_the_column_and_from_the_sidecar(first: Store, settings: Settings,
                                                          tmp_path: Path) -> None:
    rows = [[*r, ""] for r in BASE_ROWS if r[0] not in ("Normalt ladepunkt", "Stiktype")]
    rows.append(["Standardladepunkt", "Ladepunkt, der overfører op til 22 kW.", "", "", "Ladepunkt", "",
                 "Normalt ladepunkt"])
    path = write(tmp_path / "v2" / "lade.csv", rows, [*HEADER, "Erstatter"])
    with path.with_name("lade.scheme.toml").open("a", encoding="utf-8") as side:
        side.write('[replacements]\n"Stiktype" = "Stik"\n')
    prepared = ingest(first, settings, path, DAY2)
    assert "withdrawn: 'Normalt ladepunkt' (replaced by 'Standardladepunkt')" in prepared.changes  # type: ignore
    assert "withdrawn: 'Stiktype' (replaced by 'Stik')" in prepared.changes  # type: ignore[attr-defined]
    graph = stored(first, settings)
    assert (c(settings, "normalt-ladepunkt"), DCTERMS.isReplacedBy, c(settings, "standardladepunkt")) in graph
    assert (c(settings, "standardladepunkt"), DCTERMS.replaces, c(settings, "normalt-ladepunkt")) in graph
    assert (c(settings, "stiktype"), DCTERMS.isReplacedBy, c(settings, "stik")) in graph
    # the export names the replaced concept by its term, so the round trip keeps the link
    row = next(r for r in concept_rows(first, Minter(settings.base_iri).scheme("lade"))
               if r["pref_da"] == ["Standardladepunkt"])
    assert row["replaces"] == ["Normalt ladepunkt"]


def test_an_id_column_keeps_the_iri_whatever_the_term_and_definition(first: Store, settings: Settings,
                                                                    tmp_path: Path) -> None:
    rows = [["slutbruger", "Kunde", "Den, der betaler for opladningen.", "", "", "", ""],
            *(["", *r] for r in BASE_ROWS[:4])]
    path = write(tmp_path / "v2" / "lade.csv", rows, ["Begrebs-id", *HEADER])
    prepared = ingest(first, settings, path, DAY2)
    assert "renamed: 'Slutbruger' → 'Kunde' (IRI kept: same Id)" in prepared.changes  # type: ignore
    assert "redefined: 'Kunde' (Definition (da))" in prepared.changes  # type: ignore[attr-defined]
    assert not any("withdrawn" in line for line in prepared.changes)  # type: ignore[attr-defined]


def test_a_rename_kg_cannot_tell_asks_for_the_id_column(first: Store, settings: Settings,
                                                        tmp_path: Path) -> None:
    rows = [list(r) for r in BASE_ROWS]
    rows[4] = ["Kunde", "Den, der betaler for opladningen.", "", "", "", ""]  # renamed *and* redefined
    prepared = prepare_version(write(tmp_path / "v2" / "lade.csv", rows), settings, first, today=DAY2)
    assert "withdrawn: 'Slutbruger'" in prepared.changes and "added: 'Kunde'" in prepared.changes
    hint = [w for w in prepared.warnings if "give its row the Id 'slutbruger'" in w]
    assert hint and "Begrebs-id" in hint[0]


def test_two_concepts_with_one_definition_and_place_are_not_guessed(memory_store: Store, settings: Settings,
                                                                   tmp_path: Path) -> None:
    twins = [["A", "Samme definition.", "", "", "", ""], ["B", "Samme definition.", "", "", "", ""]]
    ingest(memory_store, settings, write(tmp_path / "v1" / "lade.csv", twins), DAY1)
    renamed = [["C", "Samme definition.", "", "", "", ""], ["D", "Samme definition.", "", "", "", ""]]
    path = write(tmp_path / "v2" / "lade.csv", renamed)
    prepared = prepare_version(path, settings, memory_store, today=DAY2)
    assert any("cannot tell which of 'A', 'B' became 'C', 'D'" in w for w in prepared.warnings)
    assert "withdrawn: 'A'" in prepared.changes and "added: 'C'" in prepared.changes


def test_a_renamed_parent_is_followed_to_its_children(first: Store, settings: Settings,
                                                      tmp_path: Path) -> None:
    rows = [list(r) for r in BASE_ROWS]
    rows[0][0], rows[1][4] = "Opladningspunkt", "Opladningspunkt"
    rows[1][0] = "Normalt opladningspunkt"
    prepared = prepare_version(write(tmp_path / "v2" / "lade.csv", rows), settings, first, today=DAY2)
    assert prepared.changes[1:] == [  # type: ignore[attr-defined]
        "renamed: 'Normalt ladepunkt' → 'Normalt opladningspunkt' (IRI kept: same definition and place)",
        "renamed: 'Ladepunkt' → 'Opladningspunkt' (IRI kept: same definition and place)"]


def test_skipped_rows_keep_their_concepts_as_stored(first: Store, settings: Settings, tmp_path: Path) -> None:
    rows = [list(r) for r in BASE_ROWS]
    rows[2][1] = ""  # Stik loses its definition: a bad row
    prepared = ingest(first, settings, write(tmp_path / "v2" / "lade.csv", rows), DAY2, skip_bad_rows=True)
    assert prepared.changes == []  # type: ignore[attr-defined]
    graph = stored(first, settings)
    assert (c(settings, "stik"), SKOS.definition, Literal(BASE_ROWS[2][1], lang="da")) in graph
    assert not set(graph.objects(c(settings, "stik"), OWL.deprecated))


def test_a_list_that_was_stored_before_versions_gets_its_first_version_recorded(
        memory_store: Store, settings: Settings, tmp_path: Path) -> None:
    path = write(tmp_path / "v1" / "lade.csv", BASE_ROWS)
    memory_store.replace_graph(Minter(settings.base_iri).graph("conceptlists/lade"),
                               read_conceptlist(path, settings).graph, source="lade.csv")
    prepared = ingest(memory_store, settings, write(tmp_path / "v2" / "lade.csv", BASE_ROWS[:4]), DAY2)
    assert prepared.changes == ["version 2 of lade (was 1): 1 withdrawn", "withdrawn: 'Slutbruger'"]  # type: ignore
    graph = stored(memory_store, settings)
    assert (version(settings, 2), PROV.wasRevisionOf, version(settings, 1)) in graph
    assert (version(settings, 1), RDF.type, KG.ConceptSchemeVersion) in graph


# -- the command line on a store on disk ---------------------------------------------------------

@pytest.fixture()
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    for name in ("KG_STORE", "KG_STORE_PATH", "KG_BASE_IRI", "KG_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KG_QUALITY_AFTER_LOAD", "0")
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["--store", "embedded", "--store-path", str(tmp_path / "store"), *args],
                             catch_exceptions=False)

    return run


def _edited_authored(folder: Path) -> Path:
    """The authored list as an architect edits it elsewhere: one concept removed, one renamed."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = list(csv.reader(io.StringIO(AUTHORED.read_text(encoding="utf-8"))))
    kept = [r for r in rows if r[0] != "Digitalt forbundet ladepunkt"]
    for r in kept:
        if r[0] == "Slutbruger":
            r[0] = "Slutkunde"
    target = folder / "ladeinfrastruktur.csv"
    with target.open("w", encoding="cp1252", newline="") as handle:  # saved by Danish Excel
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(kept)
    shutil.copy(AUTHORED.with_name("ladeinfrastruktur.scheme.toml"), folder)
    return target


def test_an_edited_list_from_anywhere_is_one_scheme_and_withdrawn_links_are_reported(cli,
                                                                                    tmp_path: Path) -> None:
    assert cli("load", str(ONTOLOGY)).exit_code == 0
    assert cli("ingest", "conceptlist", str(AUTHORED)).exit_code == 0
    edited = _edited_authored(tmp_path / "elsewhere")
    dry = cli("ingest", "conceptlist", str(edited), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "change  version 2 of ladeinfrastruktur (was 1): 1 withdrawn, 1 renamed" in dry.output
    assert "nothing loaded" in dry.output
    result = cli("load", str(edited))  # kg load takes the same path as kg ingest
    assert result.exit_code == 0, result.output
    assert "DigitaltForbundetLadepunkt" in result.output and "withdrawn but still linked" in result.output
    base = "https://kg.rammearkitektur.dk/id/concept/ladeinfrastruktur/"
    skos = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    scheme = f"<{base[:-1]}>"
    holders = cli("query", skos + f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?c skos:inScheme {scheme} }} }}")
    assert "graph/conceptlists/ladeinfrastruktur" in holders.output and "(1 rows)" in holders.output
    rows = cli("query", skos + f"SELECT ?c (COUNT(?l) AS ?n) WHERE {{ ?c skos:inScheme <{base[:-1]}> ; "
               "skos:prefLabel ?l FILTER(lang(?l) = 'da') } GROUP BY ?c HAVING (COUNT(?l) > 1)").output
    assert "(0 rows)" in rows  # every label once: no second copy of the scheme
    owl = "PREFIX owl: <http://www.w3.org/2002/07/owl#> "
    gone = cli("query", owl + f"ASK {{ <{base}digitalt-forbundet-ladepunkt> owl:deprecated true }}").output
    assert gone.strip() == "true"
    kept = cli("query", skos + f"ASK {{ <{base}slutbruger> skos:prefLabel 'Slutkunde'@da }}").output
    assert kept.strip() == "true"


def test_round_trip_export_edit_ingest_gives_the_expected_report(cli, tmp_path: Path) -> None:
    assert cli("ingest", "conceptlist", str(AUTHORED)).exit_code == 0
    out = tmp_path / "export" / "ladeinfrastruktur.csv"
    out.parent.mkdir()
    assert cli("export", "conceptlist", "ladeinfrastruktur", "-o", str(out)).exit_code == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    header = rows[0]
    term, alt, broader = header.index("Foretrukken term (da)"), header.index("Accepteret term (da)"), \
        header.index("Overordnet begreb")
    for r in rows[1:]:
        if r[term] == "Ladepunkt":
            r[term] = "Opladningspunkt"                   # renamed; its children follow
        elif r[broader] == "Ladepunkt":
            r[broader] = "Opladningspunkt"
        if r[term] == "Stik":
            r[alt] = "konnektor"
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    result = cli("ingest", "conceptlist", str(out))
    assert result.exit_code == 0, result.output
    changes = [line[len("change  "):] for line in result.output.splitlines() if line.startswith("change  ")]
    assert changes == ["version 2 of ladeinfrastruktur (was 1): 1 renamed, 1 terms changed",
                       "renamed: 'Ladepunkt' → 'Opladningspunkt' (IRI kept: same definition and place)",
                       "terms of 'Stik': accepted term 'konnektor' added"]
    # the next export carries the Id column (an IRI no longer follows from its term) and ingests unchanged
    again = tmp_path / "again" / "ladeinfrastruktur.csv"
    again.parent.mkdir()
    assert cli("export", "conceptlist", "ladeinfrastruktur", "-o", str(again)).exit_code == 0
    text = again.read_text(encoding="utf-8")
    assert text.startswith("Begrebs-id,") and "\nladepunkt,Opladningspunkt," in text
    result = cli("ingest", "conceptlist", str(again))
    assert result.exit_code == 0 and "no change against the stored version" in result.output


def test_the_loader_gives_one_scheme_for_the_data_list_and_an_edited_copy(memory_store: Store,
                                                                         settings: Settings,
                                                                         tmp_path: Path) -> None:
    first = load_paths(memory_store, settings, [AUTHORED])
    second = load_paths(memory_store, settings, [_edited_authored(tmp_path / "copy")])
    assert first[0].graph == second[0].graph == settings.base_iri + "/graph/conceptlists/ladeinfrastruktur"
    assert [o.status for o in second] == ["loaded"]
    assert any("replaces" in w for w in second[0].warnings)
    concept_graphs = {g.name for g in memory_store.graphs() if "ladeinfrastruktur" in g.name}
    assert concept_graphs == {settings.base_iri + "/graph/conceptlists/ladeinfrastruktur"}


def test_links_to_withdrawn_concepts_come_from_the_store(memory_store: Store, settings: Settings,
                                                        tmp_path: Path) -> None:
    """The report is a query over the store: a link made by some other graph is found too."""
    ingest(memory_store, settings, write(tmp_path / "v1" / "lade.csv", BASE_ROWS), DAY1)
    other = Graph()
    other.add((URIRef("http://example.org/model#Kunde"), DCTERMS.subject, c(settings, "slutbruger")))
    memory_store.replace_graph(settings.base_iri + "/graph/model", other, source="model.ttl")
    prepared = prepare_version(write(tmp_path / "v2" / "lade.csv", BASE_ROWS[:4]), settings, memory_store,
                               today=DAY2)
    links = [w for w in prepared.warnings if "still linked" in w]
    assert len(links) == 1 and "http://example.org/model#Kunde" in links[0] and "graph/model" in links[0]
