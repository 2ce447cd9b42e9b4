"""``Accept`` for the web app's routes: kg's one negotiator (:mod:`kg.negotiation`) on this request."""

from __future__ import annotations

from collections.abc import Sequence

from flask import request

from kg.negotiation import choose


def preferred(offers: Sequence[str], absent: str | None = None) -> str | None:
    """The offer this request's ``Accept`` prefers; None when it accepts none of them.

    ``absent``: the answer for a request with no ``Accept`` header (browsers always send one;
    a bare client gets what the route serves by default), the first offer when not given.
    """
    header = request.headers.get("Accept", "")
    if not header.strip():
        return absent if absent is not None else (offers[0] if offers else None)
    return choose(header, offers)
