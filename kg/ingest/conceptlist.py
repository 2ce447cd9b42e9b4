"""Concept lists (begrebslister) into the store: the concept-list ingest's public face.

A list is read into SKOS by :mod:`kg.ingest.conceptlist_read` (the column layout, the checks, the
IRIs) and made the next version of its scheme by :mod:`kg.ingest.conceptlist_versions` (renames
kept, concepts that left the list retired, the change report); :func:`prepare` joins the two for
the write path.  The names other code uses of both are importable from here.
"""

from __future__ import annotations

from pathlib import Path

from kg.config import Settings
from kg.ingest import Prepared
from kg.ingest.conceptlist_read import (
    BY_KEY,
    COLUMNS,
    Column,
    ConceptListError,
    ConceptListResult,
    Problem,
    danish_key,
    load_errors,
    read_conceptlist,
    read_table,
    recognised_header,
    scheme_slug,
    split_cell,
)
from kg.ingest.conceptlist_sidecar import SIDECAR_SUFFIX, read_sidecar, sidecar_path
from kg.ingest.conceptlist_versions import prepare_version

__all__ = [
    "BY_KEY", "COLUMNS", "SIDECAR_SUFFIX", "Column", "ConceptListError", "ConceptListResult", "Problem",
    "danish_key", "load_errors", "prepare", "read_conceptlist", "read_sidecar", "read_table",
    "recognised_header", "scheme_slug", "sidecar_path", "split_cell",
]


def prepare(path: Path, settings: Settings, store: object, scheme: str | None = None,
            skip_bad_rows: bool = False, encoding: str | None = None, sheet: str | None = None) -> Prepared:
    """The write path's face of the concept-list ingest: the list's SKOS and its history, named by its scheme.

    A concept list is its scheme, so an edited list read from any folder replaces the same graph;
    the version in the store (``store``) is read to keep IRIs across renames, retire the concepts
    that left the list, and record the new version with its change report.
    """
    return prepare_version(Path(path), settings, store, scheme=scheme, skip_bad_rows=skip_bad_rows,
                           encoding=encoding, sheet=sheet)
