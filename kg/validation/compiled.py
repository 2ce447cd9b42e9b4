"""Validation by the shapes compiled to SPARQL (:mod:`kg.validation.compiler`), run by the store.

kg's default engine: the store's own query engine does the work, outside the interpreter, so it
scales where pyshacl does not, and gives pyshacl's results.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed

from rdflib import Graph, Literal, URIRef

from kg.config import Settings
from kg.namespaces import PREFIXES
from kg.queries import render
from kg.store.base import Store
from kg.validation.compiler import Check, compile_shapes, plan, subclass_closure
from kg.validation.report import Report, Result
from kg.validation.shapes import shapes_tbox
from kg.validation.store import asserted_graphs, construct_nt, labels_for, select_rows


def compiled_checks(store: Store, shapes: Graph, data_graphs: list[str]) -> list[Check]:
    """The shapes compiled against the store's class hierarchy (and the shapes' own class axioms)."""
    hierarchy = Graph().parse(data=construct_nt(store, render("validate/class-hierarchy"), data_graphs),
                              format="nt")
    pairs = [(s, o) for s, _, o in hierarchy] + [(s, o) for s, _, o in shapes_tbox(shapes)]
    return compile_shapes(shapes, subclass_closure(pairs))


def _binding_n3(binding: dict[str, str]) -> str:
    """A SPARQL JSON binding written as rdflib writes the term (so results compare with pyshacl's),
    the lexical form as stored (rdflib would rewrite "1e5"^^xsd:decimal, which is reported as ill-formed,
    as "100000")."""
    kind = binding["type"]
    if kind == "uri":
        return URIRef(binding["value"]).n3()
    if kind == "bnode":
        return "_:"
    datatype = binding.get("datatype")
    if datatype == _XSD_STRING:
        datatype = None
    return Literal(binding["value"], lang=binding.get("xml:lang"), datatype=datatype, normalize=False).n3()


_XSD_STRING = PREFIXES["xsd"] + "string"


def _unit_results(checks: dict[str, list[Check]], rows: list[dict[str, dict[str, str]]]) -> list[Result]:
    """The results of one query's rows; a merged query's ``?check`` column says whose they are."""
    results = []
    for row in rows:
        this = row.get("this")
        if this is None:
            continue  # a SPARQL constraint row that names no focus node
        focus = this["value"] if this["type"] == "uri" else "_:"
        for check in checks[row["check"]["value"] if "check" in row else ""]:
            value: str | None = None
            if check.value == "value" and "value" in row:
                value = _binding_n3(row["value"])
            elif check.value == "focus" or (check.value == "value" and check.path is None):
                value = _binding_n3(this)  # a node shape's results are about the focus node itself
            results.append(Result(focus=focus, severity=check.severity, component=check.component,
                                  path=check.path, value=value, shape=check.shape, messages=check.messages))
    return results


def validate_compiled(store: Store, settings: Settings, shapes: Graph, graphs: list[str] | None = None,
                      jobs: int | None = None, progress: Callable[[int, int], None] | None = None,
                      labels: bool = True) -> Report:
    """Validate with the shapes compiled to SPARQL, run by the store (raises :class:`Unsupported`).

    The queries run concurrently in threads: the store's engine (Oxigraph's Rust code, or a
    remote server) does the work outside the interpreter lock.
    """
    start = time.perf_counter()
    data_graphs = asserted_graphs(store, settings)
    checks = compiled_checks(store, shapes, data_graphs)
    units = plan(checks)
    jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
    results: list[Result] = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(select_rows, store, query, data_graphs): by_check for query, by_check in units}
        for done, future in enumerate(as_completed(futures), 1):
            results.extend(_unit_results(futures[future], future.result()))
            if progress:
                progress(done, len(units))
    focus_query = render("validate/compiled/focus-nodes", focus=_all_focus(checks))
    focus = {row["this"]["value"] if row["this"]["type"] == "uri" else f"_:{row['this']['value']}"
             for row in select_rows(store, focus_query, data_graphs)}
    if graphs is not None:
        allowed = {row["s"]["value"] for row in select_rows(store, render("validate/subjects"), graphs)}
        results = [r for r in results if r.focus in allowed]
        focus &= allowed
    report = Report(results, focus_count=len(focus), seconds=time.perf_counter() - start, engine="sparql")
    if labels:
        report.labels = labels_for(store, {r.focus for r in results if r.focus != "_:"}, data_graphs)
    return report


def _all_focus(checks: list[Check]) -> str:
    """One pattern binding ?this to every focus node of every compiled shape."""
    return " UNION ".join(f"{{ {f} }}" for f in sorted({check.focus for check in checks})) or "FILTER(false)"
