"""The store as an HTTP worker of ``kg serve`` sees it: every read answered by a query process.

The web app holds a :class:`ServedStore` and never the store itself: each read is one request to
a query process of the worker's pool (:mod:`kg.procs.pool`), which runs it on the newest published
generation in isolation and under the time limit.  Writes do not go through here: the app sends
them to the writer process (:class:`kg.procs.writer.WriterClient`).  This module does not import
the store's engine.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import BNode, Node

from kg import sparql_text as lexer
from kg.config import Settings
from kg.store.base import (
    DumpFormat,
    GraphDiff,
    GraphInfo,
    Provenance,
    QueryResult,
    RdfSyntax,
    Store,
    StoreError,
)

_KIND = {"SELECT": "bindings", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
_READ_ONLY = "the web server reads the store through its query processes; writes go to the writer process"


def term(binding: dict[str, str]) -> Node:
    """An rdflib term from a SPARQL JSON results binding."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    return Literal(value, datatype=URIRef(datatype) if datatype else None)


class ServedResult(QueryResult):
    """An answer not asked for yet: :meth:`serialize` sends the query with the media type wanted."""

    def __init__(self, store: ServedStore, query: str, default_graphs: list[str] | None,
                 named_graphs: list[str] | None, max_rows: int | None, timeout: float | None) -> None:
        self._store, self._query, self._timeout = store, query, timeout
        self._default, self._named, self._max_rows = default_graphs, named_graphs, max_rows
        self.kind = _KIND.get(lexer.operation_form(query) or "", "bindings")
        self._answers: dict[str, bytes] = {}

    def serialize(self, media_type: str) -> bytes:
        if media_type not in self._answers:
            reply, data = self._store.call({
                "op": "answer", "query": self._query, "default_graphs": self._default,
                "named_graphs": self._named, "max_rows": self._max_rows, "media_type": media_type,
            }, self._timeout)
            self.kind = str(reply.get("kind") or self.kind)
            self.truncated = bool(reply.get("truncated"))
            self._answers[media_type] = data
        return self._answers[media_type]


class ServedStore(Store):
    """Reads through the worker's pool of query processes; writes refused."""

    #: The pool kills a query at its deadline: callers need no thread of their own to wait on it.
    enforces_timeouts = True
    version_is_cheap = True

    def __init__(self, settings: Settings, pool: Any) -> None:
        self.base_iri = settings.base_iri
        self.settings = settings
        self.pool = pool
        self._graphs: tuple[str, list[GraphInfo]] | None = None

    def call(self, header: dict[str, Any], timeout: float | None = None) -> tuple[dict[str, Any], bytes]:
        return self.pool.call(header, b"", self.settings.query_timeout if timeout is None else timeout)  # type: ignore[no-any-return]

    # -- reading ---------------------------------------------------------------------------------
    def select(self, query: str) -> list[dict[str, Node]]:
        _, data = self.call({"op": "select", "query": query})
        answer = json.loads(data)
        variables = answer["head"]["vars"]
        return [{v: term(b[v]) for v in variables if v in b} for b in answer["results"]["bindings"]]

    def ask(self, query: str) -> bool:
        reply, _ = self.call({"op": "ask", "query": query})
        return bool(reply.get("boolean"))

    def construct(self, query: str) -> Graph:
        _, data = self.call({"op": "construct", "query": query})
        return Graph().parse(data=data, format="nt")

    def execute(self, query: str, default_graphs: list[str] | None = None,
                named_graphs: list[str] | None = None, max_rows: int | None = None,
                timeout: float | None = None) -> QueryResult:
        return ServedResult(self, query, default_graphs, named_graphs, max_rows, timeout)

    def graphs(self) -> list[GraphInfo]:
        version = self.version()
        if self._graphs is not None and self._graphs[0] == version:
            return self._graphs[1]
        _, data = self.call({"op": "graphs"})
        infos = [GraphInfo(**row) for row in json.loads(data)]
        self._graphs = (version, infos)
        return infos

    def version(self) -> str:
        """The newest published generation (a read of one small file), or the graphs' PROV records."""
        if self.settings.store != "remote":
            from kg.store.snapshots import current

            found = current(self.settings.store_path)
            return f"generation {found[0] if found else 0}"
        _, data = self.call({"op": "graphs"})
        return hashlib.sha256(data).hexdigest()

    def quads(self) -> Iterator[tuple[Node, Node, Node, Node]]:
        raise StoreError(_READ_ONLY)

    # -- writing is the writer process's ---------------------------------------------------------
    def update(self, update: str) -> None:
        raise StoreError(_READ_ONLY)

    def _replace(self, graph: str, syntax: RdfSyntax, base_iri: str, provenance: Provenance,
                 path: Path | None = None, data: bytes | IO[bytes] | None = None,
                 diff: GraphDiff | None = None) -> int:
        raise StoreError(_READ_ONLY)

    def _hidden(self) -> set[str]:
        return set()

    def _discard(self, hidden_graph: str) -> None:
        raise StoreError(_READ_ONLY)

    def drop_graph(self, graph: str) -> bool:
        raise StoreError(_READ_ONLY)

    def dump(self, output: IO[bytes], syntax: DumpFormat = "nquads") -> int:
        raise StoreError(_READ_ONLY)

    def restore(self, source: Path, syntax: DumpFormat = "nquads") -> int:
        raise StoreError(_READ_ONLY)
