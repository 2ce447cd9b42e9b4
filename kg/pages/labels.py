"""Labels in the reader's language, with a fallback that says so.

A page names dozens of IRIs (properties, types, linked resources); all of them are
looked up in one query per page (``browse/labels.rq``, IRIs bound with ``VALUES``).
The choice is: the best label property (``skos:prefLabel`` before ``rdfs:label``
before ``dct:title`` …) in the asked language, else the other UI language, else an
untagged literal, else any language; failing all, a prefixed name made from the IRI.
Standard vocabulary terms the store does not label get the labels of
``term-labels.ttl`` beside this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal

from kg.namespaces import PREFIXES, RDFS
from kg.pages.model import Label, Term
from kg.queries import iri, render
from kg.store.base import Store

#: The languages the pages are written in; the first is the default.
LANGUAGES = ("da", "en")
_BATCH = 400


def other_language(lang: str) -> str:
    return "en" if lang == "da" else "da"


@cache
def _term_labels() -> dict[str, dict[str, str]]:
    """Labels of standard vocabulary terms, from the Turtle file shipped with kg."""
    graph = Graph()
    graph.parse(Path(__file__).with_name("term-labels.ttl"), format="turtle")
    out: dict[str, dict[str, str]] = {}
    for s, o in graph.subject_objects(RDFS.label):
        if isinstance(o, Literal):
            out.setdefault(str(s), {})[o.language or ""] = str(o)
    return out


def curie(value: str) -> str:
    """``dct:title`` for a term in a known namespace, else the IRI's last segment, else the IRI."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if value.startswith(ns) and len(ns) > len(best):
            best, name = ns, f"{prefix}:{value[len(ns):]}"
    if best and name.split(":", 1)[1]:
        return name
    tail = value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return tail or value


def choose(candidates: list[tuple[int, str, str]], lang: str, name: bool = False,
           by_id: bool = False) -> Label | None:
    """The label to show from ``(rank, language, text)`` candidates, or None if there are none.

    A proper ``name`` (a person's, an organisation's) is not a fallback in any language: it is
    shown as written, with its language for screen readers but without a "only in Danish" mark.
    A resource named ``by_id`` prefers a language-neutral identifier to a label in the other
    language, so an English page says "SAG-2022-04763" rather than "Sag SAG-2022-04763".
    """
    if not candidates:
        return None
    preference = {lang: 0, other_language(lang): 2 if by_id else 1, "": 1 if by_id else 2}

    def key(c: tuple[int, str, str]) -> tuple[int, int, str]:
        rank, language, text = c
        return (preference.get(language.lower().split("-")[0], 3), rank, text)

    _, language, text = min(candidates, key=key)
    base_lang = language.lower().split("-")[0]
    return Label(text, language or None, fallback=bool(language) and base_lang != lang and not name)


def humanise(value: str) -> str:
    """Words from an IRI's last segment, for a term nobody labelled: ``accessRightsAvailability`` →
    ``access rights availability``, ``LegalResource`` → ``legal resource``; never a prefixed name."""
    tail = value.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    words = re.findall(r"[A-Z]{2,}(?=[A-Z][a-z]|\b|[0-9_-])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+", tail)
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", tail) or len(words) < 2 or tail.isupper():
        return tail or value
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)


def derived_label(value: str) -> Label:
    return Label(humanise(value), None, derived=True)


class Labeller:
    """Looks labels up for a page, one query per batch of IRIs, remembering what it found."""

    def __init__(self, store: Store, lang: str, shared: dict[tuple[str, str], Term] | None = None) -> None:
        self.store = store
        self.lang = lang
        self._found: dict[str, Term] = {}
        #: Terms found by earlier requests against the same state of the store (kg.pages.cache).
        self._shared = shared if shared is not None else {}

    def terms(self, iris: Iterable[str]) -> dict[str, Term]:
        """A :class:`Term` for each IRI (one query per batch for those not seen yet)."""
        wanted = []
        for value in dict.fromkeys(iris):
            if value in self._found:
                continue
            known = self._shared.get((value, self.lang))
            if known is not None:
                self._found[value] = known
            else:
                wanted.append(value)
        for start in range(0, len(wanted), _BATCH):
            self._lookup(wanted[start:start + _BATCH])
        return {i: self._found[i] for i in iris if i in self._found}

    def term(self, value: str) -> Term:
        return self.terms([value])[value]

    def label(self, value: str) -> Label:
        return self.term(value).label

    def _lookup(self, batch: list[str]) -> None:
        safe = []
        for value in batch:
            try:
                safe.append(iri(value))
            except ValueError:  # an IRI SPARQL cannot carry: show it as it is
                self._found[value] = Term(value, derived_label(value), known=False)
        candidates: dict[str, list[tuple[int, str, str]]] = {}
        known: dict[str, bool] = {}
        names: set[str] = set()
        by_id: set[str] = set()
        if safe:
            for row in self.store.select(render("browse/labels", iris=" ".join(safe))):
                subject = str(row["s"])
                known[subject] = known.get(subject, False) or _true(row.get("known"))
                if _true(row.get("name")):
                    names.add(subject)
                if _true(row.get("byId")):
                    by_id.add(subject)
                label = row.get("label")
                if isinstance(label, Literal):
                    candidates.setdefault(subject, []).append(
                        (int(str(row["rank"])), label.language or "", str(label)))
        fallback = _term_labels()
        for value in batch:
            if value in self._found:
                continue
            label = choose(candidates.get(value, []), self.lang, value in names, value in by_id)
            if value in fallback and (label is None or label.fallback):
                shipped = choose([(0, k, v) for k, v in fallback[value].items()], self.lang)
                if label is None or (shipped is not None and not shipped.fallback):
                    label = shipped
            self._found[value] = Term(value, label or derived_label(value), known.get(value, False))
            self._shared[(value, self.lang)] = self._found[value]


def _true(node: object) -> bool:
    return isinstance(node, Literal) and bool(node.toPython())


def literal_in(values: list[Literal], lang: str) -> Literal | None:
    """Of several literals of one property, the one in ``lang`` (else the other language, else any)."""
    if not values:
        return None
    order = {lang: 0, other_language(lang): 1, "": 2}
    return min(values, key=lambda v: (order.get((v.language or "").split("-")[0], 3), str(v)))


_PREFIX_NAMES = "|".join(re.escape(p) for p in sorted(PREFIXES, key=len, reverse=True))
_PREFIXED = re.compile(rf"(?<![\w/#:.@-])({_PREFIX_NAMES}):([A-Za-z_][\w-]*)")


def readable(text: str, labeller: Labeller) -> str:
    """A text kg writes for people (a validation message) with its prefixed names (``dcat:contactPoint``)
    read out as the terms' labels ("kontaktpunkt"): the pages name terms in words."""
    found = {m.group(0): PREFIXES[m.group(1)] + m.group(2) for m in _PREFIXED.finditer(text)}
    if not found:
        return text
    terms = labeller.terms(list(found.values()))
    return _PREFIXED.sub(lambda m: terms[found[m.group(0)]].label.text, text)
