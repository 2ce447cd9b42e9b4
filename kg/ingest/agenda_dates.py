"""Dates as agendas write them: 30-11-2023, 16.08.23, 6/2-2025, 29. august 2023, okt. 2023, 2024-02-08.

Only what is written is read: a day without a year gets no year here (the
caller supplies it from context it can name), and a month with a year stays a
month (``xsd:gYearMonth``), never a made-up first of the month.
"""

from __future__ import annotations

import re
from datetime import date, time

MONTHS = {
    "januar": 1, "februar": 2, "marts": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7, "august": 8,
    "september": 9, "oktober": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "okt": 10, "nov": 11, "dec": 12,
}
MONTH_NAMES = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
               "oktober", "november", "december"]
_MONTH = r"(januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december|" \
         r"jan|feb|mar|apr|jun|jul|aug|sept|sep|okt|nov|dec)\.?"
#: 30-11-2023, 30.11.2023, 30/11/2023, 16.08.23, 6/2-2025, 6/2 2025
NUMERIC = re.compile(r"(?<![\d.])(\d{1,2})[-./](\d{1,2})(?:[-./]|/?\s(?=\d{4}))(\d{4}|\d{2})(?![\d])")
#: 2024-02-08 (ISO 8601, also before a "T" and a time)
ISO = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d])")
_FULL_MONTH = r"(januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december)"
#: 29. august 2023 (year optional: "den 29. august og 31. oktober"); without the dot only with the
#: month written out and a year ("29 august 2023"; "v. 0,8 okt. 2023" is a version, not a day)
WRITTEN = re.compile(r"(?<![\d.,])(\d{1,2})(?:\.\s*" + _MONTH + r"|\s+" + _FULL_MONTH + r"(?=,?\s+\d{4}))"
                     + r"(?:,?\s+(\d{4}))?(?![\w])", re.IGNORECASE)
#: september 2023, okt. 2023 (no day)
MONTH_YEAR = re.compile(r"\b" + _MONTH + r"\s+(\d{4})(?![\d+])", re.IGNORECASE)
TIME = re.compile(r"(?:kl\.?\s*)?(?<![\d.:])([01]?\d|2[0-3])[:.]([0-5]\d)(?![\d])"
                  r"|\bkl\.?\s*([01]?\d|2[0-3])(?![\d:.]\d)")


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if year < 100 else year


def _month(match: re.Match[str]) -> int:
    return MONTHS[(match.group(2) or match.group(3)).lower()]


def full_dates(text: str) -> list[tuple[date, re.Match[str]]]:
    """Every complete date in the text (day, month and year), in order."""
    found: list[tuple[date, re.Match[str]]] = []
    for match in ISO.finditer(text):
        try:
            found.append((date(int(match.group(1)), int(match.group(2)), int(match.group(3))), match))
        except ValueError:
            continue
    for match in NUMERIC.finditer(text):
        try:
            found.append((date(_year(match.group(3)), int(match.group(2)), int(match.group(1))), match))
        except ValueError:
            continue
    for match in WRITTEN.finditer(text):
        if match.group(4):
            try:
                found.append((date(int(match.group(4)), _month(match), int(match.group(1))), match))
            except ValueError:
                continue
    return sorted(found, key=lambda pair: pair[1].start())


def day_months(text: str) -> list[tuple[int, int]]:
    """Every "29. august" (year or not) in the text as ``(day, month)``, in order."""
    return [(int(m.group(1)), _month(m)) for m in WRITTEN.finditer(text)]


def month_year(text: str) -> tuple[int, int] | None:
    """The first "september 2023" / "okt. 2023" in the text as ``(year, month)``."""
    match = MONTH_YEAR.search(text)
    return (int(match.group(2)), MONTHS[match.group(1).lower()]) if match else None


def meeting_start(text: str) -> tuple[date, time | None] | None:
    """The date and (if written) time of a "Dato:" field."""
    dates = full_dates(text)
    if not dates:
        return None
    when, match = dates[0]
    return when, clock_time(text[match.end():])


def clock_time(text: str) -> time | None:
    """The first time of day in the text ("kl. 9.30", "13:00-15:00", "kl. 13"), else None."""
    clock = TIME.search(text)
    if clock is None:
        return None
    if clock.group(3) is not None:
        return time(int(clock.group(3)), 0)
    return time(int(clock.group(1)), int(clock.group(2)))


def danish_long(day: date) -> str:
    """``30. november 2023``."""
    return f"{day.day}. {MONTH_NAMES[day.month - 1]} {day.year}"
