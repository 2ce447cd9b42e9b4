"""The derivation pipeline: everything built from the sources after they change, in a declared order.

Work happens at load time so that requests only read.  After every write (a load, an
ingest, a drop, a restore, a SPARQL Update, a Graph Store request) the write path
(:mod:`kg.write`) hands the change to :class:`Pipeline`, which runs the steps of
:data:`kg.derive.steps.STEPS` in order.  Each step declares the graphs it reads; it runs
when one of them changed (or when it has never run, or failed last time), and what it
writes becomes part of the change the later steps see.  A step that fails is recorded in
the pipeline's status, never blocks the other steps or later writes, and is tried again
after the next change.  The status (last write, last refresh, each step's time and
error, what is pending) is published for ``/healthz`` and the status page.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kg import graphs
from kg.config import Settings
from kg.derive.change import Change
from kg.publication import Publication
from kg.store.base import Store

log = logging.getLogger("kg.derive")
Report = Callable[[str], None]


def now() -> str:
    """An ISO 8601 UTC instant to the second, as the status document writes them."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class Context:
    """What a step gets: the store, the settings, the publication, the change so far, a reporter."""

    store: Store
    settings: Settings
    publication: Publication
    change: Change
    report: Report
    #: What this step recorded after its last successful run (see :attr:`Outcome.record`).
    previous: dict[str, object] = field(default_factory=dict)


def resources(ctx: Context, kinds: tuple[str, ...]) -> set[str] | None:
    """The IRIs the change touched in the graphs of ``kinds`` (as :attr:`Step.reads` names them);
    None when the change is to everything.  A graph whose resources the write path did not know (a
    new graph) contributes everything it holds now."""
    if ctx.change.full:
        return None
    probe = Step("probe", kinds, lambda _ctx: Outcome())
    found: set[str] = set()
    for graph, touched in ctx.change.graphs.items():
        if not probe.reads_graph(graph, ctx.settings.base_iri):
            continue
        found |= touched if touched is not None else ctx.store.graph_resources(graph)
    return found


@dataclass
class Outcome:
    """What a step did: one line for the terminal, and the derived graphs it rewrote."""

    message: str = ""
    wrote: Change = field(default_factory=Change)
    #: Kept in the step's status for its next run (e.g. the T-box inference last used).
    record: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One derived product: its name, what it reads and how it is made.

    ``reads`` names kinds of graph: ``asserted`` (every source graph), a derived graph's name
    (``links``, ``inferred`` …), or ``*`` for everything (the dump).
    """

    name: str
    reads: tuple[str, ...]
    run: Callable[[Context], Outcome]

    def reads_graph(self, graph: str, base_iri: str) -> bool:
        if "*" in self.reads:
            return True
        kind = graphs.kind_of(graph, base_iri)
        if kind == "asserted":
            return "asserted" in self.reads
        return kind == "derived" and graph.rsplit("/graph/", 1)[-1] in self.reads

    def due(self, change: Change, base_iri: str) -> bool:
        """Whether ``change`` touches what this step reads."""
        return change.full or any(self.reads_graph(g, base_iri) for g in change.graphs)


STATUS_KEY = "pipeline"


class Pipeline:
    """Runs the steps over a change; one run at a time."""

    def __init__(self, store: Store, settings: Settings, publication: Publication,
                 steps: list[Step] | None = None) -> None:
        from kg.derive.steps import STEPS

        self.store, self.settings, self.publication = store, settings, publication
        self.steps = steps if steps is not None else STEPS
        self._lock = threading.Lock()

    def status(self) -> dict[str, object]:
        value = self.publication.value(STATUS_KEY, None)
        return value if isinstance(value, dict) else {"steps": {}}

    def run(self, change: Change, report: Report | None = None) -> dict[str, object]:
        """Bring every derived product up to date with ``change``; returns the new status."""
        say = report or (lambda _message: None)
        with self._lock:
            status = self.status()
            steps: dict[str, dict[str, object]] = dict(status.get("steps") or {})  # type: ignore[arg-type]
            seen = change
            started = time.perf_counter()
            for step in self.steps:
                previous = steps.get(step.name)
                due = previous is None or not previous.get("ok", False) or step.due(seen, self.store.base_iri)
                if not due:
                    continue
                # a step that never ran or failed last time missed changes: it starts afresh
                fresh = previous is not None and previous.get("ok", False)
                context = Context(self.store, self.settings, self.publication,
                                  seen if fresh else Change.everything(), say,
                                  dict(previous or {}) if fresh else {})
                begun = time.perf_counter()
                try:
                    outcome = step.run(context)
                except Exception as exc:  # a step's failure is reported and retried; it never stops writes
                    log.error("derivation step %s failed: %s\n%s", step.name, exc, traceback.format_exc())
                    steps[step.name] = {"ok": False, "at": now(), "error": f"{type(exc).__name__}: {exc}",
                                        "seconds": round(time.perf_counter() - begun, 3)}
                    say(f"{step.name}: failed ({exc}); it runs again after the next change")
                    continue
                steps[step.name] = {**outcome.record, "ok": True, "at": now(),
                                    "seconds": round(time.perf_counter() - begun, 3),
                                    "message": outcome.message}
                if outcome.message:
                    say(outcome.message)
                seen = seen.merge(outcome.wrote)
            status = {**status, "steps": steps, "last_refresh": now(),
                      "refresh_seconds": round(time.perf_counter() - started, 3)}
            self.publication.set_value(STATUS_KEY, status)
            return status

    def failed(self) -> dict[str, str]:
        """Steps whose last run failed, with their error."""
        steps = self.status().get("steps") or {}
        return {name: str(s.get("error")) for name, s in steps.items()  # type: ignore[union-attr]
                if isinstance(s, dict) and not s.get("ok", False)}


__all__ = ["Change", "Context", "Outcome", "Pipeline", "Step", "now", "resources"]
