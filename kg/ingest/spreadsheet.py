"""A spreadsheet as Excel or LibreOffice saved it, read as a header row and data rows of text.

The concept-list ingest should not care how a list was saved, so this module takes what the
programs write and gives one shape: the header (found below any title block), and each data row
with its spreadsheet row number, every cell as the text the program shows.

* Delimited text (``.csv``, and ``.txt``/``.tsv`` as Excel's "Unicode-tekst" and "Tekst
  (tabulatorsepareret)" are called): the encoding is detected (:mod:`kg.ingest.encoding`) or given;
  the delimiter (``,`` ``;`` or tab) is the one that makes a header row kg recognises, or the one an
  Excel ``sep=`` line names; CRLF, LF and CR line ends alike.
* Workbooks (``.xlsx``): the sheet named, else the one whose header kg recognises best; formulas
  give the values Excel saved with them; a merged cell's value fills the rows it spans; dates and
  numbers are the text Excel shows (:mod:`kg.ingest.excel_format`).

What the reader cannot read is a :class:`SpreadsheetError` naming the file; what it read from a
cell but doubts (a formula saved without its value) is a cell problem the caller reports by row
and column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.ingest.encoding import EncodingError, decode
from kg.ingest.excel_format import display

#: How far down a sheet the header row may stand (below a title block).
HEADER_SEARCH_ROWS = 30
DELIMITED_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
_DELIMITERS = {",": "','", ";": "';'", "\t": "tab"}


class SpreadsheetError(ValueError):
    """The file cannot be read as a spreadsheet; the message names the file and why."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


@dataclass
class Table:
    """A header row and the data rows below it, as text, with spreadsheet row numbers."""

    header: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]]
    #: Delimited rows must have exactly the header's width; a workbook's may be shorter.
    strict_width: bool
    #: How the file was read, for the report ("read as Windows-1252 (detected), ';'-separated, CRLF").
    described: str = ""
    #: (row, column index) → what is doubtful about the cell's text.
    cell_problems: dict[tuple[int, int], str] = field(default_factory=dict)


#: The column a header cell means (a key of the caller's layout), or None for a cell it does not know.
Recognise = Callable[[str], "str | None"]


def read_table(path: Path, recognise: Recognise, required: set[str], encoding: str | None = None,
               sheet: str | None = None) -> Table:
    """The table in ``path``: ``recognise`` finds the header row, ``required`` (column keys) the sheet."""
    if not path.is_file():
        raise SpreadsheetError(path, "no such file")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        if encoding is not None:
            raise SpreadsheetError(path, "--encoding is for text files (.csv); a workbook names its own")
        return read_xlsx(path, recognise, required, sheet)
    if suffix in DELIMITED_SUFFIXES:
        if sheet is not None:
            raise SpreadsheetError(path, "--sheet is for workbooks (.xlsx); a text file has one table")
        return read_delimited(path, recognise, encoding)
    raise SpreadsheetError(path, "a concept list must be a .csv or .xlsx file (or .txt/.tsv as Excel saves "
                                 "tab-separated text)")


def _header_index(rows: list[list[str]], recognise: Recognise) -> tuple[int, set[str]]:
    """(index of the row that most looks like the header, the columns it names)."""
    best: tuple[int, set[str]] = (0, set())
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = {key for c in cells if c.strip() and (key := recognise(c)) is not None}
        if len(keys) > len(best[1]):
            best = (index, keys)
    return best


# -- delimited text ----------------------------------------------------------------------------

def read_delimited(path: Path, recognise: Recognise, encoding: str | None = None) -> Table:
    data = path.read_bytes()
    if not data.strip():
        raise SpreadsheetError(path, "empty file: not a concept list")
    try:
        decoded = decode(data, encoding)
    except EncodingError as exc:
        if b"\x00" in data[:8192]:  # zero bytes that are not UTF-16 text: not text at all
            raise SpreadsheetError(path, "binary file, not a CSV concept list") from None
        raise SpreadsheetError(path, str(exc)) from None
    text = decoded.text
    if "\x00" in text[:8192]:
        raise SpreadsheetError(path, "binary file, not a CSV concept list")
    first_line, _, rest = text.partition("\n")
    named = None
    if first_line.strip().lower().startswith("sep=") and len(first_line.strip()) == 5:
        named = first_line.strip()[4]  # Excel's "sep=;" line names the delimiter
        text = rest
    candidates = [named] if named else list(_DELIMITERS)
    best: tuple[int, str, list[list[str]], int] | None = None  # (columns, delimiter, records, header index)
    for delimiter in candidates:
        try:
            records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:
            if best is None and delimiter == candidates[-1]:
                raise SpreadsheetError(path, f"not a readable CSV file ({exc})") from None
            continue
        index, keys = _header_index(records, recognise)
        if best is None or len(keys) > best[0]:
            best = (len(keys), delimiter, records, index)
    assert best is not None
    _, delimiter, records, index = best
    if not records or not any(c.strip() for c in records[index]):
        raise SpreadsheetError(path, "the first row is empty: not a concept list")
    offset = 2 if named else 1  # spreadsheet row numbers count the sep= line too
    line_ends = "CRLF" if "\r\n" in text else "CR" if "\r" in text and "\n" not in text else "LF"
    described = f"read as {decoded.described}, {_DELIMITERS.get(delimiter, repr(delimiter))}-separated, " \
                f"{line_ends} line ends"
    if index:
        described += f", header on row {index + offset}"
    rows = [(n + offset, r) for n, r in enumerate(records[index + 1:], start=index + 1)]
    return Table(records[index], index + offset, rows, strict_width=True, described=described)


# -- workbooks ---------------------------------------------------------------------------------

def read_xlsx(path: Path, recognise: Recognise, required: set[str], sheet: str | None = None) -> Table:
    """The list in a workbook: the sheet named, else the first that has a header with the ``required``
    columns (else the one whose header kg recognises best, so that its error names what is missing)."""
    import openpyxl

    try:
        values = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many exception types for one cause: a corrupt file
        raise SpreadsheetError(path, f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        names = values.sheetnames
        if sheet is not None:
            chosen = next((n for n in names if n.strip().casefold() == sheet.strip().casefold()), None)
            if chosen is None:
                raise SpreadsheetError(path, f"no sheet named {sheet!r} (sheets: {', '.join(names)})")
            candidates = [chosen]
        else:
            candidates = names
        grids = {name: _grid(values[name]) for name in candidates}
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise SpreadsheetError(path, f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    finally:
        values.close()
    scored = [(name, *_header_index(grid, recognise)) for name, grid in grids.items()]
    lists = [s for s in scored if required <= s[2]]
    # max keeps the first of equals
    name, index, _ = lists[0] if lists else max(scored, key=lambda s: len(s[2]))
    grid = grids[name]
    if not grid or not any(c.strip() for c in grid[index]):
        raise SpreadsheetError(path, "empty workbook, or its first row is empty: not a concept list")
    header = list(grid[index])
    while header and not header[-1].strip():
        header.pop()
    rows = []
    for number, cells in enumerate(grid[index + 1:], start=index + 2):
        cells = list(cells)
        while cells and not cells[-1].strip():
            cells.pop()
        rows.append((number, cells))
    described = f"read sheet {name!r}" + (f" (of {len(names)}: {', '.join(names)})" if len(names) > 1 else "")
    if index:
        described += f", header on row {index + 1}"
    others = [s[0] for s in lists if s[0] != name]
    if others:
        described += f"; other sheets with a concept list: {', '.join(others)} (choose one with --sheet)"
    table = Table(header, index + 1, rows, strict_width=False, described=described)
    table.cell_problems = _unsaved_formulas(path, name, grid)
    return table


def _grid(sheet: object) -> list[list[str]]:
    """Every cell's shown text; a merged range's value fills the rows it spans in its first column."""
    fill: dict[tuple[int, int], object] = {}
    for merged in sheet.merged_cells.ranges:  # type: ignore[attr-defined]
        top = sheet.cell(row=merged.min_row, column=merged.min_col)  # type: ignore[attr-defined]
        for row in range(merged.min_row + 1, merged.max_row + 1):
            fill[(row, merged.min_col)] = top
    grid = []
    for row in sheet.iter_rows():  # type: ignore[attr-defined]
        texts = []
        for cell in row:
            source = fill.get((cell.row, cell.column), cell)
            texts.append(display(getattr(source, "value", None), getattr(source, "number_format", None)))
        grid.append(texts)
    return grid


def _unsaved_formulas(path: Path, sheet: str, grid: list[list[str]]) -> dict[tuple[int, int], str]:
    """Formula cells saved without their value (a file written by a program that does not calculate)."""
    import openpyxl

    problems: dict[tuple[int, int], str] = {}
    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for r, row in enumerate(formulas[sheet].iter_rows(), start=1):
            for cell in row:
                if getattr(cell, "data_type", None) != "f":
                    continue
                c = cell.column - 1
                shown = grid[r - 1][c] if r - 1 < len(grid) and c < len(grid[r - 1]) else ""
                if not shown:
                    problems[(r, c)] = (f"the formula {cell.value} was saved without its value; open the "
                                        "file in Excel or LibreOffice and save it again")
    finally:
        formulas.close()
    return problems


__all__ = ["DELIMITED_SUFFIXES", "SpreadsheetError", "Table", "read_delimited", "read_table", "read_xlsx"]
