"""The SPARQL 1.1 Protocol's rules for reading a request, without a web framework.

The blueprint hands over the method, the ``Content-Type``, the URL's parameters,
the form's parameters and the raw body; these functions return what to run or
raise :class:`ProtocolError` with the status code the Protocol asks for and a
message for the client.  Keeping this free of Flask lets the rules be tested on
their own and reused by any front end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kg.sparql import lexer

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"

Params = Mapping[str, Sequence[str]]


class ProtocolError(Exception):
    """A request the Protocol refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class QueryRequest:
    """A query to run: its text, form, and the dataset the Protocol's parameters name."""

    query: str
    form: str
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    format: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UpdateRequest:
    """An update to run, with ``using-graph-uri``/``using-named-graph-uri`` already applied."""

    update: str
    using_graphs: list[str] = field(default_factory=list)
    using_named_graphs: list[str] = field(default_factory=list)


def media_type(content_type: str | None) -> tuple[str, str | None]:
    """``(type, charset)`` of a ``Content-Type`` header, lower-cased; empty type when absent."""
    if not content_type:
        return "", None
    parts = [p.strip() for p in content_type.split(";")]
    charset = None
    for param in parts[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return parts[0].lower(), charset


def _one(name: str, *sources: Params) -> str | None:
    values = [v for source in sources for v in source.get(name, [])]
    if len(values) > 1:
        raise ProtocolError(400, f"the request has {len(values)} '{name}' parameters; send exactly one")
    return values[0] if values else None


def _graphs(name: str, *sources: Params) -> list[str] | None:
    values = [v for source in sources for v in source.get(name, [])]
    for value in values:
        if not value or any(c in value for c in '<>"{}|^`\\ \n\t'):
            raise ProtocolError(400, f"'{name}' must be an absolute IRI, got {value!r}")
    return values or None


def _utf8(body: bytes, charset: str | None, what: str) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise ProtocolError(415, f"{what} must be sent in UTF-8, not {charset}")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"{what} is not valid UTF-8 (byte {exc.start})") from None


def parse_query(method: str, content_type: str | None, args: Params, form: Params,
                body: bytes) -> QueryRequest | None:
    """The query a request carries, or None when it carries none (then serve the description or page)."""
    kind, charset = media_type(content_type)
    if "update" in args or "update" in form:
        raise ProtocolError(400, "this is the query endpoint; send updates by POST to /sparql/update")
    if method in ("GET", "HEAD"):
        query = _one("query", args)
        fmt = list(args.get("format", []))
        if query is None:
            return None
    elif method == "POST":
        if kind == FORM:
            if "query" in args:
                raise ProtocolError(400, "send the query in the form body or the URL, not both")
            query = _one("query", form)
            if query is None:
                raise ProtocolError(400, "the form has no 'query' parameter")
        elif kind == SPARQL_QUERY:
            if "query" in args:
                raise ProtocolError(400, "send the query in the body or the URL, not both")
            query = _utf8(body, charset, "the query")
        elif kind == SPARQL_UPDATE:
            raise ProtocolError(415, "this is the query endpoint; send updates to /sparql/update")
        else:
            raise ProtocolError(415, f"POST a query as {FORM} or {SPARQL_QUERY}, "
                                f"not {kind or 'a body without Content-Type'}")
        fmt = [*args.get("format", []), *form.get("format", [])]
    else:
        raise ProtocolError(405, f"the query endpoint answers GET and POST, not {method}")
    if not query.strip():
        raise ProtocolError(400, "the query is empty")
    form_name = lexer.operation_form(query)
    if form_name == "UPDATE":
        raise ProtocolError(400, "this is an update; send it by POST to /sparql/update")
    if form_name is None:
        raise ProtocolError(400, "not a SPARQL query: it should start with SELECT, ASK, CONSTRUCT or "
                            "DESCRIBE (after any PREFIX and BASE lines)")
    check_query_safety(query)
    return QueryRequest(query, form_name, _graphs("default-graph-uri", args, form),
                        _graphs("named-graph-uri", args, form), fmt)


def parse_update(method: str, content_type: str | None, args: Params, form: Params,
                 body: bytes) -> UpdateRequest:
    """The update a request carries; only POST, as a form or ``application/sparql-update``."""
    if method != "POST":
        raise ProtocolError(405, "updates are sent by POST")
    kind, charset = media_type(content_type)
    if kind == FORM:
        if "update" in args:
            raise ProtocolError(400, "send the update in the form body, not the URL")
        update = _one("update", form)
        if update is None:
            raise ProtocolError(400, "the form has no 'update' parameter")
    elif kind == SPARQL_UPDATE:
        if "update" in args:
            raise ProtocolError(400, "send the update in the body or the URL, not both")
        update = _utf8(body, charset, "the update")
    else:
        raise ProtocolError(415, f"POST an update as {FORM} or {SPARQL_UPDATE}, "
                            f"not {kind or 'a body without Content-Type'}")
    if not update.strip():
        raise ProtocolError(400, "the update is empty")
    using = _graphs("using-graph-uri", args, form) or []
    using_named = _graphs("using-named-graph-uri", args, form) or []
    check_update_safety(update)
    if (using or using_named) and lexer.has_using_or_with(update):
        raise ProtocolError(400, "the update names its dataset with USING or WITH; "
                            "do not also send using-graph-uri or using-named-graph-uri")
    return UpdateRequest(lexer.add_using(update, using, using_named), using, using_named)


#: Deeper nesting of ``{ ( [`` is refused: Oxigraph's recursive parser overflows its stack and the whole
#: process dies (SIGSEGV) on about 3000 nested braces, a 6 kB GET; 2000 still parse.
MAX_NESTING = 200


def check_nesting(text: str) -> None:
    """Refuse a query or update nested deeper than :data:`MAX_NESTING` (counted outside strings and IRIs)."""
    text = lexer.unescape_codepoints(text)
    if text.count("{") + text.count("(") + text.count("[") <= MAX_NESTING:
        return
    depth = deepest = 0
    for token in lexer.tokenize(text):
        if token.kind == "punct" and token.text in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif token.kind == "punct" and token.text in "})]":
            depth -= 1
    if deepest > MAX_NESTING:
        raise ProtocolError(400, f"the request nests {{ ( [ {deepest} deep; kg accepts at most {MAX_NESTING}")


def check_query_safety(query: str) -> None:
    """Refuse what would make the server reach the network: ``SERVICE`` (federated query).

    ``FROM``/``FROM NAMED`` are allowed: they select among the store's own graphs
    and back ends must never dereference them.
    """
    check_nesting(query)
    if lexer.has_keyword(query, "SERVICE"):
        raise ProtocolError(400, "SERVICE (federated query) is not available on this endpoint: "
                            "it never calls other servers")


def check_update_safety(update: str) -> None:
    """Refuse ``LOAD`` (the server would fetch a URL) and ``SERVICE`` in an update's ``WHERE``."""
    check_nesting(update)
    if lexer.has_keyword(update, "LOAD"):
        raise ProtocolError(400, "LOAD is not available on this endpoint: it never fetches URLs; "
                            "PUT or POST the data to /sparql/graph instead")
    if lexer.has_keyword(update, "SERVICE"):
        raise ProtocolError(400, "SERVICE (federated query) is not available on this endpoint")
