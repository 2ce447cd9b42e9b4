"""Validating the store: the engine kg uses, and the one it falls back to."""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph

from kg.config import Settings
from kg.store.base import Store
from kg.validation.compiled import validate_compiled
from kg.validation.errors import Unsupported
from kg.validation.pyshacl_engine import validate_resources
from kg.validation.report import Report


def validate_store(store: Store, settings: Settings, shapes: Graph, graphs: list[str] | None = None,
                   jobs: int | None = None, batch_size: int = 1000,
                   progress: Callable[[int, int], None] | None = None, engine: str = "sparql",
                   labels: bool = True) -> Report:
    """Validate the store: the shapes compiled to SPARQL (``engine="sparql"``, the default, falling
    back to pyshacl when the shapes use what is not compiled), or pyshacl per resource (``"pyshacl"``).

    ``graphs`` restricts which resources are validated (those described in these graphs);
    their descriptions still come from every asserted graph, as in the whole-graph run.
    ``progress`` is called with (done, total): constraints for SPARQL, resources for pyshacl.
    ``labels=False`` leaves out the reported resources' labels, which only the terminal report shows
    (the stored report is read with the labels of the store, by the pages).
    """
    fallback = ""
    if engine == "sparql":
        try:
            return validate_compiled(store, settings, shapes, graphs, jobs=jobs, progress=progress,
                                     labels=labels)
        except Unsupported as exc:
            fallback = f" (the shapes use {exc})"
    elif engine != "pyshacl":
        raise ValueError(f"unknown validation engine {engine!r}")
    report = validate_resources(store, settings, shapes, graphs, jobs=jobs, batch_size=batch_size,
                                progress=progress)
    report.engine += fallback
    return report
