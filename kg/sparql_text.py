"""A SPARQL 1.1 tokenizer that follows the grammar's terminals exactly, for checks before any engine runs.

The endpoint must know a request's form (query or update, SELECT or CONSTRUCT),
refuse ``SERVICE`` and ``LOAD``, bound what a request may ask of the engine, and add
the Protocol's ``using-graph-uri`` to an update's ``WHERE``.  A check that reads the
text differently from the engine can be walked around (a prefixed name ending in the
escape ``\\'`` once made the rest of a query look like a string here while the engine
ran the ``SERVICE`` after it), so the tokens are the grammar's own (SPARQL 1.1,
section 19.8): IRIs with their ``\\u`` escapes, prefixed names with ``PN_LOCAL_ESC``
and ``%`` escapes, the four string forms with ``ECHAR``/``UCHAR``, comments, blank
node labels, variables, language tags and numbers.  Anything else that is not one
of the grammar's punctuation marks is refused before the engine sees it: a text this
tokenizer cannot read is not SPARQL, so nothing the engine runs was hidden from it.

This is one of two defences: query processes also run where they cannot reach the
network at all (``docs/deploy.md``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_PN_CHARS_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
                  "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"""\\[tbnrf\\"']"""
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_EXPONENT = r"[eE][+-]?[0-9]+"

# Order matters: long strings before short ones, prefixed names before bare keywords, numbers before '.'.
_TOKEN = re.compile(
    rf"""
    (?P<ws>[ \t\r\n]+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''
             | \"\"\"(?:(?:"|"")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*\"\"\"
             | '(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*'
             | "(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*")
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
  | (?P<var>[?$]{_VARNAME})
  | (?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)
  | (?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)
  | (?P<name>[A-Za-z][A-Za-z0-9_]*)
  | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
  | (?P<number>[0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}|[0-9]*\.[0-9]+|[0-9]+)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{{}}()\[\];,.=<>!+\-*/^|?])
    """,
    re.VERBOSE,
)

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                             "WITH"})
#: Tokens that make the engine build one more node of an operator chain (expressions, paths, groups).
OPERATOR_PUNCT = frozenset({"&&", "||", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "|", "^", "!"})
OPERATOR_KEYWORDS = frozenset({"UNION", "MINUS", "OPTIONAL", "FILTER", "BIND", "EXISTS", "IN", "SELECT"})


class LexError(ValueError):
    """The text is not made of SPARQL's tokens; ``line`` and ``column`` say where (1-based)."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{message} at line {line}, column {column}")
        self.line, self.column = line, column


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is string/iri/var/bnode/pname/name/langtag/number/punct (``depth``: braces)."""

    kind: str
    text: str
    start: int
    end: int
    depth: int

    @property
    def keyword(self) -> str | None:
        """The upper-cased keyword this token is, if it is a bare name."""
        return self.text.upper() if self.kind == "name" else None


def _where(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def unescape_codepoints(text: str) -> str:
    """Apply ``\\uXXXX``/``\\UXXXXXXXX`` escapes everywhere (the SPARQL 1.1 text's reading of them).

    Oxigraph applies them only inside IRIs and strings; the checks look at both readings, so an
    engine that followed the specification's wording could not be walked around either.
    """
    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _ESCAPE.sub(replace, text)


def tokenize(text: str, strict: bool = True) -> Iterator[Token]:
    """Significant tokens (no whitespace or comments), each with its brace depth.

    ``strict``: a character that starts no token raises :class:`LexError`; otherwise the rest
    of the text becomes one ``other`` token (used on the unescaped reading only).
    """
    depth = 0
    pos = 0
    length = len(text)
    while pos < length:
        match = _TOKEN.match(text, pos)
        if match is None:
            if strict:
                line, column = _where(text, pos)
                char = text[pos]
                what = "an unterminated string" if char in "'\"" else \
                    "an unterminated IRI" if char == "<" else f"the character {char!r}"
                raise LexError(f"not SPARQL: {what}", line, column)
            yield Token("other", text[pos:], pos, length, depth)
            return
        kind = match.lastgroup or "other"
        value = match.group()
        if kind not in ("ws", "comment"):
            if value == "}":
                depth = max(depth - 1, 0)
            yield Token(kind, value, pos, match.end(), depth)
            if value == "{":
                depth += 1
        pos = match.end()


@dataclass(frozen=True)
class Analysis:
    """What a request asks of the engine, read before it runs."""

    #: ``SELECT``/``ASK``/``CONSTRUCT``/``DESCRIBE``, ``UPDATE``, or None when it is neither.
    form: str | None
    #: Every bare keyword (upper case), in both readings of the text.
    keywords: frozenset[str]
    #: Deepest nesting of ``{ ( [``.
    depth: int
    #: Operators and group-building keywords (what the engine's recursive evaluation grows with).
    operators: int
    #: Significant tokens.
    tokens: int


def analyse(text: str) -> Analysis:
    """Tokenize a query or update (raising :class:`LexError` if it is not SPARQL's tokens) and measure it."""
    raw = list(tokenize(text))
    keywords = {t.keyword for t in raw if t.keyword}
    if "\\u" in text or "\\U" in text:  # the other reading of codepoint escapes
        keywords |= {t.keyword for t in tokenize(unescape_codepoints(text), strict=False) if t.keyword}
    depth = deepest = operators = 0
    for token in raw:
        if token.kind == "punct":
            if token.text in "{([":
                depth += 1
                deepest = max(deepest, depth)
            elif token.text in "})]":
                depth -= 1
            elif token.text in OPERATOR_PUNCT:
                operators += 1
        elif token.kind == "name" and token.text.upper() in OPERATOR_KEYWORDS:
            operators += 1
    return Analysis(_form(raw), frozenset(keywords), deepest, operators, len(raw))


def _form(tokens: list[Token]) -> str | None:
    for token in tokens:
        word = token.keyword
        if word in ("BASE", "PREFIX") or token.kind in ("iri", "pname"):
            continue
        if word in QUERY_FORMS:
            return word
        if word in UPDATE_KEYWORDS:
            return "UPDATE"
        return None
    return None


def declares_base(text: str) -> bool:
    """Whether the text's prologue (before its first operation) has a ``BASE`` of its own (never raises)."""
    for token in tokenize(text, strict=False):
        word = token.keyword
        if word == "BASE":
            return True
        if word == "PREFIX" or token.kind in ("iri", "pname"):
            continue
        return False
    return False


def keywords(text: str) -> set[str]:
    """Every bare keyword in a query or update (both readings of codepoint escapes; never raises)."""
    found = {t.keyword for t in tokenize(text, strict=False) if t.keyword}
    if "\\u" in text or "\\U" in text:
        found |= {t.keyword for t in tokenize(unescape_codepoints(text), strict=False) if t.keyword}
    return found  # type: ignore[return-value]


def operation_form(text: str) -> str | None:
    """``SELECT``/``ASK``/``CONSTRUCT``/``DESCRIBE`` for a query, ``UPDATE`` for an update, else None.

    The form is the first keyword after the prologue (``BASE``/``PREFIX`` and their arguments).
    """
    return _form(list(tokenize(text)))


def has_dataset_clause(text: str) -> bool:
    """Whether a query names its own dataset (``FROM``/``FROM NAMED``, only legal outside braces)."""
    if "from" not in text.lower():
        return False
    return any(t.keyword == "FROM" and t.depth == 0 for t in tokenize(text))


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


#: Keywords whose parenthesised or braced argument names no triple of the default graph by itself.
_NOT_A_PATTERN = frozenset({"FILTER", "BIND", "VALUES"})


def reads_default_graph(text: str) -> bool:
    """Whether an update's ``WHERE`` matches triples of the store's own default graph.

    True when some operation has a ``WHERE`` (or ``DELETE WHERE``) group with a triple pattern outside
    every ``GRAPH`` block, and names no dataset of its own with ``USING``/``WITH``.  ``FILTER``,
    ``BIND`` and ``VALUES`` alone read no triples.  Used to warn: in kg the default graph of an update
    is the store's own (usually empty), not the union of named graphs that queries see.
    """
    tokens = list(tokenize(text, strict=False))
    operations: list[list[Token]] = [[]]
    for token in tokens:
        if token.text == ";" and token.depth == 0:
            operations.append([])
        else:
            operations[-1].append(token)
    return any(_operation_reads_default(op) for op in operations)


def _operation_reads_default(tokens: list[Token]) -> bool:
    if any(t.keyword in ("USING", "WITH") and t.depth == 0 for t in tokens):
        return False
    start = next((i for i, t in enumerate(tokens) if t.keyword == "WHERE" and t.depth == 0), None)
    if start is None:
        return False
    i, end = start + 1, len(tokens)
    skip_depth: int | None = None   # inside a GRAPH block or a VALUES block: brace depth to leave at
    parens = 0                      # inside FILTER(…)/BIND(…): open parentheses
    pending: str | None = None      # the keyword whose argument comes next
    while i < end:
        token = tokens[i]
        word = token.keyword
        if skip_depth is not None:
            if token.text == "}" and token.depth == skip_depth:
                skip_depth = None
        elif parens:
            parens += token.text == "("
            parens -= token.text == ")"
        elif word == "GRAPH" or word in _NOT_A_PATTERN:
            pending = word
        elif token.text == "{" and pending in ("GRAPH", "VALUES"):
            skip_depth, pending = token.depth, None
        elif token.text == "(" and pending in _NOT_A_PATTERN:
            parens, pending = 1, None
        elif pending in ("GRAPH", "VALUES") and token.kind in ("iri", "pname", "var"):
            pass  # the graph's name, or VALUES' variables
        elif token.kind in ("iri", "pname", "var", "bnode", "string", "number") or token.text == "[":
            return True
        i += 1
    return False
