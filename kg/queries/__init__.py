"""SPARQL kept in ``.rq``/``.ru`` files, one question per file, read once.

``get_query("domain/meeting")`` returns ``kg/queries/domain/meeting.rq`` with the
PREFIX lines of :mod:`kg.namespaces` in front, so the files themselves stay
short and every prefix is spelt as in the rest of kg.  Placeholders written
``{{name}}`` are filled by :func:`render` with IRIs or literals already escaped.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from kg.namespaces import sparql_prologue

_HERE = Path(__file__).parent
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@cache
def get_query(name: str) -> str:
    """The text of ``kg/queries/<name>.rq`` (or ``.ru`` for updates) with kg's prefixes."""
    for suffix in (".rq", ".ru"):
        path = _HERE / f"{name}{suffix}"
        if path.is_file():
            return sparql_prologue() + path.read_text(encoding="utf-8")
    raise FileNotFoundError(f"no query named {name!r} in {_HERE}")


def iri(value: str) -> str:
    """An IRI written for SPARQL or N-Triples; refuses characters that could break out of ``<…>``."""
    if re.search(r'[<>"{}|^`\\\s]', value):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_LANGUAGE_TAG = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")


def literal(value: str | int, datatype: str | None = None, lang: str | None = None) -> str:
    """A literal written for SPARQL or N-Triples (their literal syntax is the same), escaped: a plain
    string, an integer, a typed or a language-tagged literal.  The one writer of literals in kg."""
    if isinstance(value, bool):
        value, datatype = ("true" if value else "false"), datatype or _XSD_BOOLEAN
    elif isinstance(value, int) and datatype is None and lang is None:
        return str(value)
    text = str(value)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if lang:
        if not _LANGUAGE_TAG.fullmatch(lang):
            raise ValueError(f"not a language tag: {lang!r}")
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^{iri(datatype)}'
    return f'"{escaped}"'


def render(name: str, **values: str) -> str:
    """``get_query(name)`` with each ``{{key}}`` replaced by the already-written term in ``values``."""
    text = get_query(name)

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"query {name!r} needs a value for {{{{{key}}}}}")
        return values[key]

    return _PLACEHOLDER.sub(fill, text)


def render_operation(name: str, **values: str) -> str:
    """:func:`render` without the prefixes: one operation of a request of several, which writes the
    prefixes once in front (``sparql_prologue() + " ;\n".join(operations)``)."""
    return render(name, **values).removeprefix(sparql_prologue())
