"""The lines under an item's heading that say whose item it is: case numbers and responsible officers.

The house style is one line, "SAG-2022-04763 Torben Mathisen", but secretaries write the same
in many ways, and all of them mean the same two things:

* "SAG-2024-00001 Anna Berg (KL)", "SAG-2024-00001 Anna Berg, KL" (the officer's organisation
  after the name, which is not a second officer), "Sagsansvarlig: chefkonsulent Marie Holt, mail@…"
  (a job title before the name and contact details after it are not names either);
* "Sagsnr. SAG-2024-00001, ansvarlig: Anna Berg", "Sagsnr.: …" and "Ansvarlig: …" on lines of
  their own, "Ansvarlige: A og B", "SAG-… / Anna Berg";
* a table: a row "SAG-… | Anna Berg", or a header row "Sagsnr. | Ansvarlig" and the values
  below it, or label and value side by side.

A line is read as a header line when it holds a case number or an officer label.  Case numbers
are taken wherever they stand; what remains after the labels are removed is split at commas,
"og", "&", "/" and cell borders into names.  A piece in capitals (KL, KOMBIT) is an
organisation, a template placeholder means the officer is not filled in, and anything else that
is not a person's name is reported, never guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.ingest.agenda_blocks import Block

CASE_NUMBER = r"[A-ZÆØÅ]{2,5}-\d{4}-\d{3,6}"
_CASE = re.compile(rf"(?<![\w-]){CASE_NUMBER}(?![\w-])")
_CASE_LABEL = r"(?:sags?\s*(?:nr|nummer)|sag|j\.?\s*nr|journal\s*(?:nr|nummer))"
_OFFICER_LABEL = r"(?:(?:sags|fag)?ansvarlig(?:e)?(?:\s+medarbejder(?:e)?)?|sagsbehandler(?:e)?|" \
                 r"kontaktperson(?:er)?|tovholder(?:e)?)"
_LABEL = re.compile(rf"(?<![\w])(?:{_CASE_LABEL}|{_OFFICER_LABEL})(?![\w])\.?\s*:?", re.IGNORECASE)
_OFFICER = re.compile(rf"(?<![\w]){_OFFICER_LABEL}(?![\w])", re.IGNORECASE)
_ONLY_LABEL = re.compile(rf"^\s*(?:{_CASE_LABEL}|{_OFFICER_LABEL})\.?\s*:?\s*$", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:,|;|/|\||&|·|•|\s[–-]\s|\bog\b)\s*")
_PARENS = re.compile(r"\([^)]*\)")
NAME = re.compile(r"^[A-ZÆØÅ][\w'’.-]*(?:\s+(?:[a-zæøå]{1,3}\s+)?[A-ZÆØÅ][\w'’.-]*)+$")
_ORGANISATION = re.compile(r"^[A-ZÆØÅ0-9&-]{2,10}(?:'s|s)?$")
#: A job title in lower case before the name ("chefkonsulent Marie Holt").
_TITLED = re.compile(r"^(?:[a-zæøå-]+\s+){1,3}(?P<name>[A-ZÆØÅ].*)$")
_CONTACT = re.compile(r"@|^(?:tlf|telefon|mobil)\b|^\+?\d[\d ]{5,}$", re.IGNORECASE)


@dataclass
class Header:
    """What one header line said."""

    cases: list[str] = field(default_factory=list)
    officers: list[str] = field(default_factory=list)
    #: The officer is the template's placeholder, or a label without a name.
    placeholder: bool = False
    #: Pieces that are not names (reported as warnings by the caller).
    strange: list[str] = field(default_factory=list)


def is_label_row(block: Block) -> bool:
    """A table header row such as "Sagsnr. | Ansvarlig | Enhed": column labels, no case number or name."""
    if block.kind != "row" or not any(block.cells) or _CASE.search(block.text):
        return False
    cells = [c for c in block.cells if c]
    labels = [c for c in cells if _ONLY_LABEL.match(c)]
    return bool(labels) and all(c in labels or (len(c.split()) <= 2 and not NAME.match(c)) for c in cells)


def is_header(block: Block) -> bool:
    """Whether the block says whose item it is (a case number or an officer label in it)."""
    if block.kind not in {"para", "row", "heading"} or len(block.text) > 200:
        return False
    return bool(_CASE.search(block.text) or _OFFICER.search(block.text) or is_label_row(block))


def read_header(block: Block, placeholder: object) -> Header:
    """Case numbers and officer names from a header line; ``placeholder(text)`` tells template text."""
    header = Header(cases=_CASE.findall(block.text))
    texts = block.cells if block.kind == "row" else [block.text]
    for text in texts:
        rest = _LABEL.sub(" , ", _CASE.sub(" , ", _PARENS.sub(" ", text)))
        for piece in _SPLIT.split(rest):
            name = piece.strip(" .:,;-–")
            if not name:
                continue
            titled = _TITLED.match(name)
            if placeholder(name):  # type: ignore[operator]
                header.placeholder = True
            elif NAME.match(name):
                header.officers.append(name)
            elif titled and NAME.match(titled.group("name")):
                header.officers.append(titled.group("name"))
            elif _ORGANISATION.match(name) or _CONTACT.search(name):
                continue
            else:
                header.strange.append(name)
    if not header.officers and _OFFICER.search(block.text) and not header.strange:
        header.placeholder = True
    return header
