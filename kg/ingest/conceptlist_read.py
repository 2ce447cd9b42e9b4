"""Concept lists (begrebslister) read from a spreadsheet into SKOS.

A begrebsliste is the table the Danish modelling rules describe: one row per
concept, with preferred, accepted and deprecated terms, a definition, examples,
comments, legal source and source.  kg reads it in that column layout (Danish
headers, variants accepted case-insensitively) from whatever Excel or LibreOffice
saved (:mod:`kg.ingest.spreadsheet`) and writes SKOS as the rules map it, so that
a list the secretariat keeps in a spreadsheet becomes linked data whose IRIs stay
the same from one ingest to the next.

A concept's IRI is minted from its Id (column *Begrebs-id*) where the list gives
one, else from its preferred Danish term; :mod:`kg.ingest.conceptlist_versions`
then keeps the IRI of a concept it recognises as renamed, retires concepts that
left the list and records the version.

The checks are strict because a list is published as it is loaded: a row with
an error keeps the whole file out of the store unless the caller asks to skip
bad rows.  ``docs/conceptlists.md`` documents the layout and the sidecar file.
Reading is pure (no store); :mod:`kg.ingest.conceptlist` is the write path's face.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral

from kg.config import Settings
from kg.ingest.conceptlist_sidecar import (
    SidecarError,
    read_replacements,
    read_sidecar,
    scheme_triples,
)
from kg.ingest.spreadsheet import SpreadsheetError, Table
from kg.ingest.spreadsheet import read_table as read_spreadsheet
from kg.iri_syntax import is_reference_iri
from kg.iris import Minter, slugify
from kg.namespaces import ADMS, CV, DCTERMS, MDL, RDF, RDFS, SKOS, bind_all

Kind = Literal["id", "label", "labels", "text", "iris", "iri", "source", "broader", "replaces"]


@dataclass(frozen=True)
class Column:
    """One column of the layout: its canonical header, its SKOS property and how cells are read."""

    key: str
    header: str
    prop: URIRef
    lang: str | None
    kind: Kind
    aliases: tuple[str, ...] = ()
    #: Export writes an optional column only when some concept has a value for it.
    optional: bool = False

    def names(self) -> set[str]:
        """Every header spelling that means this column, compared as slugs."""
        return {slugify(self.header), *(slugify(a) for a in self.aliases)}


#: The layout, in the order export writes it.  ``label``/``text``/``id`` cells hold one value,
#: ``labels``, ``iris``, ``broader`` and ``replaces`` cells hold several separated by ``;``.
COLUMNS: tuple[Column, ...] = (
    Column("id", "Begrebs-id", DCTERMS.identifier, None, "id",
           ("id", "begrebsid", "begrebs id", "identifikator", "identifier", "concept id"), optional=True),
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
    Column("replaces", "Erstatter", DCTERMS.replaces, None, "replaces",
           ("erstatter begreb", "erstatter begreberne", "replaces"), optional=True),
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
    #: How the file was read ("read as Windows-1252 (detected), ';'-separated, CRLF line ends").
    described: str = ""
    #: Concept IRIs fixed by the list's Id column (never taken for a rename of another concept).
    fixed: set[str] = field(default_factory=set)
    #: IRIs of the concepts of rows left out with ``skip_bad_rows`` (their stored version is kept).
    skipped_iris: set[str] = field(default_factory=set)
    #: The sidecar's replacements: withdrawn concept (term or IRI) → replacing concept (term or IRI).
    replacements: dict[str, str] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        return [*self.errors, *self.warnings]


def danish_key(text: str) -> tuple[str, str]:
    """Sort key in Danish alphabetical order (… x y z æ ø å), case and accents ignored first."""
    folded = unicodedata.normalize("NFC", text).casefold()
    folded = folded.translate(str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}"}))
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return folded, text


def split_cell(text: str) -> list[str]:
    """The values of a multi-valued cell: split on ``;``, trimmed, empties dropped."""
    return [part.strip() for part in text.split(SEPARATOR) if part.strip()]


def recognised_header(cell: str) -> str | None:
    """The column a header cell means, if any (how the reader finds the header row and the sheet)."""
    column = _BY_NAME.get(slugify(cell))
    return column.key if column is not None else None


def read_table(path: Path, encoding: str | None = None, sheet: str | None = None) -> Table:
    """The header and rows of a concept list's file; raises :class:`ConceptListError` for other files."""
    try:
        return read_spreadsheet(path, recognised_header, set(REQUIRED), encoding=encoding, sheet=sheet)
    except SpreadsheetError as exc:
        raise ConceptListError(exc.path, exc.reason) from None


# -- rows to concepts -------------------------------------------------------------------------

@dataclass
class _Row:
    number: int
    values: dict[str, list[str]]  # column key -> values
    headers: dict[str, str]  # column key -> the header as written in the file
    problems: list[Problem] = field(default_factory=list)
    iri: str = ""

    @property
    def pref(self) -> str:
        return (self.values.get("pref_da") or [""])[0]

    @property
    def ident(self) -> str:
        return (self.values.get("id") or [""])[0]

    def fail(self, key: str | None, message: str) -> None:
        column = self.headers.get(key, BY_KEY[key].header) if key else None
        self.problems.append(Problem(self.number, column, message))


def _map_header(path: Path, header: list[str], header_row: int) -> tuple[dict[int, Column], list[Problem]]:
    mapping: dict[int, Column] = {}
    warnings: list[Problem] = []
    seen: dict[str, str] = {}
    for index, name in enumerate(header):
        if not name.strip():
            continue
        column = _BY_NAME.get(slugify(name))
        if column is None:
            warnings.append(Problem(header_row, name.strip(), "unknown column, ignored"))
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


def _parse_row(number: int, cells: list[str], table: Table, mapping: dict[int, Column]) -> _Row | None:
    """One data row's values, with the problems a row has on its own; None for a blank row."""
    header, width = table.header, len(table.header)
    if not any(c.strip() for c in cells):
        return None
    headers = {c.key: header[i].strip() for i, c in mapping.items()}
    row = _Row(number, {}, headers)
    if len(cells) > width or (table.strict_width and len(cells) < width):
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
            row.fail(column.key, "undecodable text: the file is UTF-8 except here (retype the cell, or "
                                 "give --encoding)")
            row.values[column.key] = [text]  # present, though unreadable: not also "missing"
            continue
        text = text.strip()
        if not text:
            continue
        several = column.kind in {"labels", "iris", "broader", "replaces"}
        values = split_cell(text) if several else [text]
        if column.kind == "label" and SEPARATOR in text:
            row.fail(column.key, f"one preferred term per language; put the others in "
                                 f"'{BY_KEY['alt_da'].header}'")
        if column.kind == "id" and (SEPARATOR in text or (slugify(text) == "x" and text.lower() != "x")):
            row.fail(column.key, f"not an Id: {text!r} (one Id per concept, with letters or digits)")
        if column.kind in {"iris", "iri"}:
            for value in values:
                if not is_reference_iri(value):
                    row.fail(column.key, f"not an IRI: {value!r} (write the legal source as a link, "
                                         f"e.g. http://data.europa.eu/eli/reg/2023/1804/oj)"
                             if column.key == "legal" else f"not an IRI: {value!r}")
        row.values[column.key] = values
    for (r, index), doubt in table.cell_problems.items():
        column = mapping.get(index)
        if r == number and column is not None:
            row.fail(column.key, doubt)
            row.values.setdefault(column.key, ["?"])  # present, though unread: not also "missing"
    if not row.pref:
        row.fail("pref_da", "missing preferred term")
    if not row.values.get("def_da"):
        row.fail("def_da", "missing definition")
    pref = row.pref.casefold()
    if pref and any(d.casefold() == pref for d in row.values.get("dep_da", [])):
        row.fail("dep_da", f"term {row.pref!r} is both preferred and deprecated")
    return row


def _assign_iris(rows: list[_Row], minter: Minter, slug: str) -> None:
    """Each row's concept IRI: from its Id where it has one, else from its preferred Danish term."""
    for row in rows:
        if row.ident:
            row.iri = minter.concept(slug, slugify(row.ident))
        elif row.pref:
            row.iri = minter.concept(slug, slugify(row.pref))


def _cross_checks(rows: list[_Row]) -> None:
    """Checks across rows: duplicate terms and IRIs, terms preferred here and deprecated there."""
    first: dict[str, _Row] = {}
    for row in rows:
        if not row.pref:
            continue
        slug = slugify(row.pref)
        if slug in first:
            other = first[slug]
            row.fail("pref_da", f"duplicate preferred term {row.pref!r} (same concept IRI as row "
                                f"{other.number}, {other.pref!r})" if not (row.ident or other.ident) else
                     f"duplicate preferred term {row.pref!r} (also row {other.number}, {other.pref!r})")
        else:
            first[slug] = row
    by_iri: dict[str, _Row] = {}
    for row in rows:
        if not row.iri:
            continue
        other = by_iri.setdefault(row.iri, row)
        if other is not row and (row.ident or other.ident):
            row.fail("id" if row.ident else "pref_da",
                     f"gives the same concept IRI as row {other.number} ({other.ident or other.pref!r}): "
                     f"{row.iri.rsplit('/', 1)[-1]}")
    preferred = {r.pref.casefold(): r for r in rows if r.pref}
    for row in rows:
        for term in row.values.get("dep_da", []):
            other = preferred.get(term.casefold())
            if other is not None and other is not row:
                row.fail("dep_da", f"term {term!r} is deprecated here but preferred in row {other.number}")


Target = int | str  # a row number, or an absolute IRI


def _resolve_broader(rows: list[_Row], usable: set[int], targets: set[int]) -> dict[int, list[Target]]:
    """Broader references of the usable rows as target row numbers or IRIs, pointing at target rows only.

    A reference is another row's preferred term, else its Id, else an absolute IRI.  Unknown
    references become problems of the referring row.
    """
    by_term = {slugify(r.pref): r for r in rows if r.number in targets}
    by_id = {slugify(r.ident): r for r in rows if r.number in targets and r.ident}
    all_terms = {slugify(r.pref): r for r in rows if r.pref}
    all_ids = {slugify(r.ident): r for r in rows if r.ident}
    resolved: dict[int, list[Target]] = {}
    for row in rows:
        if row.number not in usable:
            continue
        found: list[Target] = []
        for ref in row.values.get("broader", []):
            if is_reference_iri(ref):
                found.append(ref)
                continue
            slug = slugify(ref)
            target = by_term.get(slug) or by_id.get(slug)
            known = all_terms.get(slug) or all_ids.get(slug)
            if known is row:
                row.fail("broader", f"{ref!r} is the concept itself")
            elif target is not None:
                found.append(target.number)
            elif known is not None:
                row.fail("broader", f"{ref!r} refers to row {known.number}, which is left out")
            else:
                row.fail("broader", f"unknown broader concept {ref!r}: no row has it as preferred term")
        resolved[row.number] = found
    # A cycle in skos:broader makes every concept on it its own ancestor.
    parents = {n: [t for t in found if isinstance(t, int)] for n, found in resolved.items()}
    for row in rows:
        if row.number not in usable:
            continue
        stack, seen = list(parents.get(row.number, [])), set()
        while stack:
            node = stack.pop()
            if node == row.number:
                row.fail("broader", "the broader concepts form a cycle back to this concept")
                break
            if node not in seen:
                seen.add(node)
                stack.extend(parents.get(node, []))
    return resolved


def scheme_slug(path: Path, scheme: str | None = None) -> str:
    """The scheme a list describes: ``scheme``, else the sidecar's ``slug``, else the file name."""
    try:
        meta = read_sidecar(Path(path))
    except SidecarError as exc:
        raise ConceptListError(exc.path, exc.reason) from None
    return slugify(scheme or str(meta.get("slug") or Path(path).stem))


def read_conceptlist(path: Path, settings: Settings, scheme: str | None = None,
                     skip_bad_rows: bool = False, encoding: str | None = None, sheet: str | None = None,
                     known_terms: Mapping[str, str] | None = None) -> ConceptListResult:
    """Read a begrebsliste (spreadsheet, optional ``.scheme.toml`` sidecar) into SKOS.

    The scheme slug is ``scheme``, else the sidecar's ``slug``, else the file name.  ``known_terms``
    maps the casefolded preferred terms of the concepts the store already holds (withdrawn ones
    too) to their IRIs, so that the *Erstatter* column can name a concept that has left the list.
    Raises :class:`ConceptListError` for a file that is not a concept list at all.
    """
    path = Path(path)
    table = read_table(path, encoding=encoding, sheet=sheet)
    try:
        meta = read_sidecar(path)
        replacements = read_replacements(path)
    except SidecarError as exc:
        raise ConceptListError(exc.path, exc.reason) from None
    slug = slugify(scheme or str(meta.get("slug") or path.stem))
    mapping, warnings = _map_header(path, table.header, table.header_row)
    rows = [r for n, cells in table.rows if (r := _parse_row(n, cells, table, mapping)) is not None]
    minter = Minter(settings.base_iri)
    _assign_iris(rows, minter, slug)
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
    scheme_iri = URIRef(minter.scheme(slug))
    graph = bind_all(Graph())
    scheme_triples(graph, scheme_iri, slug, meta, settings.base)
    good = [r for r in rows if r.number in usable]
    iris = {r.number: r.iri for r in rows}
    terms = {k.casefold(): v for k, v in (known_terms or {}).items()}
    for row in good:
        broader = [str(t) if isinstance(t, str) else iris[t] for t in resolved[row.number]]
        replaced = [_replaced_iri(ref, terms, minter, slug) for ref in row.values.get("replaces", [])]
        _concept_triples(graph, scheme_iri, row, broader, replaced)
    result = ConceptListResult(graph, slug, str(scheme_iri), len(good), warnings=warnings,
                               described=table.described, replacements=replacements,
                               fixed={r.iri for r in good if r.ident})
    if skip_bad_rows:
        result.skipped_rows = sorted({p.row for p in problems if p.row is not None})
        result.skipped_iris = {r.iri for r in rows if r.number not in usable and r.iri}
        result.warnings.extend(Problem(p.row, p.column, p.message + " (row skipped)") for p in problems)
    else:
        result.errors = problems
    if not rows:
        result.warnings.append(Problem(None, None, "the list has a header but no concepts"))
    return result


def _replaced_iri(ref: str, terms: Mapping[str, str], minter: Minter, slug: str) -> str:
    """The concept an *Erstatter* cell names: an IRI, a stored concept's term, else the term's IRI."""
    if is_reference_iri(ref):
        return ref
    return terms.get(ref.casefold()) or minter.concept(slug, slugify(ref))


def _concept_triples(graph: Graph, scheme_iri: URIRef, row: _Row, broader: list[str],
                     replaced: list[str]) -> None:
    concept = URIRef(row.iri)
    graph.add((concept, RDF.type, SKOS.Concept))
    graph.add((concept, SKOS.inScheme, scheme_iri))
    for key, values in row.values.items():
        column = BY_KEY[key]
        if column.kind in {"broader", "replaces"}:
            continue
        if column.kind == "id" and slugify(values[0]) == values[0]:
            continue  # the IRI says it already; an Id in another spelling is kept as dct:identifier
        for value in values:
            if column.kind in {"iris", "iri"} or (column.kind == "source" and is_reference_iri(value)):
                graph.add((concept, column.prop, URIRef(value)))
            else:
                graph.add((concept, column.prop, RdfLiteral(value, lang=column.lang)))
    for target in broader:
        graph.add((concept, SKOS.broader, URIRef(target)))
    for target in replaced:
        graph.add((concept, DCTERMS.replaces, URIRef(target)))
    if not broader:
        graph.add((concept, SKOS.topConceptOf, scheme_iri))
        graph.add((scheme_iri, SKOS.hasTopConcept, concept))


def load_errors(result: ConceptListResult) -> list[str]:
    """Bad rows keep the whole list out: each one, then what to do."""
    if not result.errors:
        return []
    rows = len({p.row for p in result.errors})
    return [*map(str, result.errors),
            f"{rows} bad row(s); nothing loaded (fix them, or load the rest with --skip-bad-rows)"]


__all__ = [
    "BY_KEY", "COLUMNS", "Column", "ConceptListError", "ConceptListResult", "Problem", "danish_key",
    "load_errors", "read_conceptlist", "read_table", "recognised_header", "scheme_slug", "split_cell",
]
