"""Query parameters every route reads the same way: one rule for page numbers and counts.

A page number is written in ASCII digits only (no sign, no full-width digits, no spaces),
from 1 to :data:`MAX_PAGE`; anything else is a 400 naming the parameter, on every route.
"""

from __future__ import annotations

import re

from flask import abort, request

#: The largest page any route serves (offsets must fit 64-bit integers in every back end).
MAX_PAGE = 1_000_000
_DIGITS = re.compile(r"[0-9]+")


def whole_number(name: str, default: int, low: int = 1, high: int = MAX_PAGE) -> int:
    """The parameter ``name`` as a whole number between ``low`` and ``high``; 400 otherwise."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not _DIGITS.fullmatch(raw):
        abort(400, description=f"{name} must be a whole number written in digits 0-9, got {raw[:40]!r}")
    if len(raw.lstrip("0")) > 18:  # past any page that exists, and past 64-bit offsets
        abort(400, description=f"{name} must be at most {high}, got {raw[:40]}")
    value = int(raw)
    if value < low:
        abort(400, description=f"{name} must be {low} or more, got {value}")
    if value > high:
        abort(400, description=f"{name} must be at most {high}, got {value}")
    return value


def page_number(name: str = "page") -> int:
    """A page number (1 when absent)."""
    return whole_number(name, 1)
