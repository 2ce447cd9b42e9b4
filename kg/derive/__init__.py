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

The contract of a step is :mod:`kg.derive.step`, the steps themselves :mod:`kg.derive.steps`, and the
runner :mod:`kg.derive.pipeline`; the names other code uses are importable from here.
"""

from __future__ import annotations

from kg.derive.change import Change
from kg.derive.pipeline import STATUS_KEY, Pipeline
from kg.derive.step import Context, Outcome, Step, now, resources

__all__ = ["STATUS_KEY", "Change", "Context", "Outcome", "Pipeline", "Step", "now", "resources"]
