"""One agenda or minutes file read into its graph and the report a reviewer needs.

``read_agenda`` is pure: a file in, a graph and a report out, nothing read from the store and
nothing written.  The pipeline is reader (:mod:`agenda_markdown` / :mod:`agenda_docx`) → blocks
(:mod:`agenda_blocks`) → structure (:mod:`agenda_parse`, with the front page, item headers,
recommendations, board reports and minutes' decisions in their own modules) → RDF
(:mod:`agenda_rdf`), so the two formats share everything after the reader.  The graph holds only
what the document says; links to the catalogue and the organisations are derived from it by
:func:`kg.ingest.links.link_agendas`.

The reader is tolerant: a document with a recognisable meeting (a date) and numbered items is
read, whatever else is wrong with it; what it could not place is a warning with its line, and
the caller decides (``--strict``) whether warnings are fatal.  A file with no meeting date or no
items raises :class:`AgendaError` (a ``ValueError``) with one line saying what was missing.

The write path's faces of agendas (:mod:`kg.ingest.agenda`) and minutes (:mod:`kg.ingest.minutes`)
both start from what this module reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from kg.config import Settings
from kg.ingest.agenda_blocks import AgendaError, Document
from kg.ingest.agenda_parse import parse_agenda
from kg.ingest.agenda_rdf import build_graph
from kg.iris import Minter

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
DOCX_SUFFIXES = frozenset({".docx"})

__all__ = ["DOCX_SUFFIXES", "MARKDOWN_SUFFIXES", "AgendaResult", "read_agenda", "read_document"]


@dataclass
class AgendaResult:
    """One agenda or minutes read: its graph and the report a reviewer needs."""

    graph: Graph
    #: IRI of the meeting the document is for.
    meeting: str
    #: "line 27: …" (Markdown) or "paragraph 27: …" (Word): what could not be placed or disagrees.
    warnings: list[str] = field(default_factory=list)
    #: "1.1 baggrund", "2.3 sagsfremstilling", "1.1 ansvarlig": parts left empty or as placeholders.
    missing: list[str] = field(default_factory=list)
    #: "agenda" or "minutes".
    kind: str = "agenda"
    #: How many decisions of the body's own the minutes record.
    decisions: int = 0

    @property
    def meeting_key(self) -> str:
        """``{body}/{yyyy-mm-dd}``, the meeting's natural key."""
        return self.meeting.split("/id/meeting/", 1)[1]


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


def read_agenda(path: Path, settings: Settings, known: Graph | None = None, body: str = "it-arkitekturraadet",
                kind: str | None = None) -> AgendaResult:
    """Read one agenda or minutes into its graph; raises :class:`AgendaError` for a file that is neither.

    ``kind`` ("agenda" / "minutes") overrides what the document's own words say it is.  ``known``
    is accepted from callers of the earlier interface and not used: the graph holds what the
    document says, and its links to what the store knows are derived by
    :func:`kg.ingest.links.link_agendas`."""
    del known
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", body):
        raise AgendaError(f"body key '{body}' is not a slug like 'it-arkitekturraadet'")
    document = read_document(path)
    agenda = parse_agenda(document)
    if kind is not None:
        agenda.kind = kind
    built = build_graph(agenda, Minter(settings.base_iri), body)
    ordered = sorted(agenda.warnings, key=lambda w: w.line)
    warnings = [f"{document.unit} {w.line}: {w.message}" for w in ordered]
    return AgendaResult(built.graph, built.meeting, warnings, built.missing, agenda.kind, built.decisions)
