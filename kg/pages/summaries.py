"""The pages about the whole graph, computed by the derivation pipeline and read by requests.

The home page, the meetings list, the validation report, the quality overview, the Atom feed of
meetings and decisions and the sitemap aggregate over the whole graph; they change only when the
data does.  :func:`publish_summaries` (a
step of :mod:`kg.derive`) builds their view models in every language after each change and
stores them in the publication; :func:`summary` reads one back.  A request never runs
these aggregates.
"""

from __future__ import annotations

import pickle
from typing import Any

from kg.pages import labeller_for, overview
from kg.pages.feed import build_feed
from kg.pages.labels import LANGUAGES
from kg.pages.sitemap import sitemap_entries
from kg.publication import Publication
from kg.queries import get_query
from kg.store.base import Store

SEVERITY_FILTERS = (None, "violation", "warning", "info")
_PREFIX = "summary:"


def _home(store: Store, lang: str, dimensions: list[dict[str, Any]]) -> dict[str, Any]:
    labeller = labeller_for(store, lang)
    meeting_rows = overview.meetings(store, labeller)
    return {
        "counts": overview.counts(store, labeller), "meetings": meeting_rows,
        "decisions": overview.latest_decisions(store, labeller, meeting_rows),
        "products": overview.products(store, labeller),
        "dimensions": overview.quality_overview(store, labeller, dimensions),
        "graphs": [g for g in store.graphs() if g.source],
    }


def _quality(store: Store, lang: str, dimensions: list[dict[str, Any]]) -> dict[str, Any]:
    labeller = labeller_for(store, lang)
    return {"dimensions": overview.quality_overview(store, labeller, dimensions),
            "metrics": overview.quality_metrics(store, labeller)}


def compute(store: Store) -> dict[str, Any]:
    """Every summary, by key."""
    out: dict[str, Any] = {}
    findings = overview.validation_rows(store)   # read once for every language and severity
    dimensions = store.select(get_query("browse/quality-overview"))
    for lang in LANGUAGES:
        out[f"home:{lang}"] = _home(store, lang, dimensions)
        out[f"meetings:{lang}"] = overview.meetings(store, labeller_for(store, lang))
        out[f"quality:{lang}"] = _quality(store, lang, dimensions)
        out[f"feed:{lang}"] = build_feed(store, labeller_for(store, lang))
        for severity in SEVERITY_FILTERS:
            out[f"validation:{lang}:{severity or ''}"] = overview.validation_report(
                store, labeller_for(store, lang), severity, findings)
    out["sitemap"] = sitemap_entries(store)
    return out


def publish_summaries(store: Store, publication: Publication) -> None:
    """Compute every summary and store it, all in one transaction."""
    summaries = compute(store)
    with publication.writing() as batch:
        for key, value in summaries.items():
            batch.put(_PREFIX + key, pickle.dumps(value), "application/x-python-pickle", "", None)


def summary(publication: Publication, key: str) -> Any:
    """A stored summary (None before the pipeline has run).

    The publication is kg's own file, written only by kg's pipeline, so its pickles are trusted.
    """
    stored = publication.get(_PREFIX + key)
    return None if stored is None else pickle.loads(stored.body)
