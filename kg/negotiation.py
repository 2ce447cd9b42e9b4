"""Content negotiation by RFC 9110 (section 12.5.1), the one rule every endpoint of kg answers ``Accept`` by.

The most specific media range that matches an offer sets its quality (``text/turtle;q=0, */*``
excludes Turtle and accepts the rest); ``q=0`` excludes; among offers of equal quality the server's
order decides.  Malformed entries are skipped and a bad q-value counts as 1, so a sloppy header
still gets an answer.  Framework-free: the SPARQL protocol core and the web app both use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    """One entry of an ``Accept`` header."""

    type: str
    subtype: str
    q: float
    params: int  # number of parameters other than q: they make a range more specific

    def matches(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: -1 none, else 0..3."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != main:
            return -1
        if self.subtype == "*":
            return 1
        if self.subtype != sub:
            return -1
        return 2 + (1 if self.params else 0)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The ranges of an ``Accept`` header; malformed entries are skipped, bad q-values count as 1."""
    ranges = []
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            if media == "*":
                media = "*/*"
            else:
                continue
        main, _, sub = media.partition("/")
        if not main or not sub:
            continue
        q, params = 1.0, 0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 1.0
            elif name.strip():
                params += 1
        ranges.append(MediaRange(main, sub, q, params))
    return ranges


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The q-value the client gives ``media_type``: that of its most specific matching range."""
    best, best_q = -1, 0.0
    for r in ranges:
        specificity = r.matches(media_type)
        if specificity > best or (specificity == best and r.q > best_q):
            best, best_q = specificity, r.q
    return best_q if best >= 0 else 0.0


def choose(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers (the server's order breaks ties); None when none is acceptable.

    With no ``Accept`` header, or one with no usable entry, every offer is acceptable: the first.
    """
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0] if offers else None
    q, _, offer = max((quality(ranges, offer), -i, offer) for i, offer in enumerate(offers))
    return offer if q > 0 else None
