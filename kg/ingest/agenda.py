"""Council agendas (Markdown or Word) into linked decisions: the agenda ingest's public face.

``read_agenda`` is pure: a file in, a graph and a report out, nothing written.
The pipeline is reader (:mod:`agenda_markdown` / :mod:`agenda_docx`) → blocks
(:mod:`agenda_blocks`) → structure (:mod:`agenda_parse`, board reports in
:mod:`agenda_board`) → RDF (:mod:`agenda_rdf`), so the two formats share
everything after the reader.  ``known`` (from :func:`known_labels`) is what the
store already holds, used to link products and mentions; without it the graph
has no such links and nothing is reported unmatched.

A file that is not an agenda raises :class:`AgendaError` (a ``ValueError``)
with one line saying what was missing; everything the parser could read but
not place is a warning with its line, and the caller decides (``--strict``)
whether warnings are fatal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph

from kg.config import Settings
from kg.ingest import Prepared
from kg.ingest.agenda_blocks import AgendaError, Document
from kg.ingest.agenda_known import KnownIndex
from kg.ingest.agenda_parse import parse_agenda
from kg.ingest.agenda_rdf import build_graph
from kg.iris import Minter
from kg.namespaces import BESLUIT
from kg.queries import get_query

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
DOCX_SUFFIXES = frozenset({".docx"})

__all__ = ["AgendaError", "AgendaResult", "known_labels", "prepare", "read_agenda", "read_document"]


@dataclass
class AgendaResult:
    """One agenda read: its graph and the report a reviewer needs."""

    graph: Graph
    #: IRI of the meeting the agenda is for.
    meeting: str
    #: "line 27: …" (Markdown) or "paragraph 27: …" (Word): what could not be placed or disagrees.
    warnings: list[str] = field(default_factory=list)
    #: "1.1 baggrund", "2.3 sagsfremstilling", "1.1 ansvarlig": parts left empty or as placeholders.
    missing: list[str] = field(default_factory=list)
    #: Board list titles no catalogue product has (only when ``known`` was given).
    unmatched_products: list[str] = field(default_factory=list)
    #: Abbreviations in item texts that no known label covers (only when ``known`` was given).
    unmatched_mentions: list[str] = field(default_factory=list)


def known_labels(store: object) -> Graph:
    """The labels of organisations, systems, standards, datasets and products in the store."""
    return store.construct(get_query("agenda/known-labels"))  # type: ignore[attr-defined, no-any-return]


def read_document(path: Path) -> Document:
    """The file's blocks, by its suffix; an unreadable, empty or binary file raises AgendaError."""
    suffix = path.suffix.lower()
    if suffix not in MARKDOWN_SUFFIXES | DOCX_SUFFIXES:
        raise AgendaError(f"not an agenda file: expected .md or .docx, got '{suffix or 'no suffix'}'")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AgendaError("no such file") from None
    except IsADirectoryError:
        raise AgendaError("is a folder, not a file") from None
    if not data.strip():
        raise AgendaError("empty file")
    if suffix in DOCX_SUFFIXES:
        from kg.ingest.agenda_docx import read_docx

        return read_docx(path)
    if data.startswith(b"PK\x03\x04"):
        raise AgendaError("binary file (a zip/Word package), not Markdown text")
    if b"\x00" in data:
        raise AgendaError("binary file, not Markdown text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AgendaError(f"not UTF-8 text (byte {exc.start}): binary or another encoding") from None
    from kg.ingest.agenda_markdown import read_markdown

    return read_markdown(text.replace("\r\n", "\n").replace("\r", "\n"))


def read_agenda(path: Path, settings: Settings, known: Graph | None = None,
                body: str = "it-arkitekturraadet") -> AgendaResult:
    """Read one agenda into its graph; raises :class:`AgendaError` for a file that is not an agenda."""
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", body):
        raise AgendaError(f"body key '{body}' is not a slug like 'it-arkitekturraadet'")
    document = read_document(path)
    agenda = parse_agenda(document)
    built = build_graph(agenda, Minter(settings.base_iri), body, KnownIndex.from_graph(known))
    ordered = sorted(agenda.warnings, key=lambda w: w.line)
    warnings = [f"{document.unit} {w.line}: {w.message}" for w in ordered]
    return AgendaResult(built.graph, built.meeting, warnings, built.missing, built.unmatched_products,
                        built.unmatched_mentions)


def prepare(path: Path, settings: Settings, store: object, body: str = "it-arkitekturraadet") -> Prepared:
    """The write path's face of the agenda ingest: the agenda's graph, named by its meeting.

    A meeting is its body and date, so a corrected agenda saved under another name, or the same
    file read from another folder, replaces the same graph.
    """
    result = read_agenda(path, settings, known=known_labels(store), body=body)
    meeting_path = result.meeting.split("/id/meeting/", 1)[1]
    notes = []
    if result.missing:
        notes.append(f"missing content: {', '.join(result.missing)}")
    if result.unmatched_products:
        notes.append(f"products not in the catalogue: {'; '.join(result.unmatched_products)}")
    if result.unmatched_mentions:
        notes.append(f"abbreviations no known resource has: {', '.join(result.unmatched_mentions)}")
    items = len(set(result.graph.subjects(RDF.type, BESLUIT.Agendapunt)))
    warnings = [f"{path}: {w}" for w in result.warnings]
    return Prepared(result.graph, f"agendas/{meeting_path}", warnings=warnings, notes=notes,
                    summary=f"meeting {result.meeting}, {items} items")
