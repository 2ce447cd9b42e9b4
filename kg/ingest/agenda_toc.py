"""A table of contents typed by hand: numbered lines that the document repeats as its headings.

Word's own table of contents has its own paragraph styles, and converters write it with tab
leaders and page numbers, so the readers mark it already.  A secretary who types the contents
list by hand writes the same numbered, often bold, lines as the headings below ("1. Siden
sidst", "1.1 Status på …", with or without dot leaders and page numbers, or as a numbered list).
Read as headings they would open every item twice.  So a run of at least two consecutive
numbered lines is a table of contents when *every* one of them comes back later in the document
as a numbered heading with the same number and the same title (compared without case,
punctuation, dot leaders and page numbers); the run becomes table-of-contents blocks, which the
parser checks against the headings like any other.
"""

from __future__ import annotations

import re

from kg.ingest.agenda_blocks import Block

_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})?)\.?\s+(\S.*?)(?:\s*[.…]{3,}\s*(\d+))?$")


def _entry(block: Block) -> tuple[str, str, int | None] | None:
    """(number, title, page) of a block that looks like a numbered heading, else None."""
    if block.kind == "number" and block.label.isdigit():
        return block.label, block.text.strip(), None
    if block.kind not in {"heading", "para"} or "\n" in block.text or len(block.text) > 160:
        return None
    if block.kind == "para" and not block.strong:
        return None
    match = _NUMBERED.match(block.text.strip())
    if match is None:
        return None
    page = match.group(3)
    return match.group(1), match.group(2).strip(" .…"), int(page) if page else None


def _same(a: str, b: str) -> bool:
    plain_a = " ".join(re.findall(r"\w+", a.casefold()))
    plain_b = " ".join(re.findall(r"\w+", b.casefold()))
    return bool(plain_a) and (plain_a == plain_b or plain_b.startswith(plain_a)
                              or plain_a.startswith(plain_b))


def mark_manual_toc(blocks: list[Block]) -> list[Block]:
    """The blocks, with hand-typed tables of contents turned into ``toc`` blocks (see module doc).

    A run of numbered lines may run straight on into the first real headings ("3. Eventuelt" of
    the contents, then "1. Siden sidst" of the agenda), so the contents are the longest start of
    the run whose every line comes back later."""
    entries = [_entry(b) for b in blocks]
    out = list(blocks)
    i = 0
    while i < len(blocks):
        if entries[i] is None:
            i += 1
            continue
        j = i
        while j < len(blocks) and entries[j] is not None:
            j += 1
        k = i
        while k < j and _repeated(entries[k], entries, blocks, k + 1):  # type: ignore[arg-type]
            k += 1
        if k - i >= 2:
            for n in range(i, k):
                number, title, page = entries[n]  # type: ignore[misc]
                out[n] = Block("toc", title, blocks[n].line, label=number, page=page)
            i = k
        else:
            i = j
    return out


def _repeated(entry: tuple[str, str, int | None], entries: list[tuple[str, str, int | None] | None],
              blocks: list[Block], after: int) -> bool:
    number, title, _ = entry
    for k in range(after, len(blocks)):
        other = entries[k]
        if other is not None and other[0].rstrip(".") == number.rstrip(".") and blocks[k].kind != "number" \
                and _same(title, other[1]):
            return True
    return False
