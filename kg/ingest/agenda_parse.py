"""Blocks into the structure of an agenda or minutes: front page, sections, items and their parts.

Heading levels in real documents are uneven (``##``, ``###``, ``####``, bold lines and Word's own
heading styles all mean "heading"), so the structure is read from what a heading *says*:

* ``2.2. Title`` starts an item; ``2. Title`` a section (a heading without a number that names
  an item type, "Drøftelsessager", is the title of the section its next items' numbers give).
  A document with no sub-numbered item anywhere numbers its items at the top level ("# 1.
  Godkendelse af dagsorden"): then ``2. Title`` is an item that stands in no section.  Minutes
  may write "Ad 2.2" or "Punkt 2.2".
* ``Baggrund`` / ``Indstilling`` / ``Sagsfremstilling`` / ``Bilag`` / ``Beslutning`` start a part,
  also misspelled (:mod:`agenda_words`), with a colon, numbered, or inline ("**Bilag:** Notat …").
* Under an item's heading, lines with case numbers and officers (:mod:`agenda_header`).
* Text under a section before its first item, and under an item before its first part
  ("Eventuelt" with a line of text, "Godkendelse af dagsorden" with one sentence) is that
  section's or item's own text, kept, not dropped.

A document with no numbered item heading at all (Word's numbers lost in conversion) is read by
the shape of its headings instead (:mod:`agenda_unnumbered`), with a warning.  What cannot be
placed is a warning with its line, never silently dropped or guessed at.  Debris of
the Word original is handled here: tables of contents (Word's and hand-typed ones,
:mod:`agenda_toc`) are collected and checked against the headings, continuation marks ``./.`` are
dropped, and a paragraph split by a page break (it ends mid-sentence and the next one starts in
lower case) is joined again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time

from kg.ingest.agenda_blocks import AgendaError, Block, Document
from kg.ingest.agenda_front import Front
from kg.ingest.agenda_header import CASE_NUMBER, is_header, is_label_row, read_header
from kg.ingest.agenda_toc import mark_manual_toc
from kg.ingest.agenda_unnumbered import number_by_order
from kg.ingest.agenda_words import item_type_of, part_of

__all__ = ["CASE_NUMBER", "Agenda", "Item", "Part", "Section", "is_placeholder", "parse_agenda"]

#: The template's placeholder texts: a part holding only these is missing content.
PLACEHOLDERS = (
    re.compile(r"^her skrives\b", re.IGNORECASE),
    re.compile(r"^click (?:or tap )?here to enter (?:a )?text\.?$", re.IGNORECASE),
    re.compile(r"^klik (?:eller tryk )?her for at (?:angive|skrive) tekst\.?$", re.IGNORECASE),
)
_PREFIX = r"(?:(?:ad\s+)?(?:punkt|pkt\.?)\s+|ad\s+)?"
_ITEM = re.compile(rf"^{_PREFIX}(\d{{1,2}})\.(\d{{1,2}})\.?(?:\s+|\s*[:–-]\s*)(\S.*)$",
                   re.DOTALL | re.IGNORECASE)
_TOP = re.compile(rf"^{_PREFIX}(\d{{1,2}})\.?(?:\s+|\s*[:–-]\s*)(\S.{{0,149}})$", re.DOTALL | re.IGNORECASE)
_NOT_A_TITLE = re.compile(r"^(?:januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|"
                          r"december|jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|dec|kvartal|halvår)\b",
                          re.IGNORECASE)
_INLINE_PART = re.compile(r"^(?P<label>[^\W\d][\w' ]{2,28}?)\s*:\s*(?P<rest>\S.*)$", re.DOTALL)
_CONTINUATION = re.compile(r"^\./\.(?:\s+|$)|\s+\./\.$")
_MINUTES = re.compile(r"\breferat\b", re.IGNORECASE)


def is_placeholder(text: str) -> bool:
    return any(p.match(text.strip()) for p in PLACEHOLDERS)


@dataclass
class Warning_:
    """Something the parser could not place or that disagrees with itself, at a line."""

    line: int
    message: str


@dataclass
class Part:
    key: str
    line: int
    blocks: list[Block] = field(default_factory=list)

    def content(self) -> list[Block]:
        return [b for b in self.blocks if not is_placeholder(b.text)]


@dataclass
class Section:
    number: str
    title: str
    line: int
    #: The section's own text, before its first item ("Eventuelt" with a line under it).
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Item:
    number: str
    title: str
    line: int
    section: str | None
    cases: list[str] = field(default_factory=list)
    officers: list[str] = field(default_factory=list)
    #: A header line was read but named no officer (or only the template's placeholder).
    officer_missing: bool = False
    header_seen: bool = False
    parts: dict[str, Part] = field(default_factory=dict)
    footnotes: list[Block] = field(default_factory=list)
    #: The item's own text, before its first part.
    own: list[Block] = field(default_factory=list)

    def blocks(self) -> list[Block]:
        return [b for part in self.parts.values() for b in part.content()]


@dataclass
class Agenda:
    """An agenda or minutes as read: everything the graph is made from, plus the warnings."""

    unit: str
    names: list[str] = field(default_factory=list)
    day: date | None = None
    clock: time | None = None
    place: str | None = None
    notes: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    toc: list[Block] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    #: "agenda" or "minutes" (a title saying "Referat", or a "Beslutning" part under an item).
    kind: str = "agenda"
    #: Items are numbered at the top level, without sections.
    flat: bool = False

    @property
    def start(self) -> tuple[date, time | None] | None:
        return (self.day, self.clock) if self.day is not None else None

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Warning_(line, message))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(x) for x in number.split("."))


def _headingish(block: Block) -> bool:
    return block.kind == "heading" or (block.kind == "para" and block.strong)


def _title_ok(title: str) -> bool:
    return not _NOT_A_TITLE.match(title)


class _Parser:
    def __init__(self, document: Document) -> None:
        self.margins = document.margins
        #: An unnumbered heading that names an item type ("Drøftelsessager"), waiting for the items
        #: whose numbers give its section.
        self.pending: Block | None = None
        self.blocks = mark_manual_toc(document.blocks)
        self.agenda = Agenda(document.unit)
        self.front = Front(warn=self.agenda.warn)
        self.section: Section | None = None
        self.item: Item | None = None
        self.part: Part | None = None
        self.started = False
        self.columns: list[str] | None = None
        toc = [b for b in self.blocks if b.kind == "toc"]
        self.toc_items = {".".join(str(int(x)) for x in b.label.split(".")) for b in toc if "." in b.label}
        self.toc_tops = {str(int(b.label)) for b in toc if "." not in b.label and b.label.isdigit()}
        self.agenda.flat = not self.toc_items and not any(
            _headingish(b) and (m := _ITEM.match(b.text)) and _title_ok(m.group(3)) for b in self.blocks)

    # -- what a heading says ------------------------------------------------------------------
    def _is_item(self, number: str) -> bool:
        if any(i.number == number for i in self.agenda.items):
            return False
        if number in self.toc_items or (self.agenda.flat and number in self.toc_tops):
            return True
        if self.agenda.items:
            return _number_key(number) > _number_key(self.agenda.items[-1].number)
        return True

    def _is_section(self, number: str) -> bool:
        if any(s.number == number for s in self.agenda.sections):
            return False
        current = int(self.section.number) if self.section else 0
        if self.toc_tops and number in self.toc_tops:
            return int(number) > current
        last_item = int(self.agenda.items[-1].number.split(".")[0]) if self.agenda.items else 0
        return int(number) > max(current, last_item) and (not self.toc_tops or int(number) == current + 1)

    # -- reading ------------------------------------------------------------------------------
    def run(self) -> Agenda:
        for block in self.blocks:
            if block.kind == "toc":
                self.agenda.toc.append(block)
                continue
            text = _CONTINUATION.sub("", block.text).strip() if block.kind != "footnote" else block.text
            if not text:
                continue
            if text != block.text:
                block = Block(**{**block.__dict__, "text": text})
            self.agenda.texts.append(text)
            if self._structure(block):
                continue
            if block.kind == "footnote":
                if self.item is None:
                    self.agenda.warn(block.line, f"footnote {block.label} stands outside any agenda item")
                else:
                    self.item.footnotes.append(block)
                continue
            if not self.started:
                self.front.read(block)
            else:
                self._content(block)
        self._finish()
        return self.agenda

    def _structure(self, block: Block) -> bool:
        """Start an item, a section or a part when the block is a heading that says so."""
        text = block.text
        if _headingish(block) and "\n" not in text.strip():
            match = _ITEM.match(text)
            if match and not self.agenda.flat and _title_ok(match.group(3)):
                number = f"{int(match.group(1))}.{int(match.group(2))}"
                if self._is_item(number):
                    self._start_item(number, match.group(3).strip(), block.line, str(int(match.group(1))))
                    return True
            match = _TOP.match(text)
            if match and _title_ok(match.group(2)) and not _ITEM.match(text):
                number = str(int(match.group(1)))
                if self.agenda.flat and self._is_item(number):
                    self._start_item(number, match.group(2).strip(), block.line, None)
                    return True
                if not self.agenda.flat and self._is_section(number):
                    self._drop_pending()
                    self.started = True
                    self.section = Section(number, match.group(2).strip(), block.line)
                    self.agenda.sections.append(self.section)
                    self.item, self.part = None, None
                    return True
            if not self.agenda.flat and part_of(text) is None \
                    and item_type_of(text) is not None and not _TOP.match(text):
                self._drop_pending()
                self.pending = block   # "## Drøftelsessager" over items 2.1, 2.2 …
                return True
        return self._part(block)

    def _drop_pending(self) -> None:
        if self.pending is not None:
            self.agenda.warn(self.pending.line, f"the heading '{self.pending.text}' names a section but no "
                                                "numbered item follows it; not placed")
            self.pending = None

    def _start_item(self, number: str, title: str, line: int, section: str | None) -> None:
        self.started = True
        if section is not None and (self.section is None or self.section.number != section):
            self._implicit_section(section, line)
        elif self.pending is not None:
            self._drop_pending()
        self.item = Item(number, title, line, section)
        self.agenda.items.append(self.item)
        self.part = None

    def _part(self, block: Block) -> bool:
        """A part heading ("Baggrund", "Sagsfremstiling:"), or an inline one ("Bilag: Notat …")."""
        if block.kind not in {"heading", "para"}:
            return False
        key = part_of(block.text) if "\n" not in block.text.strip() else None
        rest = None
        if key is None and (inline := _INLINE_PART.match(block.text)) is not None:
            key = part_of(inline.group("label"))
            rest = inline.group("rest").strip()
        if key is None:
            return False
        if self.item is None:
            if not self.started:
                return False   # a "Referat:" or "Bilag:" line on the front page is front text
            self.agenda.warn(block.line, f"part heading '{block.text}' stands outside any agenda item")
            return True
        if key in self.item.parts:
            self.agenda.warn(block.line, f"item {self.item.number}: a second '{_short(block.text, 30)}' "
                                         "part; its text is added to the first")
            self.part = self.item.parts[key]
        else:
            self.part = self.item.parts[key] = Part(key, block.line)
        if rest:
            self.part.blocks.append(Block("para", rest, block.line, links=block.links, notes=block.notes))
        return True

    def _implicit_section(self, number: str, line: int) -> None:
        """An item whose section has no heading: take the title from the table of contents."""
        existing = next((s for s in self.agenda.sections if s.number == number), None)
        if existing is None and self.pending is not None:
            existing = Section(number, self.pending.text, self.pending.line)   # its heading had no number
            self.agenda.sections.append(existing)
        elif existing is None:
            entry = next((b for b in self.blocks if b.kind == "toc" and b.label.rstrip(".") == number), None)
            existing = Section(number, entry.text if entry else "", line)
            self.agenda.sections.append(existing)
            source = "taken from the table of contents" if entry else "its title is unknown"
            self.agenda.warn(line, f"section {number} has no heading before item {number}.x; {source}")
        self.pending = None
        self.section = existing

    def _content(self, block: Block) -> None:
        item = self.item
        if item is None:
            if self.section is not None:
                self._join_or_add(self.section.blocks, block)
            return
        if self.part is None:
            if not item.own and is_header(block):
                self._header(item, block)
                return
            self._join_or_add(item.own, block)
            return
        self._join_or_add(self.part.blocks, block)

    @staticmethod
    def _join_or_add(blocks: list[Block], block: Block) -> None:
        previous = blocks[-1] if blocks else None
        if (previous is not None and previous.kind == "para" and block.kind == "para" and not previous.strong
                and not block.strong and previous.text[-1] not in ".!?:;\"'»)" and block.text[0].islower()):
            previous.text = f"{previous.text} {block.text}"  # one paragraph split by a page break
            previous.links += block.links
            previous.notes += block.notes
            return
        blocks.append(Block(**block.__dict__))

    def _header(self, item: Item, block: Block) -> None:
        """A line under an item's heading with its case number(s) and responsible officer(s)."""
        item.header_seen = True
        if is_label_row(block):
            return
        header = read_header(block, is_placeholder)
        item.cases += [c for c in header.cases if c not in item.cases]
        item.officers += [o for o in header.officers if o not in item.officers]
        item.officer_missing = item.officer_missing or header.placeholder
        for piece in header.strange:
            self.agenda.warn(block.line, f"item {item.number}: '{piece}' is not a person's name")

    def _finish(self) -> None:
        self._drop_pending()
        front = self.front
        front.finish(self.margins)
        self.agenda.day, self.agenda.clock, self.agenda.place = front.day, front.clock, front.place
        self.agenda.names, self.agenda.notes = front.names, front.notes
        for item in self.agenda.items:
            if item.officers:
                item.officer_missing = False
            elif item.header_seen:
                item.officer_missing = True
        front_text = " ".join([*front.names, *(n.text for n in front.notes)])
        if _MINUTES.search(front_text) or any("beslutning" in i.parts for i in self.agenda.items):
            self.agenda.kind = "minutes"
        self._check_toc()

    def _check_toc(self) -> None:
        """The table of contents and the headings must agree; where they do not, say so."""
        items = {i.number: i for i in self.agenda.items}
        sections = {s.number: s for s in self.agenda.sections}
        for entry in self.agenda.toc:
            if not re.fullmatch(r"\d+(?:\.\d+)*\.?", entry.label):
                continue
            number = ".".join(str(int(x)) for x in entry.label.rstrip(".").split("."))
            is_item = "." in number or self.agenda.flat
            found = items.get(number) if is_item else sections.get(number)
            kind = "item" if is_item else "section"
            if found is None:
                self.agenda.warn(entry.line, f"the table of contents lists {kind} {number} "
                                             f"'{entry.text}', which the agenda does not have")
            elif _norm(found.title) != _norm(entry.text):
                self.agenda.warn(entry.line, f"{kind} {number}: the table of contents says '{entry.text}', "
                                             f"the heading (line {found.line}) says '{found.title}'")
        if self.agenda.toc:
            listed = {".".join(str(int(x)) for x in e.label.rstrip(".").split(".")) for e in self.agenda.toc
                      if re.fullmatch(r"\d+(?:\.\d+)*\.?", e.label)}
            for item in self.agenda.items:
                if item.number not in listed:
                    self.agenda.warn(item.line, f"item {item.number} is not in the table of contents")


def _short(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def parse_agenda(document: Document) -> Agenda:
    """Read the structure; a document with no meeting date or no items is not an agenda or minutes."""
    if not document.blocks:
        raise AgendaError("empty: no text in the file")
    agenda = _Parser(document).run()
    if not agenda.items and agenda.day is not None:
        renumbered = number_by_order(mark_manual_toc(document.blocks))
        if renumbered is not None:
            blocks, given = renumbered
            agenda = _Parser(Document(blocks, document.unit, document.margins)).run()
            if agenda.items:
                agenda.warn(agenda.items[0].line, "the items' numbers are not in the text (a converted Word "
                                                  f"list?); numbered {', '.join(given)} from the table of "
                                                  "contents or their order")
    if agenda.day is None:
        raise AgendaError("not an agenda or minutes: no meeting date (a 'Dato: 30-11-2023 10:00' line, or a "
                          "date in the title, before the items)")
    if not agenda.items:
        raise AgendaError("not an agenda or minutes: no agenda items (numbered headings like '2.2. Title' "
                          "or '2. Title')")
    return agenda
