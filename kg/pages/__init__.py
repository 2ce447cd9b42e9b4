"""Page view models for the browse pages, built from the store without Flask.

:func:`resource_page` is the one entry point for a resource: the generic page
(:mod:`kg.pages.resource`) plus the sections of its domain kind
(:mod:`kg.pages.domain`).  :mod:`kg.pages.overview` builds the pages about the
whole graph; :mod:`kg.pages.rdf` the RDF documents of content negotiation.
"""

from __future__ import annotations

from kg.pages import cache
from kg.pages.domain import add_sections, kind_of
from kg.pages.labels import LANGUAGES, Labeller
from kg.pages.model import ResourcePage
from kg.pages.resource import build, described, exists
from kg.store.base import Store


def labeller_for(store: Store, lang: str) -> Labeller:
    """A labeller sharing what earlier requests found, until the store changes."""
    return Labeller(store, lang, cache.entries(store).setdefault("labels", {}))


def resource_page(store: Store, resource: str, lang: str, incoming_focus: str | None = None,
                  incoming_page: int = 1, within: str = "") -> ResourcePage:
    """The full page of ``resource`` in ``lang``: generic content and domain sections."""
    labeller = labeller_for(store, lang)
    page = build(store, resource, lang, incoming_focus=incoming_focus, incoming_page_number=incoming_page,
                 labeller=labeller)
    page.kind = kind_of([t.iri for t in page.types])
    return add_sections(store, page, labeller, within)


__all__ = ["LANGUAGES", "Labeller", "ResourcePage", "described", "exists", "labeller_for", "resource_page"]
