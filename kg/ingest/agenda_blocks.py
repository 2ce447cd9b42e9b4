"""The common intermediate structure of an agenda: a flat list of blocks.

Both readers (Markdown and Word) turn a document into the same blocks, so that
one builder makes the RDF and the two formats give the same graph.  A block is
what a person sees as one unit on the page: a heading, a paragraph, a list
item, a table-of-contents line, a footnote or a table row (its cells kept
apart).  Inline markup is already gone
from ``text``; what it carried that matters (links, footnote markers, whether
the whole block is bold) is kept beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "para", "bullet", "number", "toc", "footnote", "row"]


class AgendaError(ValueError):
    """The file is not an agenda kg can read; the message says what was missing (not which file)."""


@dataclass
class Block:
    """One unit of the document, in reading order."""

    kind: BlockKind
    text: str
    #: Where the block starts: a line (Markdown) or a paragraph number (Word), 1-based.
    line: int
    #: Heading level as written (levels are unreliable in real agendas; the builder reads the text).
    level: int = 0
    #: The number of a numbered list item or a table-of-contents line, or a footnote's label.
    label: str = ""
    #: Page number of a table-of-contents line.
    page: int | None = None
    #: The whole text is bold (Word authors often use a bold line instead of a heading style).
    strong: bool = False
    #: The whole text is italic.
    emphasis: bool = False
    #: Targets of the links in the text (their link texts stay in ``text``).
    links: list[str] = field(default_factory=list)
    #: Labels of footnote references in the text (the markers themselves are removed).
    notes: list[str] = field(default_factory=list)
    #: A table row's cells, in order (``text`` joins them with " | ").
    cells: list[str] = field(default_factory=list)


@dataclass
class Document:
    """A read document: its blocks and what a block's ``line`` counts (for messages)."""

    blocks: list[Block]
    unit: Literal["line", "paragraph"] = "line"
    #: Text in the page header (Word), which may be the only place that names the meeting's date.
    margins: list[str] = field(default_factory=list)


_INVISIBLE = {0x00AD: None, 0x200B: None, 0x200C: None, 0x200D: None, 0xFEFF: None}
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_TOC = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(.*?)(?:\s*[.…]{2,}\s*|\s+)(\d+)$")


def tidy(text: str) -> str:
    """Runs of spaces collapsed and each line trimmed: what a reader sees, independent of the format.

    Non-breaking and thin spaces count as spaces (Word and LibreOffice put them in "kl. 10" and
    "lokale 2"); soft hyphens and zero-width characters are dropped."""
    text = text.translate(_INVISIBLE)
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line)


def toc_entry(text: str) -> tuple[str, str, int] | None:
    """``(number, title, page)`` of a table-of-contents line ("2.3.<tab>Dialog …..<tab>5"), else None."""
    flat = _SPACES.sub(" ", text.replace("\t", " ")).strip()
    match = _TOC.match(flat)
    if not match:
        return None
    title = match.group(2).rstrip(". ").strip()
    return match.group(1), title, int(match.group(3))
