"""What a body decided, from how the document words it: the decision-outcome slug of a sentence.

Boards and councils phrase the same outcome in many ways: "… blev godkendt med følgende
bemærkninger:", "Boardet godkendte kernemodellen med følgende bemærkninger:", "Rådet tiltrådte
indstillingen", "… blev sendt tilbage til projektet", "Boardet besluttede at udsætte
behandlingen", "Punktet blev trukket fra dagsordenen", "Rådet kunne ikke godkende …".  A sentence
is read for these phrasings; within one sentence a negated approval wins over the approval it
negates, and withdrawal, postponement, return, approval with remarks and approval are checked
before the weaker "taken note of" and "discussed".  Over a whole text the first sentence with a
*decisive* outcome (approved, rejected, postponed, withdrawn) decides; only without one does the
first "taken note of" or "discussed" count ("Rådet drøftede sagen og godkendte indstillingen" was
approved).

A paragraph that plainly reports a decision but in words none of these fit ("Boardet besluttede
at nedsætte en arbejdsgruppe") is :data:`OTHER`, kept with its words, so that the open world of
phrasings never becomes a wrong outcome or a lost decision.
"""

from __future__ import annotations

import re

OTHER = "andet"
DECISIVE = ("afvist", "trukket-tilbage", "udsat", "godkendt-med-bemaerkninger", "godkendt")

_MODAL = r"(?<!skal )(?<!kan )(?<!vil )(?<!bør )(?<!må )(?<!skal ikke )"
#: Each outcome and the phrasings that state it (patterns over the casefolded sentence), in the order
#: they are tried (see module doc); "afvist" stands twice: approval negated, and sent back.
_PHRASINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("afvist", (r"\bikke\s+(?:at\s+)?(?:kunne\s+)?godkend\w*", r"\bgodkend\w*\s+ikke\b", r"\bafvist\b",
                r"\b\w+(?:et|en)\s+(?:afviste|forkastede)\b", r"\bforkastet\b",
                r"\bikke\s+(?:blev\s+)?tiltrådt\b")),
    ("trukket-tilbage", (r"\btrukket\s+(?:fra|af|tilbage)\b", r"\btrak\b(?:\s+\S+){0,5}?\s+tilbage\b",
                         r"\btaget\s+af\s+dagsordenen\b", r"\bblev\s+trukket\b")),
    ("udsat", (r"\budsat\b", r"\budsatte\b", r"\budsætte\w*", r"\budskudt\b", r"\budskød\b", r"\budskyde\w*",
               r"\bovergår\s+til\s+(?:det\s+)?(?:næste|senere|kommende)\s+møde\b",
               r"\bikke\s+(?:blev\s+)?behandlet\b", r"\bgenoptages\b",
               r"\btages\s+op\s+(?:igen\s+)?på\s+(?:et\s+)?(?:næste|senere|kommende)\s+møde\b")),
    ("afvist", (r"\bsendt\w*(?:\s+\S+){0,5}?\s+tilbage\b", r"\bsendte(?:\s+\S+){0,5}?\s+tilbage\b",
                r"\btilbagesendt\b", r"\breturneret\b")),
    ("godkendt", (r"\bgodkendt\b", r"\bgodkendte\b", rf"{_MODAL}\bgodkendes\b", r"\btiltrådte\b",
                  r"\btiltrådt\b", r"\btiltræder\b", r"\bvedtog\b", r"\bvedtaget\b", r"^godkend\w*\.?$",
                  r"\bindstillingen\s+(?:blev\s+)?fulgt\b", r"\bfulgte\s+indstillingen\b",
                  r"\bindstillingen\s+følges\b")),
    ("taget-til-efterretning", (r"\b(?:tog|taget|tager|tages)\b(?:\s+\S+){0,6}?\s+til\s+"
                                r"(?:efterretning|orientering)\b",
                                r"\bnoterede\s+sig\b", r"^til\s+efterretning\b")),
    ("droeftet", (r"\bdrøftede\b", r"\bdrøftet\b", rf"{_MODAL}\bdrøftes\b")),
)


def _any_of(phrasings: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for all of an outcome's phrasings, so a sentence is searched once per outcome."""
    return re.compile("|".join(phrasings))


_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((slug, _any_of(phrasings))
                                                            for slug, phrasings in _PHRASINGS)
_REMARKS = re.compile(r"\bmed\s+(?:[\wæøå-]+\s+){0,2}?(?:bemærkning|kommentar|forbehold|justering|"
                      r"præcisering|tilføjelse|ændring|rettelse)\w*")
_DECIDED = re.compile(r"\bbesluttede\b|\bbesluttet\b|\bkonkluderede\b|\bblev\s+enige\b|\benedes\b|"
                      r"\bbeslutningen\s+(?:er|blev)\b")
_SENTENCE = re.compile(r"(?<=[.!?:])\s+(?=[\"'«»A-ZÆØÅ0-9])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(" ".join(text.split())) if s.strip()]


def sentence_outcome(sentence: str) -> str | None:
    """The outcome one sentence states, else None."""
    lower = sentence.casefold()
    for slug, pattern in _PATTERNS:
        if pattern.search(lower):
            if slug == "godkendt" and _REMARKS.search(lower):
                return "godkendt-med-bemaerkninger"
            return slug
    return None


def outcome_of(text: str) -> tuple[str, str] | None:
    """The outcome a text states and the sentence that states it (see module doc), else None."""
    found = [(slug, s) for s in sentences(text) if (slug := sentence_outcome(s)) is not None]
    decisive = [pair for pair in found if pair[0] in DECISIVE]
    if decisive:
        return decisive[0]
    return found[0] if found else None


def reports_a_decision(text: str) -> str | None:
    """The sentence of a text that reports a decision in words no outcome fits, else None."""
    return next((s for s in sentences(text) if _DECIDED.search(s.casefold())), None)
