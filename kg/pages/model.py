"""The view models the pages are rendered from: plain data, no Flask, no store.

Keeping the models free of the web layer means the page content (which values, in
which order, with which labels) is built and tested in ``kg``; templates only lay it
out.  Every text a template shows comes from these fields and is escaped there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Label:
    """A label chosen for the reader's language.

    ``fallback`` is True when the text is in another language than the one asked
    for (the page says so); ``derived`` when kg holds no label at all and the text
    is made from the IRI.
    """

    text: str
    lang: str | None = None
    fallback: bool = False
    derived: bool = False


@dataclass(frozen=True)
class Term:
    """An IRI with its label; ``known`` when kg holds statements about it (so it has a page)."""

    iri: str
    label: Label
    known: bool = True


@dataclass
class Value:
    """One value of a property: an IRI, a blank node (with its own statements nested) or a literal."""

    kind: str                              # "iri" | "bnode" | "literal"
    text: str = ""                         # the literal's lexical form, or the IRI's label
    term: Term | None = None               # for IRIs
    lang: str | None = None                # a literal's language tag
    datatype: Term | None = None           # a literal's datatype (not for plain strings)
    nested: list[PropertyValues] = field(default_factory=list)  # a blank node's statements

    @property
    def long(self) -> bool:
        """Long texts are shown as paragraphs rather than inline."""
        return self.kind == "literal" and (len(self.text) > 160 or "\n" in self.text)


@dataclass
class PropertyValues:
    """A property and its values, as one row of a property table."""

    predicate: Term
    values: list[Value]
    more: int = 0          # values left out of the page (bounded)


@dataclass
class IncomingGroup:
    """Resources pointing at this one through one property: a counted, paged group."""

    predicate: Term
    count: int
    subjects: list[Term]
    page: int = 1
    per_page: int = 20

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def anchor(self) -> str:
        """A stable element id for the group, so paging links land on it."""
        return "in-" + hashlib.sha1(self.predicate.iri.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class GraphSource:
    """A named graph a resource's statements come from, with its PROV record."""

    iri: str
    statements: int
    source: str | None = None
    loaded_at: str | None = None
    sha256: str | None = None
    version: str | None = None


@dataclass
class ResourcePage:
    """Everything the generic page shows about one resource, plus its domain sections."""

    iri: str
    label: Label
    kind: str                                       # "resource" or a domain kind (meeting, item, …)
    types: list[Term]
    properties: list[PropertyValues]
    incoming: list[IncomingGroup]
    graphs: list[GraphSource]
    sections: dict[str, Any] = field(default_factory=dict)
    description: str | None = None                  # a short description for the page head
    #: Where each statement on the page comes from (:class:`kg.pages.sources.Provenance`).
    provenance: Any = None
    #: An editor's notes on the resource itself (``skos:editorialNote``), in the reader's language.
    editorial_notes: list[str] = field(default_factory=list)

    def first(self, predicate: str) -> Value | None:
        """The first value of a property (templates use it for headline facts)."""
        for group in self.properties:
            if group.predicate.iri == predicate and group.values:
                return group.values[0]
        return None
