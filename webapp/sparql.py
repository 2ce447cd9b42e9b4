"""The SPARQL endpoint: ``/sparql`` (query); ``/sparql/update`` and ``/sparql/graph`` (writes, by token).

The Protocol's rules, content negotiation, safety checks and time limits live in
:mod:`kg.sparql` (no Flask there); this module maps them onto HTTP.  Queries run
in a worker thread under ``query_timeout`` so that a runaway query answers 503
while the server keeps serving others; answers are written by the store's own
serialisers (:meth:`kg.store.Store.execute`).  Every client mistake is a 4xx
with a one-line message.
"""

from __future__ import annotations

import hmac
import json
import re
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from werkzeug.exceptions import HTTPException, NotFound

from kg.iri_syntax import is_web_iri
from kg.namespaces import PREFIXES
from kg.queries import get_query, iri, render
from kg.sparql import conneg
from kg.sparql.description import serialize_description, service_description
from kg.sparql.errors import PROBLEM_JSON, TYPES, Problem, problem_for, wants_problem_json
from kg.sparql.execution import run_with_deadline
from kg.sparql.protocol import FORM, ProtocolError, QueryRequest, parse_query, parse_update, url_params
from kg.sparql.upload import check_upload, syntax_of, to_ntriples
from kg.sparql_text import declares_base, reads_default_graph
from kg.store import QuerySyntaxError
from webapp.context import get_settings, get_store, get_writer

bp = Blueprint("sparql", __name__)


@bp.app_template_test("web_link")
def web_link(value: str) -> bool:
    """Whether an IRI may be a link on a page: http and https only (never ``javascript:``, ``data:`` …)."""
    return is_web_iri(value)


#: Said (header and body) when an update's WHERE reads the store's own default graph.
DEFAULT_GRAPH_WARNING = ("this update's WHERE matched the store's own default graph, which holds only what "
                         "was written to it (?default); kg's data is in named graphs, which queries see as "
                         "their default graph but updates do not: use GRAPH ?g { ... }, USING or WITH")
#: Headers a browser on another origin may read from a query answer.
_EXPOSED = "X-KG-Truncated, X-KG-Row-Limit, Content-Type"
#: Answer kinds by query form.
_KIND = {"SELECT": "bindings", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
_POSITION = re.compile(r"\b(at|line) (\d+)(:| column )(\d+)")
#: A position given as a line alone (Virtuoso's "SPARQL compiler, line 3: ...").
_LINE = re.compile(r"\bline (\d+):(?!\d)")
_EXAMPLES = Path(__file__).resolve().parents[1] / "kg" / "queries" / "examples"

# -- answers -------------------------------------------------------------------------------------

def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain answer: one line of text."""
    response = Response(f"{message}\n", status=status, content_type="text/plain; charset=utf-8")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _problem(problem: Problem) -> Response:
    """An error answer: ``application/problem+json`` (RFC 9457) when the client names it in ``Accept``,
    else the detail as one line of plain text (the Protocol leaves the body format open)."""
    if wants_problem_json(request.headers.get("Accept")):
        root = url_for("sparql.problem_type", name="", _external=True)
        response = Response(problem.json(root, request.path), status=problem.status,
                            content_type=f"{PROBLEM_JSON}; charset=utf-8")
    else:
        response = _text(problem.status, problem.text().rstrip("\n"))
    for name, value in problem.headers.items():
        response.headers[name] = value
    response.vary.add("Accept")
    return response


def _error(exc: BaseException) -> Response:
    """Whatever a SPARQL route raised, answered by the one mapping (:func:`kg.sparql.errors.problem_for`)."""
    if isinstance(exc, HTTPException) and exc.code is not None and exc.code < 500:  # the framework's 413 …
        exc = ProtocolError(exc.code, f"{exc.name}: {exc.description}")
    message = _syntax_message(exc) if isinstance(exc, QuerySyntaxError) else None
    problem = problem_for(exc, message)
    if problem.kind == "internal":
        current_app.logger.error("%s %s failed", request.method, request.path, exc_info=exc)
    elif problem.kind == "engine-failure":
        current_app.logger.error("%s %s: %s", request.method, request.path, exc)
    elif problem.kind == "unavailable":
        current_app.logger.warning("store unavailable: %s", exc)
    return _problem(problem)


def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = _EXPOSED
    response.vary.add("Accept")
    return response


def _preflight() -> Response:
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    response.headers["Access-Control-Max-Age"] = "86400"
    return _cors(response)


def _base_prologue(text: str) -> str:
    """``BASE`` for queries and updates: relative IRIs mean kg's own, as in the files of ``data/``.

    A client's own ``BASE`` wins: then the line is left empty (one line either way, so positions in
    error messages count the same), as some stores (Virtuoso) refuse a second ``BASE`` in a prologue.
    """
    return "\n" if declares_base(text) else f"BASE <{get_settings().base}>\n"


def _syntax_message(exc: Exception) -> str:
    """The engine's message with line numbers counted in the client's text (the BASE line is ours)."""
    message, found = _POSITION.subn(
        lambda m: f"{m.group(1)} {max(int(m.group(2)) - 1, 1)}{m.group(3)}{m.group(4)}", str(exc))
    if not found:
        message = _LINE.sub(lambda m: f"line {max(int(m.group(1)) - 1, 1)}:", message)
    return re.sub(r"\s*[\r\n]+\s*", " ", message)  # one line: the engine's lists of expected tokens wrap


def _run(work: Callable[[float], Any]) -> Any:
    """Run a query's work under the time limit: the store's query processes enforce it themselves;
    a store in this process gets a thread to wait on."""
    timeout = get_settings().query_timeout
    if getattr(get_store(), "enforces_timeouts", False):
        return work(time.monotonic() + timeout)
    return run_with_deadline(work, timeout)


@bp.get("/sparql/problems/<name>")
def problem_type(name: str) -> Response:
    """What an error answer's ``type`` means (the problem types of RFC 9457 answers)."""
    if name not in TYPES:
        raise NotFound(f"no problem type {name!r}; kg's are: {', '.join(TYPES)}")
    title, description = TYPES[name]
    return _text(200, f"{title}\n\n{description}")


# -- the query endpoint --------------------------------------------------------------------------

#: Methods routed to the views only to be refused there, in plain text, as the Protocol expects.
_OTHER = ["PUT", "DELETE", "PATCH"]


def _not_allowed(allowed: str) -> Response:
    return _problem(Problem(405, "protocol", f"{request.method} is not allowed here; use {allowed}.",
                            {"Allow": allowed}))


@bp.route("/sparql/", methods=["GET", "HEAD", "POST", "OPTIONS", *_OTHER])  # the W3C tests' spelling
@bp.route("/sparql", methods=["GET", "HEAD", "POST", "OPTIONS", *_OTHER])  # first: url_for builds this
def query() -> Response:
    """SPARQL 1.1 Protocol query operation; without a query, the description or the query page."""
    if request.method == "OPTIONS":
        return _preflight()
    if request.method in _OTHER:
        return _cors(_not_allowed("GET, POST"))
    return _cors(_query())


def _query() -> Response:
    try:
        args = url_params(request.query_string)
        body = request.get_data(cache=True) if request.method == "POST" else b""
        form = url_params(body, "the form") if request.method == "POST" and request.mimetype == FORM else {}
        parsed = parse_query(request.method, request.content_type, args, form, body)
        if parsed is None:
            return _description_or_page()
        kind = _KIND[parsed.form]
        media = conneg.negotiate(request.headers.get("Accept"), kind, parsed.format)
        if media == conneg.HTML:
            return _html_answer(parsed, kind)
        body, truncated = _answer(parsed, conneg.writer_type(kind, media))
    except Exception as exc:  # every failure is an answer: one mapping, 4xx for the client's, 5xx for kg's
        return _error(exc)
    response = Response(body, content_type=conneg.content_type(media))
    if truncated:
        response.headers["X-KG-Truncated"] = "true"
        response.headers["X-KG-Row-Limit"] = str(get_settings().max_rows)
    return response


def _answer(parsed: QueryRequest, writer: str) -> tuple[bytes, bool]:
    """Run and serialise in the worker thread, so the time limit covers both."""
    store, settings = get_store(), get_settings()
    text = _base_prologue(parsed.query) + parsed.query

    def work(deadline: float) -> tuple[bytes, bool]:
        result = store.execute(text, parsed.default_graphs, parsed.named_graphs, max_rows=settings.max_rows,
                               timeout=max(deadline - time.monotonic(), 0.001))
        return result.serialize(writer), result.truncated

    return _run(work)  # type: ignore[no-any-return]


def _html_answer(parsed: QueryRequest, kind: str) -> Response:
    """The no-JavaScript results page: the form again, with the answer as a table."""
    writer = {"bindings": conneg.RESULTS_JSON, "boolean": conneg.RESULTS_JSON, "graph": conneg.TURTLE}[kind]
    error, table, boolean, graph_text, truncated = None, None, None, None, False
    status = 200
    try:
        body, truncated = _answer(parsed, writer)
        if kind == "graph":
            graph_text = body.decode("utf-8")
        else:
            data = json.loads(body)
            if kind == "boolean":
                boolean = data["boolean"]
            else:
                variables = data["head"]["vars"]
                table = (variables, [[b.get(v) for v in variables] for b in data["results"]["bindings"]])
    except Exception as exc:  # shown on the page, with the status the mapping gives it
        problem = problem_for(exc, _syntax_message(exc) if isinstance(exc, QuerySyntaxError) else None)
        if problem.kind == "internal":
            current_app.logger.error("%s %s failed", request.method, request.path, exc_info=exc)
        status, error = problem.status, problem.text().strip()
    context = _page_context(parsed.query)
    context.update(table=table, boolean=boolean, graph_text=graph_text, error=error, truncated=truncated,
                   answered=True)
    html = render_template("sparql.html", **context)
    response = Response(html, status=status, content_type="text/html; charset=utf-8")
    if truncated:
        response.headers["X-KG-Truncated"] = "true"
        response.headers["X-KG-Row-Limit"] = str(get_settings().max_rows)
    return response


def _endpoint_url() -> str:
    return url_for("sparql.query", _external=True)


def _description_or_page() -> Response:
    media = conneg.negotiate(request.headers.get("Accept"), "description", request.args.getlist("format"))
    if media == conneg.HTML:
        example = request.args.get("example")
        text = _examples().get(example, {}).get("query") if example else None
        html = render_template("sparql.html", **_page_context(text or _default_query()))
        return Response(html, content_type="text/html; charset=utf-8")
    update_url = url_for("sparql.update", _external=True) if get_settings().write_token else None
    graph = service_description(_endpoint_url(), get_store().graphs(), update_url)
    return Response(serialize_description(graph, conneg.writer_type("description", media)),
                    content_type=conneg.content_type(media))


# -- the query page ------------------------------------------------------------------------------

def _default_query() -> str:
    return ("SELECT ?class (COUNT(?s) AS ?n)\nWHERE { ?s a ?class }\nGROUP BY ?class\nORDER BY DESC(?n)\n"
            "LIMIT 20\n")


@cache
def _examples() -> dict[str, dict[str, str]]:
    """The gallery: ``kg/queries/examples/*.rq``, titled by their first comment line."""
    gallery: dict[str, dict[str, str]] = {}
    for path in sorted(_EXAMPLES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        comments = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
        title = comments[0] if comments else path.stem
        used = [p for p in PREFIXES if re.search(rf"(?<![\w-]){re.escape(p)}:", text)]
        prologue = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in used)
        gallery[path.stem] = {"title": title, "description": " ".join(comments[1:]), "query": prologue + text}
    return gallery


def _page_context(query_text: str) -> dict[str, Any]:
    settings = get_settings()
    return {
        "query_text": query_text, "examples": _examples(), "prefixes": PREFIXES,
        "endpoint": url_for("sparql.query"), "yasgui": "yasgui.min.js" in current_app.extensions["kg.assets"],
        "max_rows": settings.max_rows, "timeout": settings.query_timeout,
        "table": None, "boolean": None, "graph_text": None, "error": None, "truncated": False,
        "answered": False,
    }


# -- writes: authorisation -----------------------------------------------------------------------

def _refused() -> Response | None:
    """None when the request holds the write token; else the answer that refuses it."""
    token = get_settings().write_token
    if not token:
        return _problem(Problem(403, "writes-disabled", "Writes over HTTP are disabled on this server "
                                "(no KG_WRITE_TOKEN is configured)."))
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return _problem(Problem(401, "unauthorized", "Writes need 'Authorization: Bearer <token>' with the "
                                "server's write token.", {"WWW-Authenticate": 'Bearer realm="kg"'}))
    return None


@bp.route("/sparql/update", methods=["GET", "POST", *_OTHER])
def update() -> Response:
    """SPARQL 1.1 Protocol update operation (POST form or ``application/sparql-update``)."""
    if request.method != "POST":
        return _not_allowed("POST")
    refused = _refused()
    if refused is not None:
        return refused
    try:
        body = request.get_data(cache=True)
        form = url_params(body, "the form") if request.mimetype == FORM else {}
        parsed = parse_update(request.method, request.content_type, url_params(request.query_string), form,
                              body)
        get_writer().update(_base_prologue(parsed.update) + parsed.update)
    except Exception as exc:  # every failure is an answer: one mapping, 4xx for the client's, 5xx for kg's
        return _error(exc)
    if reads_default_graph(parsed.update):
        return _fresh(_text(200, f"Update done. Note: {DEFAULT_GRAPH_WARNING}",
                            {"X-KG-Warning": DEFAULT_GRAPH_WARNING}))
    return _fresh(_text(200, "Update done."))


# -- writes: the Graph Store HTTP Protocol ---------------------------------------------------------

def _target() -> str | None:
    """The graph a Graph Store request names: an IRI, or None for ``?default``."""
    graphs = request.args.getlist("graph")
    default = "default" in request.args
    if default and graphs:
        raise ProtocolError(400, "name either ?graph=<IRI> or ?default, not both")
    if default:
        return None
    if len(graphs) != 1:
        raise ProtocolError(400, "name the graph with exactly one ?graph=<IRI> (or ?default)")
    graph = graphs[0]
    try:
        iri(graph)
    except ValueError:
        raise ProtocolError(400, f"?graph must be an absolute IRI, got {graph!r}") from None
    if ":" not in graph:
        raise ProtocolError(400, f"?graph must be an absolute IRI, got {graph!r}")
    return graph


@bp.route("/sparql/graph", methods=["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"])
def graph_store() -> Response:
    """SPARQL 1.1 Graph Store HTTP Protocol, indirect identification (``?graph=`` or ``?default``)."""
    if request.method == "PATCH":
        return _not_allowed("GET, HEAD, PUT, POST, DELETE")
    refused = _refused()
    if refused is not None:
        return refused
    try:
        target = _target()
        if request.method in ("GET", "HEAD"):
            return _gsp_get(target)
        if request.method == "DELETE":
            response = _gsp_delete(target)
        else:
            response = _gsp_write(target, replace=request.method == "PUT")
        return _fresh(response) if response.status_code < 300 else response
    except Exception as exc:  # every failure is an answer: one mapping, 4xx for the client's, 5xx for kg's
        return _error(exc)


def _fresh(response: Response) -> Response:
    """Honour ``Prefer: wait=N`` (RFC 7240): wait up to N seconds for the derived state to catch up.

    A write is durable when it is answered; what is derived from it (inferences, validation,
    catalogue pages, search) follows in the background.  ``Preference-Applied`` says whether
    the wait ended with everything fresh.
    """
    match = re.search(r"(?:^|[,;\s])wait\s*=\s*(\d{1,4})", request.headers.get("Prefer", ""))
    if match is not None and get_writer().wait(min(float(match.group(1)), 60.0)):
        response.headers["Preference-Applied"] = f"wait={match.group(1)}"
    return response


def _graph_exists(graph: str) -> bool:
    return get_store().ask(render("sparql/graph-exists", graph=iri(graph)))


def _gsp_get(target: str | None) -> Response:
    media = conneg.negotiate(request.headers.get("Accept"), "graph")
    if media == conneg.HTML:
        media = conneg.TURTLE
    if target is not None and not _graph_exists(target):
        raise ProtocolError(404, f"No graph named <{target}>.")
    store = get_store()
    writer = conneg.writer_type("graph", media)
    if target is None:
        query_text, dataset = get_query("sparql/default-content"), {"default_graphs": []}
    else:
        query_text, dataset = render("sparql/graph-content", graph=iri(target)), {}

    def work(deadline: float) -> bytes:
        return store.execute(query_text, **dataset).serialize(writer)

    body = _run(work)
    response = Response(b"" if request.method == "HEAD" else body, content_type=conneg.content_type(media))
    response.content_length = len(body)
    response.vary.add("Accept")
    return response


def _upload() -> tuple[bytes, str]:
    """The uploaded RDF and its syntax.  Relative IRIs in it resolve against ``Content-Location`` when the
    client sends one (RFC 9110 §8.7: the body's own IRI), else against the graph's IRI (``?graph=``)
    or kg's base (``?default``); with ``Content-Location`` the body is read here, with that base."""
    media = request.mimetype or ""
    syntax = syntax_of(media)
    if syntax is None:
        raise ProtocolError(415, f"send RDF as one of: {', '.join(sorted(_UPLOAD_TYPES))} "
                            f"(got {media or 'no Content-Type'})")
    data = request.get_data(cache=False)
    check_upload(data, syntax)
    location = request.headers.get("Content-Location", "").strip()
    if location:
        try:
            iri(location)
        except ValueError:
            raise ProtocolError(400, f"Content-Location must be an absolute IRI, got {location!r}") from None
        if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", location):
            raise ProtocolError(400, f"Content-Location must be an absolute IRI, got {location!r}")
        return to_ntriples(data, syntax, location), "ntriples"  # type: ignore[arg-type]
    return data, syntax


_UPLOAD_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
                 "application/trig", "application/n-quads")


def _gsp_write(target: str | None, replace: bool) -> Response:
    data, syntax = _upload()
    writer = get_writer()
    if target is None:
        writer.write_default(data, syntax, replace)
        return Response(status=204)
    source = f"HTTP {'PUT' if replace else 'POST'} by token holder"
    created = (writer.put_graph if replace else writer.post_graph)(target, data, syntax, source)
    return Response(status=201 if created else 204)


def _gsp_delete(target: str | None) -> Response:
    writer = get_writer()
    if target is None:
        writer.clear_default()
        return Response(status=204)
    if not writer.drop(target):
        raise ProtocolError(404, f"No graph named <{target}>.")
    return Response(status=204)
