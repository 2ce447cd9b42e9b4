"""The pipeline that runs the steps of :data:`kg.derive.steps.STEPS` over a change, one run at a time,
and publishes their status."""

from __future__ import annotations

import threading
import time
import traceback

from kg.config import Settings
from kg.derive.change import Change
from kg.derive.step import Context, Report, Step, log, now
from kg.derive.steps import STEPS
from kg.publication import Publication
from kg.store.base import Store

STATUS_KEY = "pipeline"


class Pipeline:
    """Runs the steps over a change; one run at a time."""

    def __init__(self, store: Store, settings: Settings, publication: Publication,
                 steps: list[Step] | None = None) -> None:
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
