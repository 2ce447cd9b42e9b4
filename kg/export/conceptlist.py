"""Concept schemes from the store back to the begrebsliste layout (CSV or XLSX).

The secretariat edits concept lists in spreadsheets, so what kg publishes must
come back out in the same columns: ingest then export gives the same rows and
the same cells.  For that the output is canonical: every column of
:data:`kg.ingest.conceptlist.COLUMNS` in that order, rows in Danish
alphabetical order of the preferred term, the values of a multi-valued cell in
the same order joined by ``"; "``.  The optional columns (*Begrebs-id*, *Erstatter*) are
written only when they carry something: the Id column when a concept's IRI is not the one its
preferred term would give (after a rename kg recognised) or when asked for, so that re-ingesting
the export keeps every IRI.  Withdrawn concepts have left the list and are not exported.  The
scheme's own metadata goes to a sidecar beside the output so that re-ingesting the export rebuilds
the scheme too.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import IO, BinaryIO

from rdflib import Literal, URIRef

from kg.config import Settings
from kg.ingest.conceptlist import COLUMNS, SIDECAR_SUFFIX, danish_key
from kg.iri_syntax import is_web_iri
from kg.iris import Minter, slugify
from kg.queries import iri, render
from kg.store.base import Store

Row = dict[str, list[str]]

#: (property, language) of a literal → the column it goes to.
_LITERAL_COLUMN = {(str(c.prop), c.lang): c.key for c in COLUMNS if c.lang is not None}
#: property of an IRI value → the column it goes to.
_IRI_COLUMN = {str(c.prop): c.key for c in COLUMNS
               if c.kind in {"iris", "iri", "source", "broader", "replaces"}}
#: Columns holding other concepts, written as their Danish preferred terms.
_CONCEPT_COLUMNS = {"broader", "replaces"}


class ExportError(ValueError):
    """The scheme cannot be exported; the message says why."""


def scheme_iri(settings: Settings, scheme: str) -> str:
    """A scheme named by slug (``ladeinfrastruktur``) or by full IRI."""
    if is_web_iri(scheme):
        return scheme
    return Minter(settings.base_iri).scheme(scheme)


def known_schemes(store: Store) -> list[str]:
    """The IRIs of the concept schemes in the store."""
    return [str(r["scheme"]) for r in store.select(render("conceptlist/schemes"))]


def concept_rows(store: Store, scheme: str, ids: bool = False) -> list[Row]:
    """The scheme's current concepts as canonical rows (column key → values), in canonical order.

    ``ids``: fill the Id column for every concept even where each IRI follows from its term.
    """
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for binding in store.select(render("conceptlist/concepts", scheme=iri(scheme))):
        concept, prop, obj = str(binding["concept"]), str(binding["p"]), binding["o"]
        if isinstance(obj, Literal):
            key = _LITERAL_COLUMN.get((prop, obj.language))
            if key is None:
                continue  # a language the layout has no column for
            values[concept][key].add(str(obj))
        elif isinstance(obj, URIRef) and prop in _IRI_COLUMN:
            values[concept][_IRI_COLUMN[prop]].add(str(obj))
    labels = {str(b["concept"]): str(b["label"])
              for b in store.select(render("conceptlist/labels", scheme=iri(scheme)))}
    labels.update({c: sorted(v["pref_da"], key=danish_key)[0] for c, v in values.items() if v.get("pref_da")})
    needs_ids = ids or any(cells.get("id") or concept != _minted(scheme, cells)
                           for concept, cells in values.items())
    rows: list[Row] = []
    for concept, cells in values.items():
        if needs_ids and not cells.get("id"):
            cells["id"] = {concept.rsplit("/", 1)[-1]}
        row: Row = {}
        for column in COLUMNS:
            found = cells.get(column.key, set())
            if column.kind in _CONCEPT_COLUMNS:
                found = {labels.get(target, target) for target in found}
            row[column.key] = sorted(found, key=danish_key)
        rows.append(row)
    rows.sort(key=lambda r: danish_key("; ".join(r["pref_da"])))
    return rows


def _minted(scheme: str, cells: dict[str, set[str]]) -> str:
    """The IRI a concept's preferred Danish term gives (what ingest mints without an Id)."""
    terms = sorted(cells.get("pref_da", ()), key=danish_key)
    return f"{scheme}/{slugify(terms[0])}" if terms else ""


def columns(rows: list[Row]) -> list[str]:
    """The keys of the columns to write: every column, less the optional ones no row has a value for."""
    return [c.key for c in COLUMNS if not c.optional or any(r.get(c.key) for r in rows)]


def table(rows: list[Row]) -> list[list[str]]:
    """Header plus one list of cell texts per row, in the layout's column order."""
    keys = columns(rows)
    headers = {c.key: c.header for c in COLUMNS}
    return [[headers[k] for k in keys], *([("; ".join(r[k])) for k in keys] for r in rows)]


def write_csv(rows: list[Row], out: IO[str]) -> None:
    """UTF-8 CSV, comma-separated, ``\\n`` line ends, quoted only where needed."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(table(rows))


def write_xlsx(rows: list[Row], out: BinaryIO | Path) -> None:
    """One sheet, ``Begrebsliste``, every cell a text cell (so ``=…`` never becomes a formula)."""
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Begrebsliste"
    try:
        for r, cells in enumerate(table(rows), start=1):
            for c, text in enumerate(cells, start=1):
                cell = sheet.cell(row=r, column=c, value=text or None)
                if text:
                    cell.data_type = "s"
    except IllegalCharacterError as exc:
        raise ExportError(f"a cell holds a character XLSX cannot store: {exc}") from None
    sheet.freeze_panes = "A2"
    workbook.save(out)


def scheme_metadata(store: Store, settings: Settings, scheme: str) -> dict[str, object]:
    """The scheme's own metadata as the sidecar's ``[scheme]`` table."""
    base = settings.base
    meta: dict[str, object] = {}
    texts = {"http://www.w3.org/2004/02/skos/core#prefLabel": "title",
             "http://www.w3.org/2004/02/skos/core#definition": "definition",
             "http://www.w3.org/2004/02/skos/core#editorialNote": "editorial_note"}
    lists = {"http://data.europa.eu/m8g/hasLegalResource": "legal_source",
             "http://purl.org/dc/terms/source": "source", "http://purl.org/dc/terms/relation": "related"}
    for binding in store.select(render("conceptlist/scheme-metadata", scheme=iri(scheme))):
        prop, obj = str(binding["p"]), binding["o"]
        if prop in texts and isinstance(obj, Literal) and obj.language:
            meta.setdefault(texts[prop], {})[obj.language] = str(obj)  # type: ignore[index]
        elif prop in lists:
            value = str(obj)
            if prop.endswith("relation") and value.startswith(base):
                value = value[len(base):]
            meta.setdefault(lists[prop], []).append(value)  # type: ignore[attr-defined]
        elif prop.endswith("#status"):
            meta["status"] = str(obj)
        elif prop.endswith("#versionInfo"):
            meta["version"] = str(obj)
    for key in ("legal_source", "source", "related"):
        if key in meta:
            meta[key] = sorted(meta[key])  # type: ignore[call-overload]
    return meta


def sidecar_text(slug: str, meta: dict[str, object]) -> str:
    """The sidecar TOML for a scheme (strings written as JSON strings, which TOML accepts)."""
    lines = ["# The scheme's own metadata for the concept list beside this file (see docs/conceptlists.md).",
             "[scheme]", f"slug = {json.dumps(slug)}"]
    for key in ("title", "definition", "editorial_note"):
        for lang, text in sorted(meta.get(key, {}).items()):  # type: ignore[attr-defined]
            lines.append(f"{key}.{lang} = {json.dumps(text, ensure_ascii=False)}")
    for key in ("status", "version"):
        if key in meta:
            lines.append(f"{key} = {json.dumps(meta[key], ensure_ascii=False)}")
    for key in ("legal_source", "source", "related"):
        if key in meta:
            items = ", ".join(json.dumps(v, ensure_ascii=False) for v in meta[key])  # type: ignore[attr-defined]
            lines.append(f"{key} = [{items}]")
    return "\n".join(lines) + "\n"


def sidecar_for(output: Path) -> Path:
    """Where the sidecar of an exported list goes: ``x.csv`` → ``x.scheme.toml``."""
    return output.with_name(output.stem + SIDECAR_SUFFIX)


__all__ = [
    "ExportError", "concept_rows", "known_schemes", "scheme_iri", "scheme_metadata",
    "sidecar_for", "sidecar_text", "table", "write_csv", "write_xlsx",
]
