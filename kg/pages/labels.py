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

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg.namespaces import PREFIXES
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


def choose(candidates: list[tuple[int, str, str]], lang: str) -> Label | None:
    """The label to show from ``(rank, language, text)`` candidates, or None if there are none."""
    if not candidates:
        return None
    preference = {lang: 0, other_language(lang): 1, "": 2}

    def key(c: tuple[int, str, str]) -> tuple[int, int, str]:
        rank, language, text = c
        return (preference.get(language.lower().split("-")[0], 3), rank, text)

    _, language, text = min(candidates, key=key)
    base_lang = language.lower().split("-")[0]
    return Label(text, language or None, fallback=bool(language) and base_lang != lang)


def derived_label(value: str) -> Label:
    return Label(curie(value), None, derived=True)


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
        if safe:
            for row in self.store.select(render("browse/labels", iris=" ".join(safe))):
                subject = str(row["s"])
                known[subject] = known.get(subject, False) or _true(row.get("known"))
                label = row.get("label")
                if isinstance(label, Literal):
                    candidates.setdefault(subject, []).append(
                        (int(str(row["rank"])), label.language or "", str(label)))
        fallback = _term_labels()
        for value in batch:
            if value in self._found:
                continue
            label = choose(candidates.get(value, []), self.lang)
            if label is None and value in fallback:
                label = choose([(0, k, v) for k, v in fallback[value].items()], self.lang)
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


def is_iri(node: object) -> bool:
    return isinstance(node, URIRef)
