"""A schema.org ``Dataset`` for a dataset's or product's page, embedded as JSON-LD for search engines.

Search engines read schema.org, not DCAT, so the page's DCAT statements are restated in
schema.org terms (name, description, identifier, version, keywords, creator, publisher,
licence, dates, distributions as ``DataDownload``, the catalogue as ``DataCatalog``).  The
context is written inline (``@vocab``), so a consumer needs no network to read it; Jinja's
``tojson`` escapes it for the HTML page.  Everything is built from the page model the page
itself shows, so the embedded data says no more than the page.
"""

from __future__ import annotations

from typing import Any

from kg.namespaces import ADMS, DCAT, DCTERMS, OWL, SCHEMA
from kg.pages.model import ResourcePage, Value

_TEXT = {"name": DCTERMS.title, "alternateName": DCTERMS.alternative, "description": DCTERMS.description}
_PLAIN = {"identifier": DCTERMS.identifier, "version": OWL.versionInfo, "dateCreated": DCTERMS.created,
          "datePublished": DCTERMS.issued, "dateModified": DCTERMS.modified}
_AGENTS = {"publisher": DCTERMS.publisher, "creator": DCTERMS.creator}
_LINKS = {"license": DCTERMS.license, "url": DCAT.landingPage}


def schema_dataset(page: ResourcePage, lang: str, distributions: list[dict[str, str]] | None = None,
                   catalog: dict[str, str] | None = None) -> dict[str, Any]:
    """The page's resource as a schema.org ``Dataset`` (texts in ``lang`` where there is a choice)."""
    data: dict[str, Any] = {"@context": {"@vocab": str(SCHEMA)}, "@type": "Dataset", "@id": page.iri}
    for key, predicate in _TEXT.items():
        text = _text(page, str(predicate), lang)
        if text:
            data[key] = text
    data.setdefault("name", page.label.text)
    for key, predicate in _PLAIN.items():
        values = _values(page, str(predicate))
        if values:
            data[key] = values[0].text
    if "version" not in data:
        version = _values(page, str(DCAT) + "version")
        if version:
            data["version"] = version[0].text
    keywords = [v.text for v in _values(page, str(DCAT.keyword)) if v.lang in (None, lang)]
    keywords += [v.term.label.text for v in _values(page, str(DCAT.theme)) if v.term is not None]
    if keywords:
        data["keywords"] = list(dict.fromkeys(keywords))
    for key, predicate in _AGENTS.items():
        agents = [{"@type": "Organization", "@id": v.term.iri, "name": v.term.label.text}
                  for v in _values(page, str(predicate)) if v.term is not None]
        if agents:
            data[key] = agents[0] if len(agents) == 1 else agents
    for key, predicate in _LINKS.items():
        links = [v.term.iri for v in _values(page, str(predicate)) if v.term is not None]
        if links:
            data[key] = links[0]
    status = _values(page, str(ADMS.status))
    if status and status[0].term is not None:
        data["creativeWorkStatus"] = status[0].term.label.text
    if distributions:
        data["distribution"] = [{"@type": "DataDownload", **d} for d in distributions]
    if catalog:
        data["includedInDataCatalog"] = {"@type": "DataCatalog", **catalog}
    return data


def _values(page: ResourcePage, predicate: str) -> list[Value]:
    return [v for g in page.properties if g.predicate.iri == predicate for v in g.values]


def _text(page: ResourcePage, predicate: str, lang: str) -> str:
    values = [v for v in _values(page, predicate) if v.kind == "literal"]
    chosen = ([v for v in values if v.lang == lang] or [v for v in values if not v.lang]
              or [v for v in values if v.lang in ("da", "en")] or values)
    return chosen[0].text if chosen else ""
