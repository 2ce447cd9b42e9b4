"""The SPARQL 1.1 Protocol's rules for reading a request, without a web framework.

The blueprint hands over the method, the ``Content-Type``, the URL's parameters,
the form's parameters and the raw body; these functions return what to run or
raise :class:`ProtocolError` with the status code the Protocol asks for and a
message for the client.  Keeping this free of Flask lets the rules be tested on
their own and reused by any front end.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kg import sparql_text as lexer

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"

Params = Mapping[str, Sequence[str]]
#: A graph that exists nowhere: the default graph of a dataset whose Protocol parameters name none.
NO_GRAPH = "urn:x-kg:no-graph"


class ProtocolError(Exception):
    """A request the Protocol refuses; ``status`` is the HTTP status to answer with.

    ``kind`` names the problem type (:data:`kg.sparql.errors.TYPES`) where the status alone does not
    tell it: ``syntax``, ``limit`` and ``policy`` (SERVICE, LOAD) are all refusals before any engine runs.
    """

    def __init__(self, status: int, message: str, kind: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind


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


_NON_ASCII = re.compile(rb"[\x80-\xff]")


def url_params(raw: bytes, what: str = "the query string") -> dict[str, list[str]]:
    """``application/x-www-form-urlencoded`` parameters, decoded strictly as UTF-8.

    One rule for every way a query arrives: bytes that are not UTF-8, percent-encoded or not, are a
    400 naming where they were, never replaced silently.
    """
    escaped = _NON_ASCII.sub(lambda m: b"%%%02X" % m.group()[0], raw).decode("ascii")
    try:
        pairs = urllib.parse.parse_qsl(escaped, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"{what} is not valid UTF-8 ({exc.reason})") from None
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


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


def _posted(name: str, direct: str, content_type: str | None, args: Params, form: Params, body: bytes) -> str:
    """The operation a POST carries, by the Protocol's two ways: the form parameter ``name``, or the
    whole body as the ``direct`` media type; in one place only, never in the URL as well."""
    kind, charset = media_type(content_type)
    if kind not in (FORM, direct):
        article = "an" if name[0] in "aeiou" else "a"
        raise ProtocolError(415, f"POST {article} {name} as {FORM} or {direct}, "
                            f"not {kind or 'a body without Content-Type'}")
    if name in args:
        raise ProtocolError(400, f"send the {name} in the body or the URL, not both")
    if kind == direct:
        return _utf8(body, charset, f"the {name}")
    text = _one(name, form)
    if text is None:
        raise ProtocolError(400, f"the form has no '{name}' parameter")
    return text


def parse_query(method: str, content_type: str | None, args: Params, form: Params,
                body: bytes) -> QueryRequest | None:
    """The query a request carries, or None when it carries none (then serve the description or page)."""
    if "update" in args or "update" in form:
        raise ProtocolError(400, "this is the query endpoint; send updates by POST to /sparql/update")
    if method in ("GET", "HEAD"):
        query = _one("query", args)
        fmt = list(args.get("format", []))
        if query is None:
            return None
    elif method == "POST":
        if media_type(content_type)[0] == SPARQL_UPDATE:
            raise ProtocolError(415, "this is the query endpoint; send updates to /sparql/update")
        query = _posted("query", SPARQL_QUERY, content_type, args, form, body)
        fmt = [*args.get("format", []), *form.get("format", [])]
    else:
        raise ProtocolError(405, f"the query endpoint answers GET and POST, not {method}")
    if not query.strip():
        raise ProtocolError(400, "the query is empty")
    form_name = check_query_safety(query).form
    if form_name == "UPDATE":
        raise ProtocolError(400, "this is an update; send it by POST to /sparql/update")
    if form_name is None:
        raise ProtocolError(400, "not a SPARQL query: it should start with SELECT, ASK, CONSTRUCT or "
                            "DESCRIBE (after any PREFIX and BASE lines)", "syntax")
    default_graphs = _graphs("default-graph-uri", args, form)
    named_graphs = _graphs("named-graph-uri", args, form)
    # The Protocol's parameters compose the whole dataset: naming only default graphs leaves no named
    # graphs, naming only named graphs leaves an empty default graph (the merge of no graph).
    if default_graphs is not None and named_graphs is None:
        named_graphs = []
    elif named_graphs is not None and default_graphs is None:
        default_graphs = [NO_GRAPH]
    return QueryRequest(query, form_name, default_graphs, named_graphs, fmt)


def parse_update(method: str, content_type: str | None, args: Params, form: Params,
                 body: bytes) -> UpdateRequest:
    """The update a request carries; only POST, as a form or ``application/sparql-update``."""
    if method != "POST":
        raise ProtocolError(405, "updates are sent by POST")
    update = _posted("update", SPARQL_UPDATE, content_type, args, form, body)
    if not update.strip():
        raise ProtocolError(400, "the update is empty")
    using = _graphs("using-graph-uri", args, form) or []
    using_named = _graphs("using-named-graph-uri", args, form) or []
    update = without_silent_loads(update)
    check_update_safety(update)
    if (using or using_named) and lexer.has_using_or_with(update):
        raise ProtocolError(400, "the update names its dataset with USING or WITH; "
                            "do not also send using-graph-uri or using-named-graph-uri")
    return UpdateRequest(lexer.add_using(update, using, using_named), using, using_named)


#: Deeper nesting of ``{ ( [`` is refused: Oxigraph's recursive parser overflows its stack and the whole
#: process dies (SIGSEGV) on about 3000 nested braces, a 6 kB GET; 2000 still parse.
MAX_NESTING = 200
#: More operators and group-building keywords than this are refused: long flat chains (10 000 ``UNION``s,
#: ``1+1+…`` with 10 000 terms, a property path of 3000 steps) overflow the engine's stack as well, and
#: in a thread with a smaller stack much sooner (an 800-step path, 4000 ``MINUS``).
MAX_OPERATORS = 500
#: Longest query or update text, in characters (large ``VALUES`` blocks fit; send more data as RDF).
MAX_TEXT = 1_000_000


def measure(text: str) -> lexer.Analysis:
    """Tokenize and measure a request's text, refusing what is not SPARQL or is past a limit (400)."""
    if len(text) > MAX_TEXT:
        raise ProtocolError(400, f"the request is {len(text)} characters long; kg accepts at most {MAX_TEXT} "
                            "(limit: query size)", "limit")
    try:
        analysis = lexer.analyse(text)
    except lexer.LexError as exc:
        raise ProtocolError(400, f"SPARQL syntax error: {exc}", "syntax") from None
    if analysis.depth > MAX_NESTING:
        raise ProtocolError(400, f"the request nests {{ ( [ {analysis.depth} deep; kg accepts at most "
                            f"{MAX_NESTING} (limit: nesting depth)", "limit")
    if analysis.operators > MAX_OPERATORS:
        raise ProtocolError(400, f"the request has {analysis.operators} operators and group patterns; kg "
                            f"accepts at most {MAX_OPERATORS} (limit: operator count)", "limit")
    return analysis


def check_query_safety(query: str) -> lexer.Analysis:
    """Refuse what is past the limits or would make the server reach the network: ``SERVICE``.

    ``FROM``/``FROM NAMED`` are allowed: they select among the store's own graphs
    and back ends must never dereference them.
    """
    analysis = measure(query)
    if "SERVICE" in analysis.keywords:
        raise ProtocolError(403, "SERVICE (federated query) is not available on this endpoint: "
                            "it never calls other servers", "policy")
    return analysis


def without_silent_loads(update: str) -> str:
    """The update without its ``LOAD SILENT`` operations: kg never fetches, and SILENT means "never fail".

    Each ``LOAD SILENT <iri> [INTO GRAPH <g>]`` is cut out with the ``;`` that separates it from the
    next operation; what remains (possibly nothing) runs as usual.
    """
    if "load" not in update.lower():
        return update
    try:
        tokens = list(lexer.tokenize(update))
    except lexer.LexError:
        return update  # not SPARQL's tokens: the checks that follow say so with its place
    cuts: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        if tokens[i].keyword == "LOAD" and i + 1 < len(tokens) and tokens[i + 1].keyword == "SILENT":
            j = i + 2
            if j < len(tokens) and tokens[j].kind in ("iri", "pname"):
                j += 1
                if j + 2 < len(tokens) and tokens[j].keyword == "INTO" and tokens[j + 1].keyword == "GRAPH":
                    j += 3
                if j < len(tokens) and tokens[j].text == ";":
                    j += 1
                cuts.append((tokens[i].start, tokens[j - 1].end))
                i = j
                continue
        i += 1
    for start, end in reversed(cuts):
        update = update[:start] + " " + update[end:]
    return update


def check_update_safety(update: str) -> lexer.Analysis:
    """Refuse ``LOAD`` (the server would fetch a URL) and ``SERVICE`` in an update's ``WHERE``.

    Call it on the text after :func:`without_silent_loads`: a ``LOAD SILENT`` succeeds without loading.
    """
    analysis = measure(update)
    if "LOAD" in analysis.keywords:
        raise ProtocolError(403, "LOAD is not available on this endpoint: it never fetches URLs; "
                            "PUT or POST the data to /sparql/graph instead", "policy")
    if "SERVICE" in analysis.keywords:
        raise ProtocolError(403, "SERVICE (federated query) is not available on this endpoint", "policy")
    return analysis
