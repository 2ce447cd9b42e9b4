"""Validation by pyshacl: over one in-memory graph (the reference), or per resource in worker processes.

pyshacl and rdflib hold everything in memory and run on one core, so the per-resource run cuts the
focus nodes into batches, fetches each batch's lean description (:mod:`kg.validation.describe`) with
one CONSTRUCT, and validates the batches in worker processes that parse the shapes once.  Each focus
node is validated in exactly one batch, so the union of the batches' results is the whole result.
Every pyshacl run here is inside :func:`~kg.validation.patches.lean_pyshacl`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.config import Settings
from kg.namespaces import RDF, SH
from kg.queries import render
from kg.store.base import Store
from kg.validation.describe import describe_batch, description_plan, focus_nodes
from kg.validation.patches import lean_pyshacl
from kg.validation.paths import path_spec
from kg.validation.report import SEVERITY_NAMES, Report, Result
from kg.validation.shapes import shapes_tbox, target_nodes
from kg.validation.store import asserted_graphs, construct_nt, export_asserted, labels_for, select_rows


def _n3(node: Node) -> str:
    return "_:" if isinstance(node, BNode) else node.n3()


def _messages(shapes: Graph, report: Graph, node: Node) -> tuple[tuple[str, str], ...]:
    """The result's messages in every language: from the shape (pyshacl drops the language of
    SPARQL-constraint messages), else as pyshacl reported them."""
    for source in (report.value(node, SH.sourceConstraint), report.value(node, SH.sourceShape)):
        if source is None:
            continue
        found = [m for m in shapes.objects(source, SH.message) if isinstance(m, Literal)]
        if found:
            return tuple(sorted((m.language or "", str(m)) for m in found))
    return tuple(sorted((m.language or "", str(m)) for m in report.objects(node, SH.resultMessage)
                        if isinstance(m, Literal)))


def _results(report: Graph, shapes: Graph, keep: Callable[[Node], bool] | None = None) -> list[Result]:
    """Turn pyshacl's report graph into :class:`Result` objects (paths are read from the shapes)."""
    out = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        if (None, SH.detail, node) in report:
            continue  # a nested result: its parent carries the finding
        focus = report.value(node, SH.focusNode)
        if keep is not None and not keep(focus):
            continue
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        shape = report.value(node, SH.sourceShape)
        out.append(Result(
            focus=str(focus) if isinstance(focus, URIRef) else "_:",
            severity=SEVERITY_NAMES.get(report.value(node, SH.resultSeverity), "violation"),  # type: ignore[arg-type]
            component=str(report.value(node, SH.sourceConstraintComponent)),
            path=path_spec(shapes, path) if path is not None else None,
            value=_n3(value) if value is not None else None,
            shape=str(shape) if isinstance(shape, URIRef) else None,
            messages=_messages(shapes, report, node),
        ))
    return out


def run_pyshacl(data: Graph, shapes: Graph, focus_nodes: Sequence[str] | None = None) -> Graph:
    """One pyshacl run with kg's corrections (:func:`lean_pyshacl`): its report graph, no text."""
    # advanced=False: kg's shapes use SHACL Core and SPARQL constraints only, and advanced mode
    # makes pyshacl copy the whole data graph first.
    with lean_pyshacl():
        _, report, _ = pyshacl_validate(data, shacl_graph=shapes, inference="none", advanced=False,
                                        allow_warnings=True, allow_infos=True,
                                        focus_nodes=list(focus_nodes) if focus_nodes else None)
    return report  # type: ignore[no-any-return]


def validate_graph(data: Graph, shapes: Graph, focus: set[str] | None = None) -> Report:
    """Validate one in-memory graph as a whole (the reference run); ``focus`` filters the results.

    The shapes' own class axioms are added to ``data`` (in place).
    """
    start = time.perf_counter()
    for triple in shapes_tbox(shapes):
        data.add(triple)
    report = run_pyshacl(data, shapes)
    keep = None if focus is None else (lambda n: isinstance(n, URIRef) and str(n) in focus)
    results = _results(report, shapes, keep)
    return Report(results, focus_count=len(target_nodes(data, shapes)) if focus is None else len(focus),
                  seconds=time.perf_counter() - start)


def validate_whole(store: Store, settings: Settings, shapes: Graph,
                   graphs: list[str] | None = None) -> Report:
    """The reference: every asserted triple in one rdflib graph, one pyshacl run."""
    start = time.perf_counter()
    data = export_asserted(store, settings)
    focus = None
    if graphs is not None:
        focus = {row["s"]["value"] for row in select_rows(store, render("validate/subjects"), graphs)}
    report = validate_graph(data, shapes, focus)
    if focus is not None:
        report.focus_count = len({n for n in target_nodes(data, shapes) if str(n) in focus})
    report.seconds = time.perf_counter() - start
    report.engine = "pyshacl whole graph"
    report.labels = labels_for(store, {r.focus for r in report.results if r.focus != "_:"},
                               asserted_graphs(store, settings))
    return report


# -- per resource, in worker processes ----------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(shapes_nt: bytes, tbox_nt: bytes) -> None:
    """Parse the shapes and the class hierarchy once per worker process."""
    _WORKER["shapes"] = Graph().parse(data=shapes_nt, format="nt")
    _WORKER["tbox"] = Graph().parse(data=tbox_nt, format="nt")


def _validate_batch(description_nt: bytes, focus: list[str], carriers: list[str]) -> list[Result]:
    """Validate one batch: its focus IRIs, and the blank-node targets hanging off ``carriers``.

    pyshacl validates only the batch's focus IRIs (its ``focus_nodes`` option; the neighbours whose
    few triples the description carries are not targets here).  Blank-node targets cannot be named
    that way, so a batch that carries them is validated whole and its results filtered.
    """
    data = Graph().parse(data=description_nt, format="nt")
    for triple in _WORKER["tbox"]:
        data.add(triple)
    wanted = set(focus)
    owned = {o for c in carriers for o in data.objects(URIRef(c), None) if isinstance(o, BNode)}
    if not owned and not focus:
        return []
    report = run_pyshacl(data, _WORKER["shapes"], None if owned else focus)
    return _results(report, _WORKER["shapes"], lambda n: (isinstance(n, URIRef) and str(n) in wanted)
                    or n in owned)


def _batches(nodes: list[str], owners: set[str], size: int) -> Iterator[tuple[list[str], list[str]]]:
    """Focus IRIs in batches; owners of blank-node targets travel as carriers in the same batches."""
    extra = sorted(owners - set(nodes))
    for start in range(0, len(nodes), size):
        chunk = nodes[start:start + size]
        yield chunk, [n for n in chunk if n in owners]
    for start in range(0, len(extra), size):
        yield [], extra[start:start + size]


def validate_resources(store: Store, settings: Settings, shapes: Graph, graphs: list[str] | None = None,
                       jobs: int | None = None, batch_size: int = 1000,
                       progress: Callable[[int, int], None] | None = None) -> Report:
    """Per-resource validation with pyshacl, in parallel worker processes (each focus node with the
    lean description :func:`description_plan` derives; see the module docstring)."""
    start = time.perf_counter()
    data_graphs = asserted_graphs(store, settings)
    plan = description_plan(shapes)
    nodes, wide, owners = focus_nodes(store, plan, data_graphs, graphs)
    tbox = construct_nt(store, render("validate/class-hierarchy"), data_graphs) + \
        shapes_tbox(shapes).serialize(format="nt", encoding="utf-8")
    shapes_nt = shapes.serialize(format="nt", encoding="utf-8")
    total = len(nodes)
    jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
    batches = list(_batches(nodes, owners, batch_size))
    results: list[Result] = []
    done = 0

    def describe(batch: tuple[list[str], list[str]]) -> bytes:
        focus, carriers = batch
        return describe_batch(store, plan, focus + carriers, wide, data_graphs)

    if jobs == 1 or len(batches) <= 1:
        _init_worker(shapes_nt, tbox)
        for batch in batches:
            results.extend(_validate_batch(describe(batch), *batch))
            done += len(batch[0])
            if progress:
                progress(done, total)
    else:
        window = 2 * jobs  # bounded: at most this many descriptions wait in memory
        ctx = get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                                 initargs=(shapes_nt, tbox)) as pool:
            pending: list[tuple[Future[list[Result]], int]] = []
            for batch in batches:
                pending.append((pool.submit(_validate_batch, describe(batch), *batch), len(batch[0])))
                while len(pending) >= window:
                    future, n = pending.pop(0)
                    results.extend(future.result())
                    done += n
                    if progress:
                        progress(done, total)
            for future, n in pending:
                results.extend(future.result())
                done += n
                if progress:
                    progress(done, total)
    report = Report(results, focus_count=total, seconds=time.perf_counter() - start,
                    engine="pyshacl per resource")
    report.labels = labels_for(store, {r.focus for r in results if r.focus != "_:"}, data_graphs)
    return report
