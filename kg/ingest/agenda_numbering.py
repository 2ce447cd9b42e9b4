"""Word's list numbering, computed: the "2.3." a reader sees that is not in the paragraph's text.

Word and LibreOffice number headings and lists from ``word/numbering.xml``: a paragraph (or its
style, or a style it is based on) names a list instance (``w:numId``) and a level (``w:ilvl``);
the instance points at a list definition (``w:abstractNum``) whose level says how to count
(``w:numFmt``: decimal, lowerLetter, bullet …), where to start (``w:start``) and what to print
(``w:lvlText``: "%1.%2." is the first two levels' counters joined by dots).  An agenda whose
item headings are numbered this way has no "2.3." in its text at all, so the reader must count
as Word counts:

* counters belong to the list definition, so two instances of one definition continue each
  other, unless an instance overrides a level's start (``w:lvlOverride/w:startOverride``), which
  restarts that level the first time the instance is used;
* counting at a level resets the deeper levels;
* a level that has not counted yet shows its start value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _val(element: Any, tag: str) -> str | None:
    found = element.find(_W + tag) if element is not None else None
    return found.get(_W + "val") if found is not None else None


@dataclass
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


@dataclass
class _Definition:
    levels: dict[int, Level] = field(default_factory=dict)
    counters: dict[int, int] = field(default_factory=dict)

    def level(self, ilvl: int) -> Level:
        return self.levels.get(ilvl, Level(text=f"%{ilvl + 1}."))


def _roman(number: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while number >= value:
            out, number = out + letters, number - value
    return out


def _letters(number: int) -> str:
    """a … z, then aa, bb … as Word counts letters."""
    number = max(number, 1)
    return chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)


def format_counter(value: int, fmt: str) -> str:
    if fmt in {"lowerLetter", "upperLetter"}:
        text = _letters(value)
        return text.upper() if fmt == "upperLetter" else text
    if fmt in {"lowerRoman", "upperRoman"}:
        text = _roman(value)
        return text.upper() if fmt == "upperRoman" else text
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt in {"none", "bullet"}:
        return ""
    return str(value)


class Numbering:
    """The list definitions of one document and their running counters."""

    def __init__(self, numbering: Any | None) -> None:
        self.definitions: dict[str, _Definition] = {}
        self.instances: dict[str, tuple[str, dict[int, int]]] = {}
        self.used: set[str] = set()
        if numbering is None:
            return
        for node in numbering.iter(_W + "abstractNum"):
            definition = _Definition()
            for lvl in node.iter(_W + "lvl"):
                ilvl = int(lvl.get(_W + "ilvl", "0"))
                start = _val(lvl, "start")
                definition.levels[ilvl] = Level(int(start) if start and start.lstrip("-").isdigit() else 1,
                                                _val(lvl, "numFmt") or "decimal", _val(lvl, "lvlText") or "")
            self.definitions[node.get(_W + "abstractNumId", "")] = definition
        for node in numbering.iter(_W + "num"):
            overrides = {}
            for override in node.iter(_W + "lvlOverride"):
                start = _val(override, "startOverride")
                if start is not None and start.isdigit():
                    overrides[int(override.get(_W + "ilvl", "0"))] = int(start)
            self.instances[node.get(_W + "numId", "")] = (_val(node, "abstractNumId") or "", overrides)

    def format_of(self, num_id: str, ilvl: int) -> str:
        """The counting format of a list level (``bullet``, ``decimal`` …), '' for an unknown list."""
        instance = self.instances.get(num_id)
        definition = self.definitions.get(instance[0]) if instance else None
        return definition.level(ilvl).fmt if definition else ""

    def next_label(self, num_id: str, ilvl: int) -> tuple[str, str]:
        """Count one paragraph of list ``num_id`` at level ``ilvl``: its printed label and the format.

        ``("", "")`` for no numbering (``numId`` 0 or an unknown list)."""
        instance = self.instances.get(num_id)
        if num_id in {"", "0"} or instance is None or instance[0] not in self.definitions:
            return "", ""
        definition = self.definitions[instance[0]]
        overrides = instance[1]
        if num_id not in self.used:
            self.used.add(num_id)
            for level, start in overrides.items():
                definition.counters[level] = start - 1
                for deeper in [k for k in definition.counters if k > level]:
                    del definition.counters[deeper]
        level = definition.level(ilvl)
        definition.counters[ilvl] = definition.counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in definition.counters if k > ilvl]:
            del definition.counters[deeper]
        if level.fmt == "bullet":
            return level.text, "bullet"
        text = level.text
        for k in range(9, 0, -1):
            marker = f"%{k}"
            if marker in text:
                other = definition.level(k - 1)
                value = definition.counters.get(k - 1, other.start)
                text = text.replace(marker, format_counter(value, other.fmt if k - 1 != ilvl else level.fmt))
        return text.strip(), level.fmt
