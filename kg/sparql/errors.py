"""Every error of a SPARQL request as an answer: one mapping from what went wrong to status, type and message.

The endpoint's routes (query, update, Graph Store, the HTML form) raise or catch
whatever the Protocol rules, the store and the time limit raise, and hand it to
:func:`problem_for`.  The rule is simple: what the client asked for and the engine
(or kg's policy) refuses is a 4xx with the engine's own message; only kg's own faults
(an exception nobody expected) are 5xx, and an unreachable store or a time limit is
503.  Each answer has a *type* (RFC 9457) that tells a syntax error from a policy
refusal from a limit, so a client can act on it without reading the message.

No web framework here: the blueprint writes a :class:`Problem` as
``application/problem+json`` or one line of plain text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from kg.sparql.conneg import NotAcceptable
from kg.sparql.execution import QueryCrashed, QueryTimeout, TooBusy
from kg.sparql.protocol import ProtocolError
from kg.store.base import (
    EvaluationError,
    ParseError,
    QuerySyntaxError,
    StoreError,
    StoreUnavailable,
    UnwritableAnswer,
)

PROBLEM_JSON = "application/problem+json"

#: Problem types: a short name (the last segment of the type IRI), the title, and what it means.
TYPES: dict[str, tuple[str, str]] = {
    "syntax": ("SPARQL syntax error",
               "The query or update is not valid SPARQL 1.1; the message says where (line:column in the "
               "text the client sent)."),
    "evaluation": ("The request could not be evaluated",
                   "Valid SPARQL the engine refuses to run: an unknown function, CREATE of a graph that "
                   "exists, DROP, CLEAR, MOVE, COPY or ADD of a graph that does not exist (without SILENT), "
                   "a value of the wrong type. The message is the engine's."),
    "limit": ("Past a limit",
              "The request is larger, nests deeper or has more operators than kg accepts; the message "
              "names the limit (\"limit: …\")."),
    "policy": ("Refused by kg's policy",
               "Valid SPARQL kg never runs on a public server: SERVICE (federated query) and LOAD (it "
               "never fetches URLs)."),
    "protocol": ("Not a valid SPARQL Protocol request",
                 "The request breaks a rule of the SPARQL 1.1 Protocol or the Graph Store Protocol: a "
                 "missing or repeated parameter, a wrong method or media type, an invalid graph IRI."),
    "rdf-syntax": ("The RDF does not parse", "The uploaded RDF is not valid in the syntax its "
                   "Content-Type names; the message says where."),
    "not-acceptable": ("No acceptable format", "Nothing in Accept or format= can be written for this "
                       "answer; the message lists what can."),
    "unauthorized": ("Write token needed", "Writes need 'Authorization: Bearer <token>'."),
    "writes-disabled": ("Writes are disabled", "This server has no write token configured."),
    "not-found": ("No such graph", "The Graph Store request names a graph the store does not hold."),
    "too-large": ("Request too large", "The body is larger than the server accepts."),
    "timeout": ("Query timed out", "The query ran past the time limit; narrow it or page it."),
    "busy": ("Server busy", "Too many timed-out queries are still finishing; try again shortly."),
    "unavailable": ("Store unavailable", "The store cannot be reached right now; try again shortly."),
    "engine-failure": ("The query engine failed on this query",
                       "The engine stopped on this query (a defect of the engine, not of the request). Only "
                       "the process answering it was lost; the server and other queries go on. Rewrite or "
                       "simplify the query."),
    "internal": ("Internal error", "kg's own fault; the server's log has the details."),
}


@dataclass(frozen=True)
class Problem:
    """One error answer: HTTP status, problem type (a key of :data:`TYPES`), one-line detail, headers."""

    status: int
    kind: str
    detail: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return TYPES[self.kind][0]

    def type_iri(self, root: str) -> str:
        """The type's IRI: kg's documentation of it, under ``root`` (the server's ``/sparql/problems/``)."""
        return root + self.kind

    def text(self) -> str:
        """The plain-text body: the detail, on one line."""
        return one_line(self.detail) + "\n"

    def json(self, root: str, instance: str | None = None) -> bytes:
        """The ``application/problem+json`` body (RFC 9457)."""
        body: dict[str, object] = {"type": self.type_iri(root), "title": self.title, "status": self.status,
                                   "detail": one_line(self.detail)}
        if instance:
            body["instance"] = instance
        return json.dumps(body, ensure_ascii=False).encode("utf-8")


def one_line(message: str) -> str:
    """A message on one line: engines wrap their lists of expected tokens."""
    return re.sub(r"\s*[\r\n]+\s*", " ", message).strip()


#: Statuses of the Protocol's refusals that are not the plain 400 "protocol" kind.
_BY_STATUS = {401: "unauthorized", 404: "not-found", 406: "not-acceptable", 413: "too-large"}


def problem_for(exc: BaseException, syntax_message: str | None = None) -> Problem:
    """The answer for anything a SPARQL route raised.  ``syntax_message`` is the engine's syntax message
    with its positions counted in the client's text (the caller knows the prologue it added)."""
    if isinstance(exc, ProtocolError):
        kind = exc.kind or _BY_STATUS.get(exc.status, "protocol")
        return Problem(exc.status, kind, exc.message)
    if isinstance(exc, NotAcceptable):
        return Problem(406, "not-acceptable", str(exc))
    if isinstance(exc, QuerySyntaxError):
        return Problem(400, "syntax", f"SPARQL syntax error: {syntax_message or exc}")
    if isinstance(exc, ParseError):
        return Problem(400, "rdf-syntax", f"The RDF does not parse: {exc}")
    if isinstance(exc, QueryTimeout):
        return Problem(503, "timeout", f"Query timed out: {exc}", {"Retry-After": "5"})
    if isinstance(exc, TooBusy):
        return Problem(503, "busy", f"Server busy: {exc}", {"Retry-After": "10"})
    if isinstance(exc, StoreUnavailable):
        return Problem(503, "unavailable", "The store is not reachable right now; try again shortly.",
                       {"Retry-After": "10"})
    if isinstance(exc, QueryCrashed):  # before StoreError: not the client's fault, and not a syntax error
        return Problem(500, "engine-failure", f"Query failed: {exc}")
    if isinstance(exc, UnwritableAnswer):
        return Problem(406, "not-acceptable", f"{exc}; ask for another format")
    if isinstance(exc, EvaluationError):
        return Problem(400, "evaluation", f"The request could not be evaluated: {exc}")
    if isinstance(exc, StoreError):
        # The store refused what the client sent without saying why in a way kg recognises (a remote
        # store's 4xx, an unreadable answer to the client's query): the client's request, answered 400.
        return Problem(400, "evaluation", f"The request could not be evaluated: {exc}")
    return Problem(500, "internal", "kg failed to answer this request (its own fault; the log has the "
                   "details); try again or report it")


def wants_problem_json(accept: str | None) -> bool:
    """Whether the client names ``application/problem+json`` in ``Accept`` (with a q above 0).

    Only when named: a client that asks for ``*/*`` or results JSON gets the plain one-line text
    that every HTTP library shows as it is.
    """
    for part in (accept or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        if fields[0].lower() != PROBLEM_JSON:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 1.0
        return q > 0
    return False
