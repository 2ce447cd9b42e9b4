"""A small SPARQL tokenizer, enough to reason about a query before any engine sees it.

The endpoint must know a request's form (query or update, SELECT or CONSTRUCT),
refuse ``SERVICE`` and ``LOAD`` whatever the back end would do with them, and add
the Protocol's ``using-graph-uri`` to an update's ``WHERE``.  Doing that with
regular expressions over the raw text is fooled by keywords inside strings, IRIs
and comments; a tokenizer that knows those four things is not, and it is far
cheaper than a full parse (the engine parses again anyway and reports syntax
errors with positions).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Order matters: comments, strings and IRIs swallow anything that looks like a keyword inside them.
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<name>(?:[^\W\d]|_)[\w.\-\u00b7]*(?::[\w.\-:%\\]*)?|:[\w.\-:%\\]*)
  | (?P<punct>[{}()\[\];,.])
  | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                             "WITH"})


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is ws/comment/string/iri/var/name/punct/other; ``depth`` counts open braces."""

    kind: str
    text: str
    start: int
    end: int
    depth: int

    @property
    def keyword(self) -> str | None:
        """The upper-cased keyword this token is, if it is a bare name (no prefix colon)."""
        if self.kind == "name" and ":" not in self.text:
            return self.text.upper()
        return None


def unescape_codepoints(text: str) -> str:
    """Apply SPARQL's ``\\uXXXX`` escapes, which the grammar says happen before parsing.

    Some engines honour them anywhere in a query, so safety checks look at the
    unescaped text: ``\\u0053ERVICE`` must not slip past a check for ``SERVICE``.
    """
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def tokenize(text: str) -> Iterator[Token]:
    """Significant tokens (no whitespace or comments), each with its brace depth."""
    depth = 0
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:  # pragma: no cover - the last alternative matches any character
            break
        kind = match.lastgroup or "other"
        value = match.group()
        if kind == "other" and value in "'\"":
            # An unterminated string: the rest is one token, so nothing in it counts as a keyword.
            yield Token("string", text[pos:], pos, len(text), depth)
            return
        if kind not in ("ws", "comment"):
            if value == "}":
                depth = max(depth - 1, 0)
            yield Token(kind, value, pos, match.end(), depth)
            if value == "{":
                depth += 1
        pos = match.end()


def keywords(text: str) -> set[str]:
    """Every bare keyword in a query or update (after codepoint escapes)."""
    return {t.keyword for t in tokenize(unescape_codepoints(text)) if t.keyword}


def has_keyword(text: str, word: str) -> bool:
    """Whether ``word`` (upper case) is a keyword of the text; tokenizes only if the letters occur at all."""
    text = unescape_codepoints(text) if "\\u" in text or "\\U" in text else text
    if word.lower() not in text.lower():
        return False  # the common case, answered without tokenizing
    return any(t.keyword == word for t in tokenize(text))


def operation_form(text: str) -> str | None:
    """``SELECT``/``ASK``/``CONSTRUCT``/``DESCRIBE`` for a query, ``UPDATE`` for an update, else None.

    The form is the first keyword after the prologue (``BASE``/``PREFIX`` and
    their arguments).
    """
    for token in tokenize(unescape_codepoints(text)):
        word = token.keyword
        if word in ("BASE", "PREFIX") or token.kind in ("iri",) or (token.kind == "name" and not word):
            continue
        if word in QUERY_FORMS:
            return word
        if word in UPDATE_KEYWORDS:
            return "UPDATE"
        return None
    return None


def has_dataset_clause(text: str) -> bool:
    """Whether a query names its own dataset (``FROM``/``FROM NAMED``, only legal outside braces)."""
    if "from" not in text.lower() and "\\u" not in text and "\\U" not in text:
        return False
    return any(t.keyword == "FROM" and t.depth == 0 for t in tokenize(unescape_codepoints(text)))


def has_using_or_with(text: str) -> bool:
    """Whether an update names its own dataset with ``USING`` or ``WITH``."""
    return any(t.keyword in ("USING", "WITH") and t.depth == 0 for t in tokenize(text))


def add_using(text: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """The update with ``USING``/``USING NAMED`` clauses before each operation's ``WHERE``.

    This is how the Protocol's ``using-graph-uri``/``using-named-graph-uri`` reach
    an engine that takes no dataset argument for updates.  ``DELETE WHERE`` takes
    no ``USING`` in the grammar and is left alone.
    """
    clause = "".join(f"USING <{g}> " for g in default_graphs) + \
        "".join(f"USING NAMED <{g}> " for g in named_graphs)
    if not clause:
        return text
    out: list[str] = []
    last = 0
    previous: Token | None = None
    for token in tokenize(text):
        if token.keyword == "WHERE" and token.depth == 0 and not (previous and previous.keyword == "DELETE"):
            out.append(text[last:token.start])
            out.append(clause)
            last = token.start
        previous = token
    out.append(text[last:])
    return "".join(out)
