"""An item's "Indstilling" into its proposed resolutions, each with what the body is asked to do.

The house style is a lead-in ("Sekretariatet indstiller, at It-Arkitekturrådet:") and a bulleted
list, one proposed resolution per bullet.  Secretaries also write:

* one sentence and no list: "Sekretariatet indstiller, at It-Arkitekturrådet godkender sagen."
  (the resolution is what follows the addressee: "godkender sagen.");
* lettered or numbered lists ("a) drøfter …", "1) godkender …"), whose indented sub-points
  belong to the resolution above them;
* a lead-in without addressee and bullets that carry it ("at rådet drøfter …").

The addressee is the words between "at" and the first verb (Danish present tense ends in -r:
"drøfter", "tager", "godkender", "udpeger"), so "KL's direktion" and "rådet" are found as well as
the body's own name.  The kind is read from the verb (and its object where the scheme
distinguishes them: "giver input", "giver anbefalinger", "tager … til efterretning"); a verb the
scheme does not list ("udpeger", "giver … mandat") is :data:`OTHER`, with the verb kept as
written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.ingest.agenda_blocks import Block

OTHER = "andet"
#: Opening words of a resolution (after its addressee) to its recommendation-kind slug.
KINDS = (
    (re.compile(r"^drøfter\b"), "droefter"),
    (re.compile(r"^tager\b.*?\btil\s+(?:efterretning|orientering)\b", re.DOTALL), "tager-til-efterretning"),
    (re.compile(r"^giver\s+(?:sit\s+|sine\s+|deres\s+)?input\b"), "giver-input"),
    (re.compile(r"^giver\s+(?:sine\s+|deres\s+)?anbefaling(?:er)?\b"), "giver-anbefalinger"),
    (re.compile(r"^godkender\b"), "godkender"),
    (re.compile(r"^påpeger\b"), "paapeger"),
    (re.compile(r"^rådgiver\b"), "raadgiver"),
    (re.compile(r"^tilkendegiver\b"), "tilkendegiver"),
)
_LEAD = re.compile(r"\bindstille[rs]\b(?:\s+til\s+[^,:]+?)?\s*[,:]?\s*(?:at\s+(?P<rest>.+?))?\s*$",
                   re.IGNORECASE | re.DOTALL)
_AT = re.compile(r"^at\s+(?P<rest>.+)$", re.IGNORECASE | re.DOTALL)
_WORD = re.compile(r"^[a-zæøå]+$")
#: Lower-case words ending in -r that are not verbs where an addressee ends.
_NOT_VERBS = {"eller", "efter", "over", "under", "for", "hver", "andre", "senere", "kommuner", "medlemmer"}


@dataclass
class Proposed:
    """One proposed resolution as written."""

    text: str
    line: int
    kind: str
    #: The verb as written, for a kind the scheme does not list.
    verb: str = ""
    #: The body it is addressed to, as written ("It-Arkitekturrådet", "rådet"), if the text says.
    addressee: str | None = None
    #: Where the addressee is written (the lead-in's line, or the resolution's own).
    addressee_line: int = 0


def split_addressee(text: str) -> tuple[str | None, str]:
    """("It-Arkitekturrådet", "godkender sagen.") from "It-Arkitekturrådet godkender sagen."."""
    words = text.split()
    for i, word in enumerate(words):
        plain = word.strip(",.;:()").casefold()
        verb = plain.endswith("r") or (plain.endswith("es") and len(plain) > 5)   # "drøfter", "orienteres"
        if i >= 1 and _WORD.match(plain) and verb and plain not in _NOT_VERBS and word[:1].islower():
            return " ".join(words[:i]).rstrip(",:"), " ".join(words[i:])
    return None, text


def kind_of(text: str) -> tuple[str, str]:
    """(kind slug, verb as written) of a resolution; the verb is kept only for :data:`OTHER`."""
    phrase = text.strip()
    if (at := _AT.match(phrase)) is not None:
        phrase = split_addressee(at.group("rest"))[1]
    lower = phrase.casefold()
    for pattern, slug in KINDS:
        if pattern.match(lower):
            return slug, ""
    verb = phrase.split()[0].strip(",.;:") if phrase.split() else ""
    return OTHER, verb


def read_recommendations(blocks: list[Block]) -> tuple[list[Proposed], str | None, bool]:
    """(resolutions in order, the lead-in's addressee as written, whether a lead-in was found)."""
    found: list[Proposed] = []
    addressee: str | None = None
    lead_line = 0
    lead_seen = False
    top = None   # the indentation of the list's own items; deeper ones are sub-points of the one above
    for block in blocks:
        if block.kind in {"para", "heading"}:
            lead = _LEAD.search(block.text)
            if lead is None:
                continue
            lead_seen = True
            rest = (lead.group("rest") or "").strip()
            if not rest:
                continue
            who, phrase = split_addressee(rest.rstrip(":"))
            if who is None:   # no verb after the addressee: the resolutions follow as a list
                who, phrase = rest.rstrip(":").strip(), ""
            if who:
                addressee, lead_line = who, block.line
            if phrase:
                kind, verb = kind_of(phrase)
                found.append(Proposed(phrase, block.line, kind, verb, addressee, lead_line))
        elif block.kind in {"bullet", "number"}:
            top = block.level if top is None else min(top, block.level)
            if block.level > top and found:
                found[-1].text = f"{found[-1].text}\n- {block.text}"
                continue
            kind, verb = kind_of(block.text)
            own = None
            if (at := _AT.match(block.text.strip())) is not None:
                own = split_addressee(at.group("rest"))[0]
            found.append(Proposed(block.text, block.line, kind, verb, own or addressee,
                                  block.line if own else lead_line))
    return found, addressee, lead_seen
