"""Long texts as the reader should see them: paragraphs, lists and sub-headings, not one run of lines.

The agenda ingest writes a part's text as it was written, with its structure marked the way
plain text marks it: paragraphs apart by a blank line, ``- `` before a bullet, ``1. `` before a
numbered line, ``### `` before a sub-heading.  :func:`blocks` reads those marks back into blocks
a template lays out; everything else stays text (escaped by the template like any literal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NUMBERED = re.compile(r"^(\d+)[.)]\s+(.*)$", re.S)


@dataclass
class TextBlock:
    """A paragraph, a sub-heading, or a list (``items``; ``start`` is the first number of a numbered one)."""

    kind: str                                   # "para" | "heading" | "bullets" | "numbers"
    text: str = ""
    items: list[str] = field(default_factory=list)
    start: int = 1


def blocks(text: str) -> list[TextBlock]:
    """The blocks of a text, consecutive list lines gathered into one list."""
    out: list[TextBlock] = []
    for raw in re.split(r"\n\s*\n", text.strip()):
        para = raw.strip()
        if not para:
            continue
        if para.startswith("### "):
            out.append(TextBlock("heading", para[4:].strip()))
            continue
        lines = [line.strip() for line in para.split("\n") if line.strip()]
        if lines and all(line.startswith("- ") for line in lines):
            _extend(out, "bullets", [line[2:].strip() for line in lines])
            continue
        numbered = [_NUMBERED.match(line) for line in lines]
        if lines and all(numbered):
            first = int(numbered[0].group(1))  # type: ignore[union-attr]
            _extend(out, "numbers", [m.group(2).strip() for m in numbered if m], first)
            continue
        out.append(TextBlock("para", " ".join(lines)))
    return out


def _extend(out: list[TextBlock], kind: str, items: list[str], start: int = 1) -> None:
    """Add list items, continuing the list just before when it is of the same kind."""
    if out and out[-1].kind == kind and (kind == "bullets" or start == out[-1].start + len(out[-1].items)):
        out[-1].items.extend(items)
    else:
        out.append(TextBlock(kind, items=items, start=start))
