"""Blocks into the agenda's structure: header, sections, items and their parts.

Heading levels in real agendas are uneven (``##``, ``###``, ``####`` and bold
lines all mean "heading"), so the structure is read from what a heading *says*:
``2.2. Title`` starts an item, ``2. Title`` a section, ``Baggrund`` /
``Indstilling`` / ``Sagsfremstilling`` / ``Bilag`` a part.  Anything else is
content of the part it stands in.  What cannot be placed is a warning with its
line, never silently dropped or guessed at.

Debris of the Word original is handled here: table-of-contents lines are
collected (and checked against the headings), continuation marks ``./.`` are
dropped, and a paragraph split by a page break (it ends mid-sentence and the
next one starts in lower case) is joined again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time

from kg.ingest.agenda_blocks import AgendaError, Block, Document
from kg.ingest.agenda_dates import meeting_start

#: Part headings as written (after a trailing colon is dropped), to the fixed part slugs.
PARTS = {"baggrund": "baggrund", "indstilling": "indstilling", "indstillinger": "indstilling",
         "sagsfremstilling": "sagsfremstilling", "bilag": "bilag"}
#: The template's placeholder texts: a part holding only these is missing content.
PLACEHOLDERS = (
    re.compile(r"^her skrives\b", re.IGNORECASE),
    re.compile(r"^click (?:or tap )?here to enter (?:a )?text\.?$", re.IGNORECASE),
    re.compile(r"^klik (?:eller tryk )?her for at (?:angive|skrive) tekst\.?$", re.IGNORECASE),
)
CASE_NUMBER = r"[A-ZÆØÅ]{2,5}-\d{4}-\d{3,6}"
_CASES = re.compile(rf"^((?:{CASE_NUMBER})(?:\s*(?:,|og|&)?\s*{CASE_NUMBER})*)(?:\s+(.*))?$", re.DOTALL)
_ITEM = re.compile(r"^(\d{1,2})\.(\d{1,2})\.?\s+(\S.*)$", re.DOTALL)
_SECTION = re.compile(r"^(\d{1,2})\.?\s+(\S.{0,119})$", re.DOTALL)
_FIELD = re.compile(r"^(dato|tid|tidspunkt|sted|mødested)\s*:\s*(.*)$", re.IGNORECASE)
_CONTINUATION = re.compile(r"^\./\.(?:\s+|$)|\s+\./\.$")
_NAME = re.compile(r"^[A-ZÆØÅ][\w'’.-]*(?:\s+(?:[a-zæøå]{1,3}\s+)?[A-ZÆØÅ][\w'’.-]*)+$")


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
    placeholder: bool = False

    def content(self) -> list[Block]:
        return [b for b in self.blocks if not is_placeholder(b.text)]


@dataclass
class Section:
    number: str
    title: str
    line: int


@dataclass
class Item:
    number: str
    title: str
    line: int
    section: str
    cases: list[str] = field(default_factory=list)
    officers: list[str] = field(default_factory=list)
    officer_missing: bool = False
    header_done: bool = False
    parts: dict[str, Part] = field(default_factory=dict)
    footnotes: list[Block] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    def blocks(self) -> list[Block]:
        return [b for part in self.parts.values() for b in part.content()]


@dataclass
class Agenda:
    """An agenda as read: everything the graph is made from, plus the warnings."""

    unit: str
    names: list[str] = field(default_factory=list)
    start: tuple[date, time | None] | None = None
    place: str | None = None
    notes: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    toc: list[Block] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Warning_(line, message))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


class _Parser:
    def __init__(self, document: Document) -> None:
        self.agenda = Agenda(document.unit)
        self.blocks = document.blocks
        self.section: Section | None = None
        self.item: Item | None = None
        self.part: Part | None = None
        self.toc_items = {b.label for b in document.blocks if b.kind == "toc" and "." in b.label}
        self.toc_sections = {b.label for b in document.blocks if b.kind == "toc" and "." not in b.label}

    # -- what a heading says ------------------------------------------------------------------
    def _is_item(self, major: str, minor: str) -> bool:
        number = f"{major}.{minor}"
        if any(i.number == number for i in self.agenda.items):
            return False
        if number in self.toc_items:
            return True
        if self.agenda.items:
            last_major, last_minor = (int(x) for x in self.agenda.items[-1].number.split("."))
            return (int(major), int(minor)) > (last_major, last_minor)
        return True

    def _is_section(self, number: str) -> bool:
        if any(s.number == number for s in self.agenda.sections):
            return False
        if self.toc_sections:
            return number in self.toc_sections
        current = int(self.section.number) if self.section else 0
        return int(number) == current + 1

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
            if self.section is None and self.item is None:
                self._front(block)
            else:
                self._content(block)
        self._check_toc()
        return self.agenda

    def _structure(self, block: Block) -> bool:
        """Start an item, a section or a part when the block is a heading that says so."""
        headingish = block.kind == "heading" or (block.kind == "para" and block.strong)
        if not headingish:
            return False
        text = block.text
        if (match := _ITEM.match(text)) and self._is_item(match.group(1), match.group(2)):
            number = f"{int(match.group(1))}.{int(match.group(2))}"
            section = str(int(match.group(1)))
            if self.section is None or self.section.number != section:
                self._implicit_section(section, block.line)
            self.item = Item(number, match.group(3).strip(), block.line, section)
            self.agenda.items.append(self.item)
            self.part = None
            return True
        match = _SECTION.match(text) if "\n" not in text else None
        if match and self._is_section(str(int(match.group(1)))):
            self.section = Section(str(int(match.group(1))), match.group(2).strip(), block.line)
            self.agenda.sections.append(self.section)
            self.item, self.part = None, None
            return True
        key = PARTS.get(_norm(text).rstrip(":").strip())
        if key is not None:
            if self.item is None:
                self.agenda.warn(block.line, f"part heading '{text}' stands outside any agenda item")
                return True
            if key in self.item.parts:
                self.agenda.warn(block.line, f"item {self.item.number}: a second '{text}' part; "
                                             "its text is added to the first")
                self.part = self.item.parts[key]
            else:
                self.part = self.item.parts[key] = Part(key, block.line)
            return True
        return False

    def _implicit_section(self, number: str, line: int) -> None:
        """An item whose section has no heading: take the title from the table of contents."""
        existing = next((s for s in self.agenda.sections if s.number == number), None)
        if existing is None:
            entry = next((b for b in self.blocks if b.kind == "toc" and b.label == number), None)
            existing = Section(number, entry.text if entry else "", line)
            self.agenda.sections.append(existing)
            source = "taken from the table of contents" if entry else "its title is unknown"
            self.agenda.warn(line, f"section {number} has no heading before item {number}.x; {source}")
        self.section = existing

    def _front(self, block: Block) -> None:
        """Before the first section: the meeting's header fields, name lines and front-page text."""
        rest = []
        for line in block.text.split("\n"):
            field_match = _FIELD.match(line)
            if field_match is None:
                rest.append(line)
                continue
            key, value = field_match.group(1).lower(), field_match.group(2).strip()
            if key == "dato" or (key in {"tid", "tidspunkt"} and self.agenda.start is None):
                start = meeting_start(value)
                if start is None:
                    self.agenda.warn(block.line, f"'{line}': no date like 30-11-2023 or 30. november 2023")
                else:
                    self.agenda.start = start
            elif key in {"tid", "tidspunkt"}:
                clock = meeting_start(f"{self.agenda.start[0].isoformat()} {value}")  # type: ignore[index]
                if clock and clock[1]:
                    self.agenda.start = (self.agenda.start[0], clock[1])  # type: ignore[index]
            elif key in {"sted", "mødested"}:
                self.agenda.place = value or None
        text = "\n".join(rest).strip()
        if not text:
            return
        if block.kind == "heading" or (block.strong and not block.emphasis):
            self.agenda.names.append(text)
        else:
            self.agenda.notes.append(Block(**{**block.__dict__, "text": text}))

    def _content(self, block: Block) -> None:
        item = self.item
        if item is None:
            self.agenda.warn(block.line, f"text in section {self.section.number} outside any item "  # type: ignore[union-attr]
                                         f"cannot be placed: '{_short(block.text)}'")
            return
        if self.part is None:
            if not item.header_done and block.kind == "para" and self._header(item, block):
                return
            self.agenda.warn(block.line, f"item {item.number}: text before its first part (Baggrund, "
                                         f"Indstilling, …) cannot be placed: '{_short(block.text)}'")
            return
        previous = self.part.blocks[-1] if self.part.blocks else None
        if (previous is not None and previous.kind == "para" and block.kind == "para" and not previous.strong
                and not block.strong and previous.text[-1] not in ".!?:;\"'»)" and block.text[0].islower()):
            previous.text = f"{previous.text} {block.text}"  # one paragraph split by a page break
            previous.links += block.links
            previous.notes += block.notes
            return
        self.part.blocks.append(Block(**block.__dict__))

    def _header(self, item: Item, block: Block) -> bool:
        """The line under an item's heading: case number(s), then responsible officer(s)."""
        match = _CASES.match(block.text)
        if match is None:
            return False
        item.header_done = True
        item.cases = re.findall(CASE_NUMBER, match.group(1))
        rest = (match.group(2) or "").strip()
        if not rest or is_placeholder(rest):
            item.officer_missing = True
            return True
        for name in re.split(r"\s*,\s*|\s+og\s+|\s*&\s*", rest):
            if _NAME.match(name):
                item.officers.append(name)
            elif name:
                self.agenda.warn(block.line, f"item {item.number}: '{name}' is not a person's name")
        return True

    def _check_toc(self) -> None:
        """The table of contents and the headings must agree; where they do not, say so."""
        items = {i.number: i for i in self.agenda.items}
        sections = {s.number: s for s in self.agenda.sections}
        for entry in self.agenda.toc:
            number = ".".join(str(int(x)) for x in entry.label.split("."))
            found = items.get(number) if "." in number else sections.get(number)
            kind = "item" if "." in number else "section"
            if found is None:
                self.agenda.warn(entry.line, f"the table of contents lists {kind} {number} "
                                             f"'{entry.text}', which the agenda does not have")
            elif _norm(found.title) != _norm(entry.text):
                self.agenda.warn(entry.line, f"{kind} {number}: the table of contents says '{entry.text}', "
                                             f"the heading (line {found.line}) says '{found.title}'")
        if self.agenda.toc:
            listed = {".".join(str(int(x)) for x in e.label.split(".")) for e in self.agenda.toc}
            for item in self.agenda.items:
                if item.number not in listed:
                    self.agenda.warn(item.line, f"item {item.number} is not in the table of contents")


def _short(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def parse_agenda(document: Document) -> Agenda:
    """Read the structure; a document with no meeting date or no items is not an agenda."""
    if not document.blocks:
        raise AgendaError("empty: no text in the file")
    agenda = _Parser(document).run()
    if agenda.start is None:
        raise AgendaError("not an agenda: no meeting date (a 'Dato: 30-11-2023 10:00' line before the items)")
    if not agenda.items:
        raise AgendaError("not an agenda: no agenda items (headings like '2.2. Title')")
    return agenda
