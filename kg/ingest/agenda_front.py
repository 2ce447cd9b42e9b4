"""The front page of an agenda or minutes: which body, when, where.

The house style writes "**Dato:** 30-11-2023 10:00" and "**Sted:** …" on lines of their own, but
the same fields come as "Mødedato:", "Tidspunkt: torsdag den 28. november 2024, kl. 9.30",
"Tid og sted: …", a date and a time on separate lines, several fields run together in one
paragraph (Markdown joins lines), a two-column table ("Dato | 16. maj 2024"), or a table with a
header row ("Dato | Sted" over the values).  When no field gives the date, the title may ("Referat
af møde i It-Arkitekturrådet den 13. juni 2024"), or the page header of a Word file.  Fields the
ingest has no property for (participants, note taker) stay as notes of the meeting, as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time

from kg.ingest.agenda_blocks import Block
from kg.ingest.agenda_dates import TIME, clock_time, full_dates, meeting_start

#: Field labels (lower case) to what they give.
LABELS = {
    "dato": "date", "mødedato": "date", "dato og tid": "date", "dato og tidspunkt": "date",
    "tid": "time", "tidspunkt": "time", "klokkeslæt": "time", "mødetidspunkt": "time", "mødetid": "time",
    "kl.": "time", "kl": "time", "klokken": "time", "adresse": "room", "mødeadresse": "room",
    "sted": "place", "mødested": "place", "lokale": "room", "mødelokale": "room",
    "tid og sted": "when-where", "tidspunkt og sted": "when-where",
    "deltagere": "other", "afbud": "other", "fraværende": "other", "referent": "other",
    "mødeleder": "other", "ordstyrer": "other", "til stede": "other", "mødedeltagere": "other",
}
_ALTERNATION = "|".join(sorted((re.escape(k).replace(r"\ ", r"\s+") for k in LABELS), key=len, reverse=True))
_FIELD = re.compile(rf"(?:^|(?<=[\s|]))(?P<label>{_ALTERNATION})\s*:\s*", re.IGNORECASE)
_ONLY = re.compile(rf"^\s*(?P<label>{_ALTERNATION})\s*:?\s*$", re.IGNORECASE)


def _kind(label: str) -> str:
    return LABELS[" ".join(label.casefold().split())]


@dataclass
class Front:
    """What the front page says, read block by block."""

    day: date | None = None
    clock: time | None = None
    place: str | None = None
    names: list[str] = field(default_factory=list)
    notes: list[Block] = field(default_factory=list)
    columns: list[str] | None = None
    warn: Callable[[int, str], None] = lambda line, message: None

    def read(self, block: Block) -> None:
        if block.kind == "row":
            self._row(block)
            return
        rest: list[str] = []
        for line in block.text.split("\n"):
            matches = list(_FIELD.finditer(line))
            if not matches:
                rest.append(line)
                continue
            if matches[0].start() > 0:
                rest.append(line[: matches[0].start()].strip())
            for k, match in enumerate(matches):
                end = matches[k + 1].start() if k + 1 < len(matches) else len(line)
                self._field(block, match.group("label"), line[match.end():end].strip())
        text = "\n".join(r for r in rest if r).strip()
        if not text:
            return
        if block.kind == "heading" or (block.strong and not block.emphasis):
            self.names.append(text)
        else:
            self.notes.append(Block(**{**block.__dict__, "text": text}))

    def _row(self, block: Block) -> None:
        cells = [c for c in block.cells]
        labels = [_ONLY.match(c) for c in cells]
        if cells and all(labels[i] for i, c in enumerate(cells) if c) and any(cells):
            self.columns = [m.group("label") if m else "" for m in labels]
            return
        if self.columns and len(self.columns) == len(cells):
            for label, value in zip(self.columns, cells, strict=True):
                if label and value:
                    self._field(block, label, value)
            self.columns = None
            return
        if len(cells) >= 2 and labels[0]:
            self._field(block, labels[0].group("label"), " ".join(c for c in cells[1:] if c))
            return
        self.read(Block("para", block.text, block.line))

    def _field(self, block: Block, label: str, value: str) -> None:
        kind = _kind(label)
        if kind == "date" or (kind in {"time", "when-where"} and self.day is None):
            start = meeting_start(value)
            if start is not None:
                self.day, clock = start
                self.clock = clock or self.clock
                if kind == "when-where":
                    self._place_after_time(value)
                return
            if kind == "date":
                self.warn(block.line, f"'{label}: {value}' has no date like 30-11-2023, 30. november 2023 "
                                      "or 2023-11-30")
                return
        if kind in {"time", "when-where"}:
            clock = clock_time(value)
            bare = re.match(r"^(?:kl\.?\s*)?([01]?\d|2[0-3])(?:\s*[-–].*)?$", value.strip(), re.IGNORECASE)
            if clock is None and kind == "time" and bare:   # "Kl.: 10" - an hour in a time field
                clock = time(int(bare.group(1)), 0)
            if clock is not None and self.clock is None:
                self.clock = clock
            if kind == "when-where":
                self._place_after_time(value)
            return
        if kind == "place" or (kind == "room" and self.place is None):
            self.place = value or None
            return
        self.notes.append(Block("para", f"{label}: {value}", block.line))

    def _place_after_time(self, value: str) -> None:
        """"8. februar 2024, kl. 9.30, KL, Weidekampsgade 10": the place is what follows the time."""
        cut = 0
        for found in full_dates(value):
            cut = max(cut, found[1].end())
        for clock in TIME.finditer(value):
            cut = max(cut, clock.end())
        rest = re.sub(r"^(?:\s*[-–]\s*\d{1,2}[.:]?\d{0,2})?[\s,;–-]*", "", value[cut:]).strip(" ,;")
        if rest and self.place is None:
            self.place = rest

    def finish(self, margins: list[str] | None = None) -> None:
        """Without a date field, the first full date in the title, the front page's text or the page
        header."""
        if self.day is not None:
            return
        for text in [*self.names, *(n.text for n in self.notes), *(margins or [])]:
            start = meeting_start(text)
            if start is not None:
                self.day = start[0]
                self.clock = self.clock or start[1]
                return
