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
    """An IRI written for SPARQL; refuses characters that could break out of ``<…>``."""
    if re.search(r'[<>"{}|^`\\\s]', value):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


def literal(value: str | int) -> str:
    """A plain string or integer literal written for SPARQL, escaped."""
    if isinstance(value, int):
        return str(value)
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r"))
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
