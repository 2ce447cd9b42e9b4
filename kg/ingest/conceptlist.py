"""Concept lists (begrebslister) from CSV or XLSX to SKOS.

A begrebsliste is the table the Danish modelling rules describe: one row per
concept, with preferred, accepted and deprecated terms, a definition, examples,
comments, legal source and source.  kg reads it in that column layout (Danish
headers, variants accepted case-insensitively) and writes SKOS as the rules map
it, so that a list the secretariat keeps in a spreadsheet becomes linked data
whose IRIs stay the same from one ingest to the next.

The checks are strict because a list is published as it is loaded: a row with
an error keeps the whole file out of the store unless the caller asks to skip
bad rows.  ``docs/conceptlists.md`` documents the layout and the sidecar file.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.config import Settings
from kg.ingest import Prepared
from kg.iris import Minter, slugify
from kg.namespaces import ADMS, CV, MDL, bind_all

Kind = Literal["label", "labels", "text", "iris", "iri", "source", "broader"]


@dataclass(frozen=True)
class Column:
    """One column of the layout: its canonical header, its SKOS property and how cells are read."""

    key: str
    header: str
    prop: URIRef
    lang: str | None
    kind: Kind
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        """Every header spelling that means this column, compared as slugs."""
        return {slugify(self.header), *(slugify(a) for a in self.aliases)}


#: The layout, in the order export writes it.  ``label``/``text`` cells hold one value, ``labels``,
#: ``iris`` and ``broader`` cells hold several separated by ``;``.
COLUMNS: tuple[Column, ...] = (
    Column("pref_da", "Foretrukken term (da)", SKOS.prefLabel, "da", "label",
           ("foretrukken term", "foretrukket term", "foretrukne term", "term", "preferred term",
            "preferred term da", "prefLabel")),
    Column("pref_en", "Foretrukken term (en)", SKOS.prefLabel, "en", "label",
           ("english preferred term", "preferred term en", "engelsk term", "engelsk foretrukken term",
            "foretrukken term engelsk", "english term")),
    Column("alt_da", "Accepteret term (da)", SKOS.altLabel, "da", "labels",
           ("accepteret term", "accepterede termer", "accepted term", "accepted terms", "altLabel")),
    Column("dep_da", "Frarådet term (da)", MDL.deprecatedLabel, "da", "labels",
           ("frarådet term", "frarådede termer", "fraraadet term", "deprecated term", "deprecated terms")),
    Column("def_da", "Definition (da)", SKOS.definition, "da", "text", ("definition",)),
    Column("def_en", "Definition (en)", SKOS.definition, "en", "text",
           ("english definition", "engelsk definition", "definition engelsk")),
    Column("ex_da", "Eksempel (da)", SKOS.example, "da", "text", ("eksempel", "eksempler", "example")),
    Column("com_da", "Kommentar (da)", RDFS.comment, "da", "text", ("kommentar", "kommentarer", "comment")),
    Column("legal", "Juridisk kilde", CV.hasLegalResource, None, "iris",
           ("juridiske kilder", "legal source", "legal sources")),
    Column("source", "Kilde", DCTERMS.source, "da", "source", ("kilder", "source")),
    Column("broader", "Overordnet begreb", SKOS.broader, None, "broader",
           ("overordnede begreber", "overbegreb", "broader", "broader concept")),
    Column("status", "Status", ADMS.status, None, "iri", ("begrebsstatus",)),
    Column("note_da", "Redaktionel note (da)", SKOS.editorialNote, "da", "text",
           ("redaktionel note", "editorial note", "editorial note da")),
    Column("note_en", "Redaktionel note (en)", SKOS.editorialNote, "en", "text",
           ("editorial note en", "redaktionel note engelsk")),
)
BY_KEY = {c.key: c for c in COLUMNS}
_BY_NAME = {name: c for c in COLUMNS for name in c.names()}
REQUIRED = ("pref_da", "def_da")
SEPARATOR = ";"
#: Absolute IRIs only; the schemes a legal source or status is published under.
_IRI = re.compile(r"^(?:https?://[^\s/<>\"{}|\\^`]+[^\s<>\"{}|\\^`]*|urn:[A-Za-z0-9][^\s<>\"{}|\\^`]*)$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
SIDECAR_SUFFIX = ".scheme.toml"


class ConceptListError(ValueError):
    """The file is not a concept list kg can read; the message names the file and why."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


@dataclass(frozen=True)
class Problem:
    """One finding, located by spreadsheet row (the header is row 1) and column header."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return (", ".join(where) + ": " if where else "") + self.message


@dataclass
class ConceptListResult:
    """The SKOS of one list, and what was wrong with it.

    ``errors`` keep the list out of the store; ``warnings`` do not (unknown columns,
    and with ``skip_bad_rows`` the rows that were left out and why).
    """

    graph: Graph
    scheme: str
    scheme_iri: str
    concepts: int
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [*self.errors, *self.warnings]


def danish_key(text: str) -> tuple[str, str]:
    """Sort key in Danish alphabetical order (… x y z æ ø å), case and accents ignored first."""
    folded = unicodedata.normalize("NFC", text).casefold()
    folded = folded.translate(str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}"}))
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return folded, text


def is_iri(text: str) -> bool:
    """True for an absolute http(s) or urn IRI with no characters an IRI may not hold."""
    return bool(_IRI.match(text))


def split_cell(text: str) -> list[str]:
    """The values of a multi-valued cell: split on ``;``, trimmed, empties dropped."""
    return [part.strip() for part in text.split(SEPARATOR) if part.strip()]


# -- reading the table ------------------------------------------------------------------------

@dataclass
class _Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells)
    strict_width: bool  # CSV rows must have exactly the header's width


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value)


def _read_xlsx(path: Path) -> _Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many exception types for one cause: a corrupt file
        raise ConceptListError(path, f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        sheet = workbook.worksheets[0]
        raw = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    except Exception as exc:
        raise ConceptListError(path, f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    finally:
        workbook.close()
    if not raw or not any(c.strip() for c in raw[0]):
        raise ConceptListError(path, "empty workbook, or its first row is empty: not a concept list")
    header = raw[0]
    while header and not header[-1].strip():
        header = header[:-1]
    rows = []
    for number, cells in enumerate(raw[1:], start=2):
        while cells and not cells[-1].strip():
            cells = cells[:-1]
        rows.append((number, cells))
    return _Table(header, rows, strict_width=False)


def _recognised(cells: Iterable[str]) -> int:
    return sum(slugify(c) in _BY_NAME for c in cells if c.strip())


def _read_csv(path: Path) -> _Table:
    data = path.read_bytes()
    if not data.strip():
        raise ConceptListError(path, "empty file: not a concept list")
    if b"\x00" in data[:8192]:
        raise ConceptListError(path, "binary file, not a CSV concept list")
    # Undecodable bytes survive as lone surrogates so that each bad cell can be reported by row and column.
    text = data.decode("utf-8-sig", errors="surrogateescape")
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = max((",", ";", "\t"),
                    key=lambda d: _recognised(next(csv.reader([first_line], delimiter=d), [])))
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ConceptListError(path, f"not a readable CSV file ({exc})") from None
    if not records or not any(c.strip() for c in records[0]):
        raise ConceptListError(path, "the first row is empty: not a concept list")
    return _Table(records[0], [(n, r) for n, r in enumerate(records[1:], start=2)], strict_width=True)


def read_table(path: Path) -> _Table:
    """The header and rows of a CSV or XLSX file; raises :class:`ConceptListError` for other files."""
    if not path.is_file():
        raise ConceptListError(path, "no such file")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise ConceptListError(path, "a concept list must be a .csv or .xlsx file")


# -- the sidecar with the scheme's own metadata -----------------------------------------------

_SIDECAR_TEXT = {"title": (SKOS.prefLabel, DCTERMS.title), "definition": (SKOS.definition,),
                 "editorial_note": (SKOS.editorialNote,)}
_SIDECAR_KEYS = {"slug", "status", "version", "legal_source", "source", "related", *_SIDECAR_TEXT}


def sidecar_path(path: Path) -> Path:
    """``ladeinfrastruktur.csv`` → ``ladeinfrastruktur.scheme.toml`` beside it."""
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict[str, object]:
    """The ``[scheme]`` table of a list's sidecar, checked; empty when there is no sidecar."""
    side = sidecar_path(path)
    if not side.is_file():
        return {}
    try:
        table = tomllib.loads(side.read_text(encoding="utf-8")).get("scheme", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConceptListError(side, f"not a valid sidecar: {exc}") from None
    if not isinstance(table, dict):
        raise ConceptListError(side, "[scheme] must be a table")
    for key, value in table.items():
        if key not in _SIDECAR_KEYS:
            known = ", ".join(sorted(_SIDECAR_KEYS))
            raise ConceptListError(side, f"unknown key {key!r} in [scheme] (known: {known})")
        if key in _SIDECAR_TEXT:
            if not isinstance(value, dict) or not all(
                    isinstance(t, str) and _LANG.match(k) for k, t in value.items()):
                raise ConceptListError(side, f"{key} must map language tags to text, e.g. {key}.da = \"…\"")
        elif key in {"legal_source", "source", "related"}:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConceptListError(side, f"{key} must be a list of strings")
            if key == "legal_source" and not all(is_iri(v) for v in value):
                raise ConceptListError(side, "legal_source must hold absolute IRIs")
        elif not isinstance(value, str):
            raise ConceptListError(side, f"{key} must be a string")
        elif key == "status" and not is_iri(value):
            raise ConceptListError(side, "status must be an absolute IRI")
    return table


def _scheme_triples(graph: Graph, scheme_iri: URIRef, slug: str, meta: dict[str, object], base: str) -> None:
    graph.add((scheme_iri, RDF.type, SKOS.ConceptScheme))
    titles = meta.get("title") or {"da": slug}
    for key, props in _SIDECAR_TEXT.items():
        values = titles if key == "title" else meta.get(key, {})
        for lang, text in values.items():  # type: ignore[union-attr]
            for prop in props:
                graph.add((scheme_iri, prop, RdfLiteral(text.strip(), lang=lang)))
    if "status" in meta:
        graph.add((scheme_iri, ADMS.status, URIRef(str(meta["status"]))))
    if "version" in meta:
        graph.add((scheme_iri, OWL.versionInfo, RdfLiteral(str(meta["version"]))))
    for value in meta.get("legal_source", []):  # type: ignore[attr-defined]
        graph.add((scheme_iri, CV.hasLegalResource, URIRef(value)))
    for value in meta.get("source", []):  # type: ignore[attr-defined]
        source = URIRef(value) if is_iri(value) else RdfLiteral(value, lang="da")
        graph.add((scheme_iri, DCTERMS.source, source))
    for value in meta.get("related", []):  # type: ignore[attr-defined]
        related = URIRef(value if is_iri(value) else base + value.lstrip("/"))
        graph.add((scheme_iri, DCTERMS.relation, related))


# -- rows to concepts -------------------------------------------------------------------------

@dataclass
class _Row:
    number: int
    values: dict[str, list[str]]  # column key -> values
    headers: dict[str, str]  # column key -> the header as written in the file
    problems: list[Problem] = field(default_factory=list)

    @property
    def pref(self) -> str:
        return (self.values.get("pref_da") or [""])[0]

    def fail(self, key: str | None, message: str) -> None:
        column = self.headers.get(key, BY_KEY[key].header) if key else None
        self.problems.append(Problem(self.number, column, message))


def _map_header(path: Path, header: list[str]) -> tuple[dict[int, Column], list[Problem]]:
    mapping: dict[int, Column] = {}
    warnings: list[Problem] = []
    seen: dict[str, str] = {}
    for index, name in enumerate(header):
        if not name.strip():
            continue
        column = _BY_NAME.get(slugify(name))
        if column is None:
            warnings.append(Problem(1, name.strip(), "unknown column, ignored"))
            continue
        if column.key in seen:
            raise ConceptListError(path, f"columns '{seen[column.key]}' and '{name.strip()}' both mean "
                                         f"'{column.header}'")
        seen[column.key] = name.strip()
        mapping[index] = column
    if not mapping:
        raise ConceptListError(path, "no recognised header row: not a concept list (expected columns such as "
                                     "'Foretrukken term (da)' and 'Definition (da)')")
    missing = [BY_KEY[k].header for k in REQUIRED if k not in seen]
    if missing:
        raise ConceptListError(path, f"missing required column(s): {', '.join(missing)}")
    return mapping, warnings


def _parse_row(number: int, cells: list[str], width: int, strict_width: bool,
               mapping: dict[int, Column], header: list[str]) -> _Row | None:
    """One data row's values, with the problems a row has on its own; None for a blank row."""
    if not any(c.strip() for c in cells):
        return None
    headers = {c.key: header[i].strip() for i, c in mapping.items()}
    row = _Row(number, {}, headers)
    if len(cells) > width or (strict_width and len(cells) < width):
        # Name the first column that is missing, or say where the surplus starts.
        where = header[len(cells)].strip() or None if len(cells) < width else None
        surplus = f" (column {width + 1} onwards has no header)" if len(cells) > width else ""
        row.problems.append(Problem(number, where, f"wrong column count: the row has {len(cells)} cells, "
                                                   f"the header {width}{surplus}"))
        return row
    for index, text in enumerate(cells):
        column = mapping.get(index)
        if column is None:
            if text.strip() and not header[index].strip():
                row.problems.append(Problem(number, None,
                                            f"value in column {index + 1}, which has no header"))
            continue
        if re.search("[\udc80-\udcff]", text):
            row.fail(column.key, "undecodable text: the file must be UTF-8")
            row.values[column.key] = [text]  # present, though unreadable: not also "missing"
            continue
        text = text.strip()
        if not text:
            continue
        values = split_cell(text) if column.kind in {"labels", "iris", "broader"} else [text]
        if column.kind == "label" and SEPARATOR in text:
            row.fail(column.key, f"one preferred term per language; put the others in "
                                 f"'{BY_KEY['alt_da'].header}'")
        if column.kind in {"iris", "iri"}:
            for value in values:
                if not is_iri(value):
                    row.fail(column.key, f"not an IRI: {value!r} (write the legal source as a link, "
                                         f"e.g. http://data.europa.eu/eli/reg/2023/1804/oj)"
                             if column.key == "legal" else f"not an IRI: {value!r}")
        row.values[column.key] = values
    if not row.pref:
        row.fail("pref_da", "missing preferred term")
    if not row.values.get("def_da"):
        row.fail("def_da", "missing definition")
    pref = row.pref.casefold()
    if pref and any(d.casefold() == pref for d in row.values.get("dep_da", [])):
        row.fail("dep_da", f"term {row.pref!r} is both preferred and deprecated")
    return row


def _cross_checks(rows: list[_Row]) -> None:
    """Checks across rows: duplicates, terms preferred here and deprecated there, broader references."""
    first: dict[str, _Row] = {}
    for row in rows:
        if not row.pref:
            continue
        slug = slugify(row.pref)
        if slug in first:
            other = first[slug]
            row.fail("pref_da", f"duplicate preferred term {row.pref!r} (same concept IRI as row "
                                f"{other.number}, {other.pref!r})")
        else:
            first[slug] = row
    preferred = {r.pref.casefold(): r for r in rows if r.pref}
    for row in rows:
        for term in row.values.get("dep_da", []):
            other = preferred.get(term.casefold())
            if other is not None and other is not row:
                row.fail("dep_da", f"term {term!r} is deprecated here but preferred in row {other.number}")


def _resolve_broader(rows: list[_Row], usable: set[int], targets: set[int]) -> dict[int, list[str]]:
    """Broader references of the usable rows as slugs or IRIs, pointing at target rows only.

    Unknown references become problems of the referring row.
    """
    by_slug = {slugify(r.pref): r for r in rows if r.number in targets}
    all_slugs = {slugify(r.pref): r for r in rows if r.pref}
    resolved: dict[int, list[str]] = {}
    for row in rows:
        if row.number not in usable:
            continue
        targets = []
        for ref in row.values.get("broader", []):
            if is_iri(ref):
                targets.append(ref)
                continue
            slug = slugify(ref)
            if slug == slugify(row.pref):
                row.fail("broader", f"{ref!r} is the concept itself")
            elif slug in by_slug:
                targets.append(slug)
            elif slug in all_slugs:
                row.fail("broader", f"{ref!r} refers to row {all_slugs[slug].number}, which is left out")
            else:
                row.fail("broader", f"unknown broader concept {ref!r}: no row has it as preferred term")
        resolved[row.number] = targets
    # A cycle in skos:broader makes every concept on it its own ancestor.
    parents = {slugify(r.pref): [t for t in resolved.get(r.number, []) if not is_iri(t)]
               for r in rows if r.number in usable}
    for row in rows:
        if row.number not in usable:
            continue
        start, stack, seen = slugify(row.pref), list(parents.get(slugify(row.pref), [])), set()
        while stack:
            node = stack.pop()
            if node == start:
                row.fail("broader", "the broader concepts form a cycle back to this concept")
                break
            if node not in seen:
                seen.add(node)
                stack.extend(parents.get(node, []))
    return resolved


def read_conceptlist(path: Path, settings: Settings, scheme: str | None = None,
                     skip_bad_rows: bool = False) -> ConceptListResult:
    """Read a begrebsliste (.csv/.xlsx, optional ``.scheme.toml`` sidecar) into SKOS.

    The scheme slug is ``scheme``, else the sidecar's ``slug``, else the file name.
    Raises :class:`ConceptListError` for a file that is not a concept list at all.
    """
    path = Path(path)
    table = read_table(path)
    meta = read_sidecar(path)
    slug = slugify(scheme or str(meta.get("slug") or path.stem))
    mapping, warnings = _map_header(path, table.header)
    width = len(table.header)
    rows = [r for n, cells in table.rows
            if (r := _parse_row(n, cells, width, table.strict_width, mapping, table.header)) is not None]
    _cross_checks(rows)
    every = {r.number for r in rows}
    resolved = _resolve_broader(rows, every, {r.number for r in rows if r.pref})
    usable = {r.number for r in rows if not r.problems}
    if skip_bad_rows:
        # Leaving a row out can orphan a broader reference in another: repeat until nothing changes.
        while True:
            resolved = _resolve_broader(rows, usable, usable)
            still = {r.number for r in rows if not r.problems}
            if still == usable:
                break
            usable = still
    usable = {r.number for r in rows if not r.problems}
    problems = sorted((p for r in rows for p in r.problems), key=lambda p: (p.row or 0))
    minter = Minter(settings.base_iri)
    scheme_iri = URIRef(minter.scheme(slug))
    graph = bind_all(Graph())
    _scheme_triples(graph, scheme_iri, slug, meta, settings.base)
    good = [r for r in rows if r.number in usable]
    for row in good:
        _concept_triples(graph, minter, slug, scheme_iri, row, resolved[row.number])
    result = ConceptListResult(graph, slug, str(scheme_iri), len(good), warnings=warnings)
    if skip_bad_rows:
        result.skipped_rows = sorted({p.row for p in problems if p.row is not None})
        result.warnings.extend(Problem(p.row, p.column, p.message + " (row skipped)") for p in problems)
    else:
        result.errors = problems
    if not rows:
        result.warnings.append(Problem(None, None, "the list has a header but no concepts"))
    return result


def _concept_triples(graph: Graph, minter: Minter, slug: str, scheme_iri: URIRef, row: _Row,
                     broader: list[str]) -> None:
    concept = URIRef(minter.concept(slug, slugify(row.pref)))
    graph.add((concept, RDF.type, SKOS.Concept))
    graph.add((concept, SKOS.inScheme, scheme_iri))
    for key, values in row.values.items():
        column = BY_KEY[key]
        if column.kind == "broader":
            continue
        for value in values:
            if column.kind in {"iris", "iri"} or (column.kind == "source" and is_iri(value)):
                graph.add((concept, column.prop, URIRef(value)))
            else:
                graph.add((concept, column.prop, RdfLiteral(value, lang=column.lang)))
    for target in broader:
        graph.add((concept, SKOS.broader,
                   URIRef(target if is_iri(target) else minter.concept(slug, target))))
    if not broader:
        graph.add((concept, SKOS.topConceptOf, scheme_iri))
        graph.add((scheme_iri, SKOS.hasTopConcept, concept))


__all__ = [
    "BY_KEY", "COLUMNS", "Column", "ConceptListError", "ConceptListResult", "Problem", "danish_key",
    "is_iri", "read_conceptlist", "read_sidecar", "read_table", "sidecar_path", "split_cell",
]


def prepare(path: Path, settings: Settings, store: object, scheme: str | None = None,
            skip_bad_rows: bool = False) -> Prepared:
    """The write path's face of the concept-list ingest: the list's SKOS, named by its scheme.

    A concept list is its scheme, so an edited list read from any folder replaces the same graph.
    """
    result = read_conceptlist(path, settings, scheme=scheme, skip_bad_rows=skip_bad_rows)
    summary = f"{result.concepts} concepts in scheme {result.scheme_iri}"
    if result.skipped_rows:
        summary += f", {len(result.skipped_rows)} bad row(s) skipped"
    return Prepared(result.graph, f"conceptlists/{result.scheme}",
                    warnings=[f"{path}: {p}" for p in result.warnings],
                    errors=_load_errors(result), summary=summary)


def _load_errors(result: ConceptListResult) -> list[str]:
    """Bad rows keep the whole list out: each one, then what to do."""
    if not result.errors:
        return []
    rows = len({p.row for p in result.errors})
    return [*map(str, result.errors),
            f"{rows} bad row(s); nothing loaded (fix them, or load the rest with --skip-bad-rows)"]
