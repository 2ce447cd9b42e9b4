"""The pages' language: Danish by default, English by choice, remembered in a cookie.

The choice is, in order: ``?lang=`` on the request (then remembered), the ``kg_lang``
cookie, the browser's Accept-Language, Danish.  UI strings live in
``webapp/messages.json`` (one entry per key, ``da`` and ``en``); data labels are
chosen by :mod:`kg.pages.labels` with the same language.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, g, request

from kg.pages.labels import LANGUAGES

COOKIE = "kg_lang"
DEFAULT = LANGUAGES[0]


@cache
def messages() -> dict[str, dict[str, str]]:
    """Every UI string by key, then language."""
    return json.loads(Path(__file__).with_name("messages.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def translate(key: str, lang: str) -> str:
    """The UI string ``key`` in ``lang`` (the key itself when it is missing, so a gap shows)."""
    entry = messages().get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry.get(DEFAULT) or key


_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:T(\d{2}:\d{2}))?")


def format_date(value: str, lang: str, with_time: bool = True) -> str:
    """A date as a reader writes it: "30. november 2023, kl. 10:00" / "30 November 2023, 10:00";
    a month ("september 2023") or a year as precise as the value; anything else unchanged."""
    found = _DATE.match(value or "")
    if not found:
        return value
    year, month, day, clock = found.groups()
    if month is None:
        return year
    name = translate(f"month_{int(month)}", lang)
    if day is None:
        text = translate("month_format", lang).replace("{month}", name).replace("{y}", year)
    else:
        text = (translate("date_format", lang).replace("{d}", str(int(day))).replace("{month}", name)
                .replace("{y}", year))
    if clock and with_time:
        text += ", " + translate("time_format", lang).replace("{t}", clock)
    return text


def current_language() -> str:
    """The language of this request (computed once per request)."""
    if "kg_lang" in g:
        return g.kg_lang  # type: ignore[no-any-return]
    lang = None
    asked = request.args.get("lang", "").lower()
    if asked in LANGUAGES:
        lang, g.kg_lang_remember = asked, True
    elif request.cookies.get(COOKIE) in LANGUAGES:
        lang = request.cookies[COOKIE]
    else:
        lang = request.accept_languages.best_match(LANGUAGES) or DEFAULT
    g.kg_lang = lang
    return lang


def describe_endpoint(lang: str) -> str:
    """A sentence about the page this request shows, for ``<meta name="description">`` (pages about one
    resource give its own description instead)."""
    key = "describe_" + (request.endpoint or "").replace(".", "_")
    return translate(key if key in messages() else "site_description", lang)


def url_with(**changes: str | int | None) -> str:
    """This request's URL with some query parameters changed (None removes one)."""
    params = {k: v for k, v in request.args.items(multi=False)}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return request.script_root + request.path + (f"?{query}" if query else "")


def init_app(app: Flask) -> None:
    """Template helpers and the cookie that remembers a chosen language, for every page of the app."""

    @app.context_processor
    def language_context() -> dict[str, object]:
        lang = current_language()
        return {
            "lang": lang,
            "other_lang": "en" if lang == "da" else "da",
            "t": lambda key: translate(key, lang),
            "url_with": url_with,
            "describe_endpoint": lambda: describe_endpoint(lang),
            "human_date": lambda value, with_time=True: format_date(str(value or ""), lang, with_time),
        }

    @app.after_request
    def remember_language(response: Response) -> Response:
        if g.get("kg_lang_remember"):
            response.set_cookie(COOKIE, g.kg_lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        if "kg_lang" in g and response.mimetype == "text/html":
            response.headers["Content-Language"] = g.kg_lang
            vary = {v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()}
            response.headers["Vary"] = ", ".join(sorted(vary | {"Accept-Language", "Cookie"}))
        return response
