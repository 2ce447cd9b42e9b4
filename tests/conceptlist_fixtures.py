"""The spreadsheet fixtures of ``tests/fixtures/conceptlists/saved/``: one small list, saved the ways
Excel and LibreOffice save it.

Run ``python -m tests.conceptlist_fixtures`` to write them again.  Every file is built here from
:data:`ROWS` with Python's codecs (the text files) or openpyxl (the workbooks), so what each one
holds is plain to see:

* ``libreoffice-utf8.csv``: UTF-8 without a byte-order mark, ``,``, LF (LibreOffice "Tekst CSV");
* ``excel-csv-utf8.csv``: UTF-8 with a byte-order mark, ``;``, CRLF (Danish Excel "CSV UTF-8");
* ``excel-semikolon.csv``: Windows-1252, ``;``, CRLF (Danish Excel "CSV (semikolonsepareret)"),
  with an en dash and typographic quotes in a comment, which only Windows-1252 of the code pages has;
* ``excel-ms-dos.csv``: code page 850, ``;``, CRLF (Excel "CSV (MS-DOS)");
* ``excel-macintosh.csv``: Mac Roman, ``;``, CR line ends (Excel "CSV (Macintosh)");
* ``excel-unicode-tekst.txt``: UTF-16 LE with a byte-order mark, tab, CRLF (Excel "Unicode-tekst");
* ``excel-tabulator.txt``: Windows-1252, tab, CRLF (Excel "Tekst (tabulatorsepareret)");
* ``excel-sep-line.csv``: Windows-1252 with Excel's ``sep=;`` line first;
* ``title-block.csv``: UTF-8 with two title rows and a blank row above the header;
* ``mixed-utf8.csv``: UTF-8 except one definition pasted in as Latin-1 (undecodable);
* ``workbook.xlsx``: sheets *Forside*, *Begreber*, *Noter*; *Begreber* has a merged title above the
  header (row 4), Ids typed as numbers shown as ``001``…, a definition that is a formula (with the
  value Excel saves beside it), *Overordnet begreb* merged down over two rows, a date and a decimal
  number in comments;
* ``two-lists.xlsx``: two sheets with a concept list each (*Liste A* with 2 concepts, *Liste B* with 3);
* ``formula-without-value.xlsx``: a formula saved without its value, as a program that does not
  calculate (openpyxl itself) leaves it.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from datetime import datetime
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "fixtures" / "conceptlists" / "saved"
HEADER = ["Foretrukken term (da)", "Foretrukken term (en)", "Accepteret term (da)", "Frarådet term (da)",
          "Definition (da)", "Kommentar (da)", "Overordnet begreb"]
#: The list every text file holds (æ ø å, é, « », § and ° are in all three code pages).
ROWS = [
    ["Ladepunkt", "recharging point", "ladestik", "ladestander",
     "Fast eller mobil grænseflade, der overfører elektricitet til ét køretøj ad gangen.", "Jf. § 2.", ""],
    ["Normalt ladepunkt", "normal power recharging point", "", "",
     "Ladepunkt, der overfører højst 22 kW.", "Også kaldt «normallader».", "Ladepunkt"],
    ["Højeffektladepunkt", "high power recharging point", "", "hurtiglader",
     "Ladepunkt, der overfører mere end 22 kW.", "Virker ned til -20 °C.", "Ladepunkt"],
    ["Stik", "connector", "", "", "Fysisk grænseflade mellem et ladepunkt og et køretøj.", "", ""],
    ["Ladepunktsoperatør", "operator of a recharging point", "operatør", "",
     "Den, der står for driften af et ladepunkt på vegne af ejeren.", "Også kaldt CPO; Édith-modellen.", ""],
]
#: The comment Windows-1252 files hold instead of row 4's empty one.
CP1252_COMMENT = "“Type 2” – det almindelige stik."


def _delimited(rows: list[list[str]], delimiter: str) -> str:
    """Cells joined as Excel writes them: quoted only where they hold the delimiter, a quote or a line end."""
    def cell(text: str) -> str:
        if any(c in text for c in (delimiter, '"', "\n", "\r")):
            return '"' + text.replace('"', '""') + '"'
        return text

    return "\n".join(delimiter.join(cell(c) for c in row) for row in rows) + "\n"


def _rows(cp1252: bool = False) -> list[list[str]]:
    rows = [list(r) for r in ROWS]
    if cp1252:
        rows[3][5] = CP1252_COMMENT
    return [HEADER, *rows]


def text_files() -> dict[str, bytes]:
    """Name → bytes of every delimited-text fixture."""
    def crlf(text: str) -> str:
        return text.replace("\n", "\r\n")

    files = {
        "libreoffice-utf8.csv": _delimited(_rows(), ",").encode("utf-8"),
        "excel-csv-utf8.csv": codecs.BOM_UTF8 + crlf(_delimited(_rows(), ";")).encode("utf-8"),
        "excel-semikolon.csv": crlf(_delimited(_rows(cp1252=True), ";")).encode("cp1252"),
        "excel-ms-dos.csv": crlf(_delimited(_rows(), ";")).encode("cp850"),
        "excel-macintosh.csv": _delimited(_rows(), ";").replace("\n", "\r").encode("mac_roman"),
        "excel-unicode-tekst.txt": codecs.BOM_UTF16_LE + crlf(_delimited(_rows(), "\t")).encode("utf-16-le"),
        "excel-tabulator.txt": crlf(_delimited(_rows(cp1252=True), "\t")).encode("cp1252"),
        "excel-sep-line.csv": crlf("sep=;\n" + _delimited(_rows(cp1252=True), ";")).encode("cp1252"),
        "title-block.csv": _delimited([["Begrebsliste for ladeinfrastruktur", "", "", "", "", "", ""],
                                       ["Udarbejdet af sekretariatet", "", "", "", "", "", ""],
                                       ["", "", "", "", "", "", ""], *_rows()], ",").encode("utf-8"),
    }
    mixed = _delimited(_rows(), ",").encode("utf-8")
    stik = ROWS[3][4]
    files["mixed-utf8.csv"] = mixed.replace(stik.encode("utf-8"), stik.encode("latin-1"))
    return files


def _with_saved_values(path: Path, values: dict[str, str]) -> None:
    """Write the value Excel saves beside each formula (openpyxl leaves it empty): cell → shown text."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    for name, data in parts.items():
        if not name.startswith("xl/worksheets/sheet"):
            continue
        text = data.decode("utf-8")
        for cell, value in values.items():
            text = re.sub(rf'<c r="{cell}"([^>]*)><f>(.*?)</f><v\s*/?>(?:</v>)?</c>',
                          lambda m, c=cell, v=value: f'<c r="{c}"{m.group(1)} t="str"><f>{m.group(2)}</f>'
                                                     f'<v>{v}</v></c>', text)
        parts[name] = text.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def workbook(path: Path) -> None:
    """``workbook.xlsx``: a cover sheet, the list below a title block, notes; formulas, merges, formats."""
    import openpyxl

    book = openpyxl.Workbook()
    cover = book.active
    cover.title = "Forside"
    cover["A1"] = "Begrebsliste for ladeinfrastruktur"
    cover["A3"] = "Listen står på arket Begreber."
    sheet = book.create_sheet("Begreber")
    sheet["A1"] = "Begrebsliste for ladeinfrastruktur"
    sheet.merge_cells("A1:H1")
    sheet["A2"] = "Version 0.2, udarbejdet af sekretariatet"
    sheet.append([])
    sheet.append(["Begrebs-id", *HEADER])                                     # row 4
    for number, row in enumerate(ROWS, start=1):
        sheet.append([number, *row])                                          # rows 5-9
    for r in range(5, 10):
        sheet.cell(row=r, column=1).number_format = "000"
    # The definition of Stik (row 8) is a formula joining two cells of Noter.
    sheet["F8"] = "=Noter!A1&\" \"&Noter!A2"
    # Overordnet begreb: one merged cell for Normalt ladepunkt and Højeffektladepunkt (rows 6-7).
    sheet["H7"] = None
    sheet.merge_cells("H6:H7")
    sheet["G5"] = datetime(2023, 8, 29)
    sheet["G5"].number_format = "d. mmmm yyyy"
    sheet["G9"] = 0.5
    sheet["G9"].number_format = "0.0"
    notes = book.create_sheet("Noter")
    notes["A1"] = "Fysisk grænseflade mellem et ladepunkt"
    notes["A2"] = "og et køretøj."
    book.save(path)
    _with_saved_values(path, {"F8": "Fysisk grænseflade mellem et ladepunkt og et køretøj."})


def two_lists(path: Path) -> None:
    """``two-lists.xlsx``: *Liste A* (2 concepts) and *Liste B* (3 concepts), each a whole list."""
    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    first.title = "Liste A"
    first.append(["Foretrukken term (da)", "Definition (da)"])
    first.append(["Ladepunkt", "Et punkt, hvor et køretøj lades."])
    first.append(["Stik", "Grænseflade mellem ladepunkt og køretøj."])
    second = book.create_sheet("Liste B")
    second.append(["Foretrukken term (da)", "Definition (da)", "Overordnet begreb"])
    second.append(["Ladepark", "Et område med ladestationer.", ""])
    second.append(["Ladestation", "En installation med ladepunkter.", "Ladepark"])
    second.append(["Ladepunkt", "Et punkt, hvor et køretøj lades.", "Ladestation"])
    book.save(path)


def formula_without_value(path: Path) -> None:
    """``formula-without-value.xlsx``: the definition of row 3 is a formula with no saved value."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Foretrukken term (da)", "Definition (da)"])
    sheet.append(["Ladepunkt", "Et punkt, hvor et køretøj lades."])
    sheet.append(["Stik", "=A2&\" med stik\""])
    book.save(path)


WORKBOOKS = {"workbook.xlsx": workbook, "two-lists.xlsx": two_lists,
             "formula-without-value.xlsx": formula_without_value}


def write_all(folder: Path = FOLDER) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in text_files().items():
        (folder / name).write_bytes(data)
    for name, make in WORKBOOKS.items():
        make(folder / name)


if __name__ == "__main__":
    write_all()
