"""The catalogue's HTML page: one page of its datasets and data services as a reader sees them.

Harvesters read ``/catalog`` as RDF (:mod:`kg.catalog`); a browser gets this: each entry's title
in the reader's language, its publisher and themes, and a link to its page on this site.  The
entries of the page are bound first, so the cost follows the page, not the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from kg.namespaces import DCAT, DCTERMS, KG, RDF
from kg.pages.facts import forward
from kg.pages.labels import Labeller, literal_in
from kg.pages.model import Term
from kg.store.base import Store

#: What an entry is called, the most specific first.
KINDS = (DCAT.DataService, KG.ArchitectureProduct, DCAT.Dataset)


@dataclass
class CatalogRow:
    """One dataset or data service of the catalogue."""

    term: Term
    title: str
    title_lang: str | None
    kind: Term | None = None
    publisher: Term | None = None
    themes: list[Term] = field(default_factory=list)
    description: str = ""
    description_lang: str | None = None


def catalog_rows(store: Store, items: list[str], labeller: Labeller) -> list[CatalogRow]:
    """The page's entries, in the catalogue's order."""
    facts = forward(store, items, [DCTERMS.title, DCTERMS.publisher, DCAT.theme, DCTERMS.description,
                                   RDF.type])
    linked = [str(o) for i in items for p in (DCTERMS.publisher, DCAT.theme)
              for o in facts[i][str(p)] if isinstance(o, URIRef)]
    labeller.terms(items + linked + [str(k) for k in KINDS])
    rows = []
    for i in items:
        f = facts[i]
        title = literal_in(list(f[str(DCTERMS.title)]), labeller.lang)  # type: ignore[arg-type]
        text = literal_in(list(f[str(DCTERMS.description)]), labeller.lang)  # type: ignore[arg-type]
        term = labeller.term(i)
        publishers = sorted(str(o) for o in f[str(DCTERMS.publisher)] if isinstance(o, URIRef))
        types = {str(o) for o in f[str(RDF.type)]}
        kind = next((str(k) for k in KINDS if str(k) in types), str(DCAT.Dataset))
        rows.append(CatalogRow(
            term, str(title) if title is not None else term.label.text,
            title.language if title is not None else term.label.lang,
            kind=labeller.term(kind),
            publisher=labeller.term(publishers[0]) if publishers else None,
            themes=sorted((labeller.term(str(o)) for o in f[str(DCAT.theme)] if isinstance(o, URIRef)),
                          key=lambda t: t.label.text.lower()),
            description=str(text)[:240] if text is not None else "",
            description_lang=text.language if text is not None else None))
    return rows
