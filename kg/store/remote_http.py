"""The remote store's HTTP: one client for a SPARQL 1.1 server, and one reading of its answers.

Two libraries, each where it fits, behind this one class:

* **SPARQLWrapper builds the queries**: the protocol's parameters, the POST form, the ``Accept``
  header, basic credentials.  Its transport is not used: it reports a server's error page only
  inside an exception message, and its digest support installs a process-wide urllib opener that
  then answers every other urllib user's 401s.  :class:`_Query` sends SPARQLWrapper's request
  through an opener this client owns, so the status and the body come back as they are.
* **requests sends everything else** (updates, Graph Store uploads, the first contact): one session
  streams uploads and keeps a digest login between requests.

Whatever the path, a failed answer is read by :func:`http_error` alone, and an unreachable server
by :meth:`RemoteHttp.unreachable`.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import requests
from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper

from kg.queries import render
from kg.store.base import EvaluationError, QuerySyntaxError, QueryTimeout, StoreError, StoreUnavailable

#: The results format kg asks servers for: Virtuoso writes booleans as 1/0 in JSON.
RESULTS_XML = "application/sparql-results+xml"
#: Virtuoso refuses, before running it, a query its optimiser expects to take longer than
#: ``MaxQueryCostEstimationTime`` (HTTP 500, SQLSTATE 42000): kg's time limit, applied early.
_VIRTUOSO_ESTIMATE = re.compile(r"estimated execution time (\d+) \(sec\) exceeds the limit of (\d+) \(sec\)")

#: Request timeouts as requests takes them: one figure, or (connect, read) with None for no read limit.
Timeout = float | tuple[float, float | None] | None


@dataclass(frozen=True)
class Server:
    """What the first contact taught about the server."""

    flavour: str            # "oxigraph", "virtuoso" or "generic"
    auth_scheme: str        # "", "basic" or "digest"
    realm: str = "SPARQL"


@dataclass(frozen=True)
class Answer:
    """A server's successful answer to a query."""

    body: bytes
    content_type: str
    headers: dict[str, str]


def server_message(body: bytes | str | None, limit: int = 400) -> str:
    """The useful part of a server's error page: Virtuoso appends the whole query, drop that."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    text = text.split("\n\nSPARQL query:", 1)[0]
    text = re.sub(r"<[^>]+>", " ", text) if text.lstrip().startswith("<") else text
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "") or "no message"


def _bad_request(message: str, text: str, update: bool) -> StoreError:
    """A server's 400 for a client's query or update: a syntax error, or valid SPARQL it refused to run.

    Servers say both with 400 (Oxigraph server: "The graph … already exists"); the text is parsed
    here to tell them apart, by running it on an empty scratch store (nothing there to read or to
    reach: SERVICE and LOAD never get this far).
    """
    scratch = ox.Store()
    try:
        if update:
            scratch.update(text)
        else:
            scratch.query(text)
    except SyntaxError:
        return QuerySyntaxError(message)
    except (RuntimeError, ValueError, OSError):
        pass
    return EvaluationError(message)


def _over_time_limit(message: str) -> QueryTimeout | None:
    """The server's refusal of a query it estimates too slow, as the time limit it is (not a failure)."""
    found = _VIRTUOSO_ESTIMATE.search(message)
    if found is None:
        return None
    estimate, limit = found.groups()
    return QueryTimeout(f"the remote store refused the query at its time limit: estimated {estimate} s, "
                        f"over its limit of {limit} s; narrow it (bind resources first, add LIMIT) "
                        "or page it")


def http_error(status: int, body: bytes | None, url: str, text: str | None = None,
               update: bool = False) -> StoreError:
    """What a failed answer means, for every request kg sends: the one table of HTTP statuses.

    ``text`` is the client's query or update when the request carried one: a 400 is then the
    client's mistake (syntax, or SPARQL the server refuses), not the store's.
    """
    message = server_message(body)
    if status == 400 and text is not None:
        return _bad_request(message, text, update)
    if status in (401, 403):
        return StoreError(f"the remote store at {url} refused kg (HTTP {status}): {message}; "
                          "check remote_auth and the user's rights")
    if status == 404:
        return StoreError(f"no SPARQL service at {url} (HTTP 404); check the remote store URLs")
    if status in (502, 503, 504):
        return StoreUnavailable(f"the remote store at {url} is unavailable (HTTP {status}): {message}")
    if status == 500:
        limited = _over_time_limit(message)
        if limited is not None:
            return limited
    return StoreError(f"the remote store at {url} answered HTTP {status}: {message}")


class _Query(SPARQLWrapper):  # type: ignore[misc]
    """SPARQLWrapper's request, sent through the client's own opener (see the module's docstring)."""

    def __init__(self, endpoint: str, opener: urllib.request.OpenerDirector) -> None:
        super().__init__(endpoint)
        self._opener = opener

    def _query(self) -> tuple[Any, str]:
        return self._opener.open(self._createRequest(), timeout=self.timeout), self.returnFormat


class RemoteHttp:
    """The HTTP side of one remote store: its endpoints, credentials, first contact and requests."""

    def __init__(self, query_url: str, update_url: str, auth: str, timeout: float) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.timeout = timeout
        user, _, password = auth.partition(":")
        self._credentials = (user, password) if auth else None
        self._session = requests.Session()
        self._opener = urllib.request.build_opener()
        self._server: Server | None = None

    def server(self) -> Server:
        """Contact the server once: recognise it and the authentication it wants."""
        if self._server is not None:
            return self._server
        response = self.send("POST", self.query_url, data={"query": render("store/remote-probe")}, auth=None,
                             headers={"Accept": RESULTS_XML})
        scheme, realm = "", "SPARQL"
        challenge = response.headers.get("WWW-Authenticate", "") if response.status_code == 401 else ""
        if not challenge and self._credentials and self.update_url != self.query_url:
            challenged = self.send("GET", self.update_url, auth=None)
            if challenged.status_code == 401:
                challenge = challenged.headers.get("WWW-Authenticate", "")
        if challenge:
            if self._credentials is None:
                raise StoreError(f"the remote store at {self.query_url} asks for credentials; "
                                 "set remote_auth (KG_REMOTE_AUTH=user:password)")
            scheme = "digest" if challenge.lower().startswith("digest") else "basic"
            found = re.search(r'realm="([^"]*)"', challenge)
            realm = found.group(1) if found else realm
        elif self._credentials:
            scheme = "basic"
        if response.status_code >= 400 and response.status_code != 401:
            raise http_error(response.status_code, response.content, self.query_url)
        name = response.headers.get("Server", "").lower()
        flavour = "virtuoso" if "virtuoso" in name else "oxigraph" if "oxigraph" in name else "generic"
        self._server = Server(flavour, scheme, realm)
        self._login(self._server)
        return self._server

    def _login(self, server: Server) -> None:
        """Give both transports the login the server asked for (digest: each keeps its own nonce)."""
        if self._credentials is None or not server.auth_scheme:
            return
        if server.auth_scheme == "digest":
            self._session.auth = requests.auth.HTTPDigestAuth(*self._credentials)
            passwords = urllib.request.HTTPPasswordMgr()
            passwords.add_password(server.realm, self.query_url, *self._credentials)
            self._opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords))
        else:
            self._session.auth = requests.auth.HTTPBasicAuth(*self._credentials)

    @contextlib.contextmanager
    def _reaching(self, url: str, limit: float) -> Iterator[None]:
        """An unreachable or silent server, whichever library met it, as kg's errors."""
        try:
            yield
        except (requests.Timeout, TimeoutError):
            raise QueryTimeout(f"the remote store at {url} did not answer within {limit:g} s") from None
        except requests.ConnectionError as exc:
            reason = str(exc.args[0] if exc.args else exc).split(":")[-1].strip(" )'\"") or "no connection"
            raise StoreUnavailable(f"the remote store at {url} cannot be reached ({reason}); "
                                   "is the server running?") from None
        except requests.RequestException as exc:
            raise StoreUnavailable(f"the remote store at {url} cannot be reached: {exc}") from None
        except urllib.error.HTTPError:
            raise
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise QueryTimeout(f"the remote store at {url} did not answer within {limit:g} s") from None
            raise StoreUnavailable(f"the remote store at {url} cannot be reached ({exc.reason}); "
                                   "is the server running?") from None
        except (OSError, http.client.HTTPException) as exc:
            raise StoreUnavailable(f"the remote store at {url} cannot be reached ({exc})") from None

    def send(self, method: str, url: str, *, timeout: Timeout = None, auth: object = "session",
             **kwargs: object) -> requests.Response:
        """One request through the session, whatever its status (the caller reads it)."""
        if auth != "session":
            kwargs["auth"] = auth
        limit = timeout if isinstance(timeout, float | int) else self.timeout
        with self._reaching(url, limit):
            response = self._session.request(method, url, timeout=timeout or self.timeout,  # type: ignore[arg-type]
                                             **kwargs)
        return response

    def update(self, update: str, syntax: bool = False, timeout: Timeout = None) -> None:
        """Send an update and wait for its end, however long: dropping or switching a graph of millions
        of triples takes minutes on Virtuoso, and an update given up on by kg would still commit later
        (the embedded store's updates have no time limit either).  Connecting is still bounded.

        ``syntax``: the update is the client's, so a 400 is the client's mistake.
        """
        self.server()
        response = self.send("POST", self.update_url, data={"update": update},
                             timeout=timeout or (self.timeout, None))
        if response.status_code >= 300:
            raise http_error(response.status_code, response.content, self.update_url,
                             text=update if syntax else None, update=True)

    def query(self, query: str, form: str, accept: str, params: list[tuple[str, str]] | None = None,
              timeout: float | None = None) -> Answer:
        """Run a query of the given form (kg's tokenizer decides it: SPARQLWrapper's guess is a regular
        expression that words in comments fool, "# pages add …" made a SELECT an ADD update)."""
        server = self.server()
        request = _Query(self.query_url, self._opener)
        request.setMethod(POST)
        request.setRequestMethod(URLENCODED)
        request.setOnlyConneg(True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an unrecognised form is the server's to reject
            request.setQuery(query)
        request.queryType = form
        for name, value in params or []:
            request.addParameter(name, value)
        request.addCustomHttpHeader("Accept", accept)
        request.setTimeout(max(1, round(timeout or self.timeout)))
        if server.auth_scheme == "basic" and self._credentials:  # digest: the opener answers the challenge
            request.setCredentials(*self._credentials)
        try:
            with self._reaching(self.query_url, timeout or self.timeout):
                result = request.query()
                headers = {k.lower(): v for k, v in result.info().items()}
                answer = Answer(result.response.read(), headers.get("content-type", ""), headers)
        except urllib.error.HTTPError as exc:
            raise http_error(exc.code, exc.read(), self.query_url, text=query) from None
        return answer

    def close(self) -> None:
        self._session.close()
