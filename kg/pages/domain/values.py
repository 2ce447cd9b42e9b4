"""Reading values out of batched facts and out of a page's statements: the small rules every section uses."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.pages.facts import Facts
from kg.pages.labels import literal_in
from kg.pages.model import ResourcePage


def text_of(node: Node | None) -> str:
    return "" if node is None else str(node)


def int_of(node: Node | None) -> int:
    try:
        return int(str(node))
    except (TypeError, ValueError):
        return 0


def pick(literals: list[Node], lang: str) -> str:
    chosen = literal_in([v for v in literals if isinstance(v, Literal)], lang)
    return "" if chosen is None else str(chosen)


def pick_lang(literals: list[Node], lang: str) -> str | None:
    """The language of the literal :func:`pick` chooses (so a page can mark a text in another language)."""
    chosen = literal_in([v for v in literals if isinstance(v, Literal)], lang)
    return None if chosen is None else chosen.language


def date_of(node: Node | None) -> str:
    """The date part of a date or date-time literal (what the pages print)."""
    return text_of(node)[:10]


def number_key(number: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in number.split(".") if p)
    except ValueError:
        return (10**6,)


# -- fetching facts in batches (kg.pages.facts) -------------------------------------------------------


def iris_of(values: list[Node]) -> list[str]:
    return [str(v) for v in values if isinstance(v, URIRef)]


def first(facts: Facts, s: str, p: URIRef) -> Node | None:
    values = facts.get(s, {}).get(str(p), [])
    return values[0] if values else None


def objects(page: ResourcePage, predicate: str) -> list[str]:
    return [v.term.iri for g in page.properties if g.predicate.iri == predicate for v in g.values if v.term]


def literals_lang(page: ResourcePage, predicate: str, lang: str) -> tuple[list[str], str | None]:
    """Like :func:`literals`, with the language the chosen paragraphs are in (for ``lang=`` in HTML)."""
    values = [v for g in page.properties if g.predicate.iri == predicate
              for v in g.values if v.kind == "literal"]
    wanted = [v for v in values if (v.lang or "") == lang] or [v for v in values if not v.lang] or values
    return [v.text for v in wanted], (wanted[0].lang if wanted else None)


def literals(page: ResourcePage, predicate: str, lang: str) -> list[str]:
    """A literal property's paragraphs in the reader's language (else all there are)."""
    values = [v for g in page.properties if g.predicate.iri == predicate
              for v in g.values if v.kind == "literal"]
    wanted = [v for v in values if (v.lang or "") == lang] or [v for v in values if not v.lang] or values
    return [v.text for v in wanted]
