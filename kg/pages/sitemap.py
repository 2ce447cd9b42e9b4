"""What a search engine should crawl: every page kg serves for a resource, with when its sources changed.

Built by the derivation pipeline (:mod:`kg.pages.summaries`); ``/sitemap.xml`` only lays it out.
Paths are relative to the site (``/id/…``), so the sitemap names the host it is served from.
"""

from __future__ import annotations

from kg import graphs
from kg.iris import Minter
from kg.namespaces import KG, LADE
from kg.queries import iri, literal, render
from kg.store.base import Store

#: The pages about the whole graph, listed first.
OVERVIEW_PATHS = ("/", "/meetings", "/catalog", "/quality", "/validation")
#: kg's ontologies are served under /def/ (their IRIs are fixed, whatever the base).
ONTOLOGY_PATHS = tuple("/def/" + str(ns).rstrip("#").rsplit("/", 1)[-1] for ns in (KG, LADE))


def sitemap_entries(store: Store) -> list[tuple[str, str]]:
    """``(path, lastmod)`` for the overview pages, kg's ontologies and every resource under ``<base>/id/``."""
    base = store.base_iri.rstrip("/")
    derived = ", ".join(iri(g) for g in sorted(graphs.derived_graphs(base)))
    rows = store.select(render("browse/sitemap", prefix=literal(base + "/id/"), derived=derived,
                               meta=iri(Minter(base).meta_graph())))
    found = sorted((str(r["s"])[len(base):], str(r.get("modified") or "")[:10]) for r in rows
                   if "#" not in str(r["s"]) and "?" not in str(r["s"]))
    return [(p, "") for p in OVERVIEW_PATHS + ONTOLOGY_PATHS] + found
