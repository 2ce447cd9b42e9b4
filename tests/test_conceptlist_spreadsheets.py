"""Concept lists as Excel and LibreOffice save them: encodings, delimiters, line ends, title blocks,
sheets, formulas, merged cells, and numbers and dates as Excel shows them.

The files are in ``tests/fixtures/conceptlists/saved/``, written by :mod:`tests.conceptlist_fixtures`.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDFS, SKOS

from kg.cli import main
from kg.config import Settings
from kg.ingest.conceptlist import ConceptListError, read_conceptlist
from kg.ingest.encoding import decode
from kg.ingest.excel_format import display
from kg.iris import Minter
from tests import conceptlist_fixtures as made

SAVED = made.FOLDER

#: file → (what the report says it was read as, whether it holds the Windows-1252-only comment)
TEXT_FILES = {
    "libreoffice-utf8.csv": ("UTF-8, ','-separated, LF line ends", False),
    "excel-csv-utf8.csv": ("UTF-8 (byte-order mark), ';'-separated, CRLF line ends", False),
    "excel-semikolon.csv": ("Windows-1252 (detected), ';'-separated, CRLF line ends", True),
    "excel-ms-dos.csv": ("code page 850 (MS-DOS) (detected), ';'-separated, CRLF line ends", False),
    "excel-macintosh.csv": ("Mac Roman (detected), ';'-separated, CR line ends", False),
    "excel-unicode-tekst.txt": ("UTF-16 (byte-order mark), tab-separated, CRLF line ends", False),
    "excel-tabulator.txt": ("Windows-1252 (detected), tab-separated, CRLF line ends", True),
    "excel-sep-line.csv": ("Windows-1252 (detected), ';'-separated, CRLF line ends", True),
    "title-block.csv": ("UTF-8, ','-separated, LF line ends, header on row 4", False),
}


def reference(settings: Settings, tmp_path: Path, cp1252: bool) -> object:
    """The list read from a plain UTF-8 file of the same rows: what every variant must give."""
    path = tmp_path / ("ref-1252.csv" if cp1252 else "ref.csv")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(made._rows(cp1252=cp1252))
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return read_conceptlist(path, settings, scheme="saved")


def test_the_fixtures_are_what_the_generator_writes() -> None:
    """Each text fixture is exactly the bytes tests/conceptlist_fixtures.py builds (nothing hand-edited)."""
    for name, data in made.text_files().items():
        assert (SAVED / name).read_bytes() == data, name
    assert (SAVED / "excel-semikolon.csv").read_bytes().count(b"\x96") == 1  # the en dash, in Windows-1252


@pytest.mark.parametrize("name", sorted(TEXT_FILES))
def test_every_way_excel_and_libreoffice_save_a_list_gives_the_same_skos(settings: Settings, tmp_path: Path,
                                                                       name: str) -> None:
    described, cp1252 = TEXT_FILES[name]
    result = read_conceptlist(SAVED / name, settings, scheme="saved")
    assert result.problems == [], [str(p) for p in result.problems]
    assert result.described == "read as " + described
    assert result.concepts == 5
    assert isomorphic(result.graph, reference(settings, tmp_path, cp1252).graph)  # type: ignore[attr-defined]


def test_danish_excels_semicolon_csv_keeps_every_character(settings: Settings) -> None:
    result = read_conceptlist(SAVED / "excel-semikolon.csv", settings, scheme="saved")
    stik = URIRef(Minter(settings.base_iri).concept("saved", "stik"))
    comment = Literal("“Type 2” – det almindelige stik.", lang="da")
    assert set(result.graph.objects(stik, RDFS.comment)) == {comment}
    operator = URIRef(Minter(settings.base_iri).concept("saved", "ladepunktsoperatoer"))
    assert (operator, SKOS.prefLabel, Literal("Ladepunktsoperatør", lang="da")) in result.graph


def test_an_encoding_given_is_used_and_reported(settings: Settings) -> None:
    as_dos = read_conceptlist(SAVED / "excel-semikolon.csv", settings, scheme="saved", encoding="cp850")
    assert "cp850 (as given)" in as_dos.described
    labels = {str(o) for o in as_dos.graph.objects(None, SKOS.prefLabel)}
    assert "Ladepunktsoperatør" not in labels and "Ladepunktsoperat°r" in labels  # 0xF8 is ° in cp850
    as_utf8 = read_conceptlist(SAVED / "excel-semikolon.csv", settings, scheme="saved", encoding="utf-8")
    assert as_utf8.errors and all("undecodable" in p.message for p in as_utf8.errors)
    with pytest.raises(ConceptListError, match="unknown encoding 'latin-9000'"):
        read_conceptlist(SAVED / "excel-semikolon.csv", settings, encoding="latin-9000")


def test_text_in_no_danish_code_page_is_guessed_and_said_to_be_a_guess() -> None:
    text = ("Foretrukken term (da);Definition (da)\r\nТочка зарядки;Место, где заряжается автомобиль.\r\n"
            "Разъём;Соединение между точкой зарядки и автомобилем.\r\n")
    decoded = decode(text.encode("cp1251"))
    assert decoded.text == text and "guessed by chardet" in decoded.described


def test_a_workbook_with_a_title_block_several_sheets_formulas_merged_cells_and_formats(
        settings: Settings) -> None:
    result = read_conceptlist(SAVED / "workbook.xlsx", settings, scheme="saved")
    assert result.problems == [], [str(p) for p in result.problems]
    assert result.described == "read sheet 'Begreber' (of 3: Forside, Begreber, Noter), header on row 4"
    minter = Minter(settings.base_iri)
    c = {n: URIRef(minter.concept("saved", f"{n:03d}")) for n in range(1, 6)}  # Ids typed 1..5, shown 001..
    graph = result.graph
    assert (c[1], SKOS.prefLabel, Literal("Ladepunkt", lang="da")) in graph
    saved = Literal("Fysisk grænseflade mellem et ladepunkt og et køretøj.", lang="da")
    assert (c[4], SKOS.definition, saved) in graph  # the formula's saved value
    assert set(graph.objects(c[2], SKOS.broader)) == {c[1]}  # the merged cell, first row
    assert set(graph.objects(c[3], SKOS.broader)) == {c[1]}  # ... and the row below it
    assert (c[1], RDFS.comment, Literal("29. august 2023", lang="da")) in graph
    assert (c[5], RDFS.comment, Literal("0,5", lang="da")) in graph
    assert not set(graph.objects(c[1], DCTERMS.identifier))  # "001" is the IRI's own slug


def test_the_sheet_is_chosen_by_name_or_is_the_first_that_holds_a_list(settings: Settings) -> None:
    first = read_conceptlist(SAVED / "two-lists.xlsx", settings, scheme="a")
    assert first.concepts == 2 and "read sheet 'Liste A'" in first.described
    assert "other sheets with a concept list: Liste B (choose one with --sheet)" in first.described
    second = read_conceptlist(SAVED / "two-lists.xlsx", settings, scheme="b", sheet="liste b")
    assert second.concepts == 3 and second.problems == []
    with pytest.raises(ConceptListError, match=r"no sheet named 'Liste C' \(sheets: Liste A, Liste B\)"):
        read_conceptlist(SAVED / "two-lists.xlsx", settings, sheet="Liste C")
    with pytest.raises(ConceptListError, match="--sheet is for workbooks"):
        read_conceptlist(SAVED / "excel-semikolon.csv", settings, sheet="Liste A")


def test_a_formula_saved_without_its_value_is_a_row_error(settings: Settings) -> None:
    result = read_conceptlist(SAVED / "formula-without-value.xlsx", settings)
    assert [(p.row, p.column) for p in result.errors] == [(3, "Definition (da)")]
    assert "formula" in result.errors[0].message and "save it again" in result.errors[0].message


@pytest.mark.parametrize(("value", "code", "shown"), [
    (7, "000", "007"), (3.5, "General", "3,5"), (1234567.891, "#,##0.00", "1.234.567,89"),
    (0.25, "0%", "25%"),
    (datetime(2023, 8, 29), "mm-dd-yy", "29-08-2023"),  # Excel's locale short date, as Danish Excel shows it
    (datetime(2023, 8, 29), "[$-406]d. mmmm yyyy;@", "29. august 2023"),
    (datetime(2023, 8, 29, 14, 5), "dd-mm-yyyy hh:mm", "29-08-2023 14:05"), (-5, "0;(0)", "(5)"),
    (12, '0" kW"', "12 kW"), (True, None, "SAND"), (0.1 + 0.2, "General", "0,3"),
])
def test_numbers_and_dates_as_danish_excel_shows_them(value: object, code: str | None, shown: str) -> None:
    assert display(value, code) == shown


def test_cli_reports_how_the_file_was_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--store", "memory", "ingest", "conceptlist", "--dry-run",
                                       str(SAVED / "excel-semikolon.csv"), "--scheme", "saved"])
    assert result.exit_code == 0, result.output
    assert "read as Windows-1252 (detected), ';'-separated, CRLF line ends" in result.output
    assert "5 concepts" in result.output and "nothing loaded" in result.output
    result = CliRunner().invoke(main, ["--store", "memory", "ingest", "conceptlist", "--encoding", "nope",
                                       str(SAVED / "excel-semikolon.csv")])
    assert result.exit_code == 1 and "unknown encoding 'nope'" in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
