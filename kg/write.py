"""The one write path: every change to the store goes through :class:`Writer`.

``kg init/load/ingest/drop/restore/recover``, SPARQL Update and the Graph Store Protocol
all call a method here and nothing else writes.  Each write is atomic (the store's own
guarantee: a graph is the old one or the new one) and ends by handing what it changed to
the derivation pipeline (:mod:`kg.derive`):

* on the command line (``background=False``) the pipeline runs at once, so a command
  returns when everything a reader sees is fresh;
* in the server (``background=True``) the write returns as soon as it is durable and one
  background thread brings the derived products up to date, taking the writes that arrived
  meanwhile as one merged change.  :meth:`Writer.wait` lets a client wait for freshness,
  and :meth:`Writer.status` says how far behind the derived state is.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from kg.config import Settings
from kg.derive import Pipeline, now
from kg.derive.change import Change
from kg.ingest import Prepared
from kg.publication import Publication, publication_path
from kg.queries import get_query, iri, render
from kg.store.base import GraphDiff, Provenance, RdfSyntax, Store

log = logging.getLogger("kg.write")
#: Set while a write's derivation has not finished (so a stop in between is made good at the next start).
#: Set by a write, cleared when a refresh has taken every write: set at start, a refresh never finished.
UNFINISHED = "refresh_unfinished"
Report = Callable[[str], None]


def publication_for(store: Store, settings: Settings, readonly: bool = False) -> Publication:
    """The publication that belongs to a store object (one per store object, kept on it)."""
    key = "publication-ro" if readonly else "publication"
    found = store.state.get(key)
    if found is None:
        path = publication_path(settings)
        found = store.state[key] = Publication(path, readonly=readonly and path is not None)
    return found  # type: ignore[return-value]


class Writer:
    """Every mutation of one store, each followed by the derivation pipeline."""

    def __init__(self, store: Store, settings: Settings, publication: Publication | None = None,
                 background: bool = False, report: Report | None = None) -> None:
        self.store, self.settings = store, settings
        self.publication = publication or publication_for(store, settings)
        self.pipeline = Pipeline(store, settings, self.publication)
        self.report = report or (lambda _message: None)
        self._lock = threading.RLock()          # one write at a time
        self._pending = Change()                 # what the background thread has not taken yet
        self._running = False
        self._idle = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        self._changes = 0                        # writes that changed the store, for _mutation
        self._unfinished_before = False          # the mark as the current write found it
        #: Seconds between looks for writes by other processes (a remote store is shared); 0: never.
        self.watch_interval = 5.0 if settings.store == "remote" and background else 0.0
        self._seen: dict[str, tuple[object, ...]] | None = None
        if self.watch_interval:
            self._outside_writes()  # what the store holds now is this process's starting point
        if background:
            # a store nothing was ever derived from, or whose last refresh did not finish (a stop)
            if not self.pipeline.status().get("steps") or self.publication.value(UNFINISHED):
                self._pending = Change.everything()
            self._thread = threading.Thread(target=self._derive_forever, name="kg-derive", daemon=True)
            self._thread.start()

    # -- sources --------------------------------------------------------------------------------
    def load(self, paths: Iterable[Path], graph: str | None = None, force: bool = False,
             progress: Any = None, on_outcome: Any = None) -> list[Any]:
        """Load files and folders (``kg load``, ``kg init``): one graph per source, each all or nothing."""
        from kg.loading import load_paths

        with self._mutation():
            outcomes = load_paths(self.store, self.settings, paths, graph=graph, force=force,
                                  progress=progress, on_outcome=on_outcome)
            change = Change()
            for outcome in outcomes:
                if outcome.status == "loaded":
                    change = change.merge(Change({outcome.graph: outcome.diff.resources}))
            if change:
                self._changed(change)
        return outcomes

    def prepare(self, path: Path, kind: str, **options: object) -> Prepared:
        """Read a document through its ingest (nothing is written)."""
        from kg.loading import prepare_source

        return prepare_source(self.store, self.settings, path, kind, **options)

    def store_prepared(self, path: Path, prepared: Prepared, sha256: str) -> Any:
        """Write a prepared document into its graph (``kg ingest``)."""
        from kg.loading import store_prepared

        with self._mutation():
            outcome = store_prepared(self.store, self.settings, path, prepared, sha256)
            self._changed(Change({outcome.graph: outcome.diff.resources}))
        return outcome

    def drop(self, graph: str) -> bool:
        """Remove a graph and its PROV record; what was derived from it goes with the next refresh."""
        with self._mutation():
            resources = self.store.graph_resources(graph)   # what goes, for the derived products
            existed = self.store.drop_graph(graph)
            if existed:
                self._changed(Change({graph: resources}))
        return existed

    def restore(self, source: Path, syntax: str = "nquads") -> int:
        """Replace the whole store with a dump; everything derived is made again."""
        with self._mutation():
            count = self.store.restore(source, syntax)  # type: ignore[arg-type]
            self._changed(Change.everything())
        return count

    def recover(self) -> list[str]:
        """Remove what interrupted loads left hidden (nothing readers saw changes)."""
        with self._lock:
            return self.store.recover()

    # -- the HTTP write endpoints ------------------------------------------------------------------
    def update(self, text: str) -> None:
        """Run a SPARQL 1.1 Update (already checked by :mod:`kg.sparql.protocol`), all or nothing."""
        from kg.sparql.update_data import data_resources

        written = data_resources(text, self.settings.base)
        with self._mutation():
            self.store.client_update(text)
            self._changed(Change.everything() if written is None else Change(dict(written)))

    def put_graph(self, graph: str, data: bytes, syntax: RdfSyntax, source: str) -> bool:
        """Graph Store PUT: the graph becomes exactly this content; True when it was created."""
        with self._mutation():
            existed = self._exists(graph)
            diff = GraphDiff()
            self.store.replace_graph_data(graph, data, syntax, graph, Provenance.now(source=source),
                                          diff=diff)
            self._changed(Change({graph: diff.resources}))
        return not existed

    def post_graph(self, graph: str, data: bytes, syntax: RdfSyntax, source: str) -> bool:
        """Graph Store POST: the content is added to the graph; True when it was created."""
        from kg.sparql.upload import to_ntriples

        with self._mutation():
            existed = self._exists(graph)
            if existed:
                current = self.store.execute(render("sparql/graph-content", graph=iri(graph))).serialize(
                    "application/n-triples")
                data, syntax = current + b"\n" + to_ntriples(data, syntax, graph), "ntriples"
            diff = GraphDiff()
            self.store.replace_graph_data(graph, data, syntax, graph, Provenance.now(source=source),
                                          diff=diff)
            self._changed(Change({graph: diff.resources}))
        return not existed

    def write_default(self, data: bytes, syntax: RdfSyntax, replace: bool) -> None:
        """Graph Store PUT/POST ``?default``: the store's own default graph."""
        from kg.sparql.upload import to_ntriples

        triples = to_ntriples(data, syntax, self.settings.base).decode("utf-8")
        with self._mutation():
            self.store.update(render("sparql/replace-default" if replace else "sparql/add-default",
                                     triples=triples))
            self._changed(Change.everything())

    def clear_default(self) -> None:
        with self._mutation():
            self.store.update(get_query("sparql/clear-default"))
            self._changed(Change.everything())

    def _exists(self, graph: str) -> bool:
        return self.store.ask(render("sparql/graph-exists", graph=iri(graph)))

    # -- derivation ------------------------------------------------------------------------------
    def derive(self, change: Change | None = None) -> dict[str, object]:
        """Run the pipeline now over ``change`` (everything when None) and wait for it."""
        with self._lock:
            return self._refresh(change if change is not None else Change.everything())

    def _refresh(self, change: Change) -> dict[str, object]:
        """Run the pipeline, then publish the state for readers in other processes."""
        status = self.pipeline.run(change, self.report)
        with self._idle:
            done = not self._pending
        if done:
            self.publication.set_value(UNFINISHED, False)
        self._publish()
        return status

    def _publish(self) -> None:
        """A new generation of an embedded store on disk, for query processes and ``kg query``."""
        publish = getattr(self.store, "publish", None)
        if publish is not None:
            publish()

    @contextlib.contextmanager
    def _mutation(self) -> Iterator[None]:
        """One write, under the write lock.  The store is marked unfinished *before* it is written, so
        that a stop anywhere after the write is durable (a signal between the write and its
        derivation) leaves the mark, and the next write derives everything again.  A write that
        changes nothing, or fails (all or nothing: nothing is stored), leaves the mark as it was."""
        with self._lock:
            before = bool(self.publication.value(UNFINISHED, False))
            self._unfinished_before = before
            changes = self._changes
            if not before:
                self.publication.set_value(UNFINISHED, True)
            try:
                yield
            except Exception:
                if self._changes == changes and not before:
                    self.publication.set_value(UNFINISHED, False)
                raise
            if self._changes == changes and not before:
                self.publication.set_value(UNFINISHED, False)

    def _changed(self, change: Change) -> None:
        """After a durable write: record it and bring the derived state up to date (now, or soon)."""
        self._changes += 1
        if self._thread is None and self._unfinished_before:
            # the last refresh of this store never finished (a command stopped mid-way): what it was
            # deriving is not known any more, so everything is derived again
            change = Change.everything()
        self.publication.set_value("last_write", now())
        self.publication.set_value(UNFINISHED, True)   # until a refresh has taken it
        self._publish()
        if self.watch_interval:  # this process's own write is not someone else's: take it as known
            change = change.merge(self._outside_writes())
        if self._thread is None:
            self._refresh(change)
            return
        with self._idle:
            self._pending = self._pending.merge(change) if self._pending else change
            self._idle.notify_all()

    def _outside_writes(self) -> Change:
        """Graphs another process wrote to a store it shares with this one (a remote store), found by
        their PROV records: they are derived again like any write of this process."""
        from kg.graphs import kind_of

        records = {g.name: (g.triples, g.sha256, g.loaded_at) for g in self.store.graphs()
                   if kind_of(g.name, self.store.base_iri) == "asserted"}
        known, self._seen = self._seen, records
        if known is None or known == records:
            return Change()
        changed = {g for g in set(known) | set(records) if known.get(g) != records.get(g)}
        if set(known) - set(records):   # a dropped graph: what it held is gone; everything is derived again
            return Change.everything()
        return Change({g: None for g in changed})

    def _derive_forever(self) -> None:
        while True:
            with self._idle:
                while not self._pending and not self._closed:
                    if self.watch_interval and not self._idle.wait(self.watch_interval):
                        try:
                            outside = self._outside_writes()
                        except Exception:  # the store may be down for a moment; try again next time
                            log.warning("could not read the store's graphs", exc_info=True)
                            outside = Change()
                        if outside:
                            self._pending = outside
                    elif not self.watch_interval:
                        self._idle.wait()
                if self._closed and not self._pending:
                    return
                change, self._pending = self._pending, Change()
                self._running = True
            try:
                self._refresh(change)
            except Exception:  # the pipeline records step failures itself; this is its own fault
                log.exception("the derivation pipeline failed")
            finally:
                with self._idle:
                    self._running = False
                    self._idle.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every write so far is reflected in the derived state; False on timeout."""
        if self._thread is None:
            return True
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._idle:
            while self._pending or self._running:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def status(self) -> dict[str, object]:
        """The pipeline's published status, with what is pending now."""
        status = dict(self.pipeline.status())
        status["last_write"] = self.publication.value("last_write")
        with self._idle:
            status["pending"] = self._pending.describe() if self._pending else None
            status["refreshing"] = self._running
        status["fresh"] = not status["pending"] and not status["refreshing"]
        return status

    def close(self, wait: bool = True) -> None:
        """Stop the background thread (after the pending refresh, unless ``wait`` is False)."""
        if self._thread is None:
            return
        if wait:
            self.wait()
        with self._idle:
            self._closed = True
            self._pending = Change() if not wait else self._pending
            self._idle.notify_all()
        self._thread.join(timeout=60 if wait else 10)
        self._thread = None
