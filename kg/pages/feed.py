"""The news a reviewer subscribes to: new meetings and the decisions taken at them, for an Atom feed.

Built by the derivation pipeline after every change (:mod:`kg.pages.summaries`) and read by the
``/feed.atom`` route, which only lays it out; so a request never aggregates over the graph.  An
entry's ``updated`` is when kg loaded the source that states it (the PROV record of the agenda's
or minutes' graph), so an entry changes when its source does and a feed reader sees it as new
when a new agenda arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.pages import overview
from kg.pages.domain import meeting_decisions
from kg.pages.labels import Labeller
from kg.pages.model import Term
from kg.pages.resource import graph_sources
from kg.pages.sources import source_kind
from kg.store.base import Store

#: How many entries the feed carries (the newest).
FEED_SIZE = 50
#: Sources whose load time says when kg learned of a meeting or a decision.
_DOCUMENT_KINDS = ("agenda", "minutes", "editorial")


@dataclass
class FeedEntry:
    """A meeting or a decision, as one entry of the feed."""

    kind: str                    # "meeting" | "decision"
    term: Term
    date: str                    # the meeting's date (yyyy-mm-dd)
    updated: str                 # RFC 3339, with a time zone
    body: Term | None = None
    meeting: Term | None = None
    outcome: Term | None = None
    proposal: str = ""
    product: Term | None = None
    position: int = 0


@dataclass
class Feed:
    updated: str
    entries: list[FeedEntry] = field(default_factory=list)


def build_feed(store: Store, labeller: Labeller) -> Feed:
    """The newest meetings and their decisions, newest first."""
    rows = overview.meetings(store, labeller)
    entries: list[FeedEntry] = []
    for row in rows[:FEED_SIZE]:
        updated = _loaded(store, row.term.iri) or _midnight(row.date)
        entries.append(FeedEntry("meeting", row.term, row.date, updated, body=row.body))
        if row.decisions:
            for d in meeting_decisions(store, [row.term.iri], labeller):
                entries.append(FeedEntry("decision", d.term, d.date or row.date,
                                         _loaded(store, d.term.iri) or updated, body=d.body,
                                         meeting=d.meeting, outcome=d.outcome, proposal=d.proposal,
                                         product=d.product, position=d.position))
    # Newest meeting first, each followed by its decisions in the order of its list.
    entries.sort(key=lambda e: (e.position, e.term.iri))
    entries.sort(key=lambda e: (e.date, e.kind == "meeting"), reverse=True)
    entries = entries[:FEED_SIZE]
    return Feed(max((e.updated for e in entries), default=_midnight("1970-01-01")), entries)


def _loaded(store: Store, resource: str) -> str:
    """When kg last loaded a document that states this resource (RFC 3339), or ''."""
    times = [g.loaded_at for g in graph_sources(store, resource)
             if g.loaded_at and source_kind(g.iri, store.base_iri) in _DOCUMENT_KINDS]
    return max(times, default="")


def _midnight(day: str) -> str:
    return f"{day[:10] or '1970-01-01'}T00:00:00Z"
