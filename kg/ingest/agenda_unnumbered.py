"""Headings whose numbers were lost: a Word agenda converted to Markdown, or typed without numbers.

Word prints an item's "2.3." from its multilevel list, so a converter that reads only the text
(pandoc from .docx, copy and paste) gives "## Dialog med KL's direktion" with no number at all.
The structure is still plain to a reader, and this module reads it when no numbered item heading
was found:

* an **item** heading is a heading (or a wholly bold line) followed directly by the item's header
  line (case number, officer) or by one of its parts ("Baggrund", "Indstilling", …);
* a **section** heading is one that names an item type ("Drøftelsessager", "Eventuelt") and is not
  an item;
* their numbers come from the table of contents when it lists the same title with a number (a
  Word table of contents keeps the numbers as text), else from their order: sections 1, 2, …,
  items 1.1, 1.2, … within them (1, 2, … without sections), which is how Word numbers them.

The numbers are put in front of the heading texts and the document is parsed again; the caller
warns that they were not in the text.
"""

from __future__ import annotations

import re

from kg.ingest.agenda_blocks import Block
from kg.ingest.agenda_header import is_header
from kg.ingest.agenda_words import item_type_of, part_of

_NUMBERED = re.compile(r"^\d+(?:\.\d+)*\.?\s")
_INLINE_PART = re.compile(r"^(?P<label>[^\W\d][\w' ]{2,28}?)\s*:\s*\S")


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _headingish(block: Block) -> bool:
    return block.kind == "heading" or (block.kind == "para" and block.strong)


def _opens_an_item(block: Block) -> bool:
    """The block right under an item's heading: its header line or one of its parts."""
    if is_header(block):
        return True
    if block.kind in {"heading", "para"} and part_of(block.text) is not None:
        return True
    inline = _INLINE_PART.match(block.text) if block.kind == "para" else None
    return inline is not None and part_of(inline.group("label")) is not None


def number_by_order(blocks: list[Block]) -> tuple[list[Block], list[str]] | None:
    """The blocks with numbers put in front of unnumbered section and item headings, and the numbers
    given; None when no heading looks like an item's."""
    toc = {_plain(b.text): b.label.rstrip(".") for b in blocks if b.kind == "toc" and b.label}
    roles: dict[int, str] = {}
    for i, block in enumerate(blocks):
        if not _headingish(block) or _NUMBERED.match(block.text) or part_of(block.text) is not None:
            continue
        following = next((b for b in blocks[i + 1:] if b.kind != "toc" and b.text.strip()), None)
        if following is not None and _opens_an_item(following):
            roles[i] = "item"
        elif item_type_of(block.text) is not None:
            roles[i] = "section"
    if "item" not in roles.values():
        return None
    out = list(blocks)
    given: list[str] = []
    section, item = 0, 0
    has_sections = "section" in roles.values()
    for i, role in sorted(roles.items()):
        listed = toc.get(_plain(blocks[i].text))
        if role == "section":
            section, item = (int(listed) if listed and listed.isdigit() else section + 1), 0
            number = str(section)
        else:
            if listed and re.fullmatch(r"\d+(?:\.\d+)?", listed):
                number = listed
                parts = [int(x) for x in listed.split(".")]
                section, item = (parts[0], parts[1]) if len(parts) == 2 else (section, parts[0])
            else:
                item += 1
                number = f"{max(section, 1)}.{item}" if has_sections else str(item)
            given.append(number)
        out[i] = Block(**{**blocks[i].__dict__, "text": f"{number}. {blocks[i].text}"})
    return out, given
