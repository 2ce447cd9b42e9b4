"""SHACL validation of kg's graph: the quality gate before anything is published.

Two ways to validate, which must give the same results:

* **whole graph** (:func:`validate_graph`): one pyshacl run over all asserted
  triples.  Simple and the reference, but pyshacl and rdflib hold everything in
  memory and run on one core, so it does not scale to large catalogues.
* **per resource** (:func:`validate_store`): the focus nodes the shapes target
  are found with one query; they are cut into batches, and for each batch *one*
  CONSTRUCT fetches the lean description each focus node needs (its own
  triples, the few triples of its values the shapes look at, and for shapes
  that look backwards its incoming links).  Worker processes, which parse the
  shapes once, validate the batches in parallel.  Each focus node is validated
  in exactly one batch, so the union of the batches' results is the whole
  result, provided the description holds everything the shapes inspect -
  :func:`description_plan` derives that from the shapes themselves.

Only *asserted* triples are validated: the inferred, validation and metadata
graphs are left out, so a report never depends on whether reasoning has run.
Results carry their messages in every language the shape gives, so reports
can be printed in the reader's language; the latest report is stored in the
validation graph (``Minter.validation_graph()``) for the web pages.
"""

from __future__ import annotations

import html
import json
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from kg.config import Settings
from kg.graphs import reasoner_graphs
from kg.iris import Minter
from kg.namespaces import PREFIXES, bind_all
from kg.queries import iri, render
from kg.shacl_sparql import (
    Check,
    PathSpec,
    Unsupported,
    compile_shapes,
    path_spec,
    plan,
    subclass_closure,
)
from kg.store.base import GraphDiff, Store, StoreError
from kg.validation_store import compact_triples

SEVERITY_NAMES: dict[URIRef, str] = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
SEVERITY_ORDER = {"violation": 0, "warning": 1, "info": 2}
_NONE = "<urn:x-kg:none>"  # keeps a VALUES block non-empty without matching anything
#: Annotation on a shape whose SPARQL constraint reads the triples of the focus node's neighbours
#: (incoming links included), so the per-resource run fetches them; see docs/validation.md.
READS_NEIGHBOURS = URIRef("https://kg.rammearkitektur.dk/def/shapes#readsNeighbours")



class ValidationError(StoreError):
    """Validation could not run (bad shapes file, store failure); not a finding about the data."""


# -- results and reports ----------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    """One SHACL validation result, independent of any rdflib graph (so it crosses processes)."""

    focus: str                      # IRI, or "_:" for a blank node
    severity: str                   # violation | warning | info
    component: str                  # the constraint component's IRI
    path: PathSpec | None = None
    value: str | None = None        # N3 of the value, "_:" for a blank node
    shape: str | None = None        # the source shape's IRI when it has one
    messages: tuple[tuple[str, str], ...] = ()  # (language, text), sorted

    def key(self) -> tuple[Any, ...]:
        """What makes two results the same finding, whichever run produced them."""
        return (self.focus, self.severity, self.component, self.path, self.value, self.messages)

    def message(self, lang: str = "da") -> str:
        """The message in ``lang``, else English, else any; the language the editor reads."""
        by_lang = dict(self.messages)
        for candidate in (lang, "en", "da", ""):
            if by_lang.get(candidate):
                return by_lang[candidate]
        return next(iter(by_lang.values()), self.component.rsplit("#", 1)[-1])


@dataclass
class Report:
    """The outcome of one validation run."""

    results: list[Result]
    focus_count: int = 0
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    created: str = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0)
                         .isoformat().replace("+00:00", "Z"))
    seconds: float = 0.0
    engine: str = ""                # how it was computed: sparql, pyshacl per resource, pyshacl whole graph

    def count(self, severity: str) -> int:
        return sum(r.severity == severity for r in self.results)

    def conforms(self, fail_on: str = "violation") -> bool:
        """True when no result is as severe as ``fail_on`` (violation or warning)."""
        limit = SEVERITY_ORDER[fail_on]
        return not any(SEVERITY_ORDER[r.severity] <= limit for r in self.results)

    def sorted_results(self) -> list[Result]:
        return sorted(self.results, key=lambda r: (r.focus, SEVERITY_ORDER[r.severity],
                                                   path_text(r.path), r.component, r.value or ""))

    def label(self, focus: str, lang: str = "da") -> str:
        labels = self.labels.get(focus, {})
        for candidate in (lang, "en", "da", ""):
            if labels.get(candidate):
                return labels[candidate]
        return next(iter(labels.values()), "")

    # -- renderings -------------------------------------------------------------
    def to_graph(self) -> Graph:
        """The report as a SHACL ``sh:ValidationReport`` (what the validation graph stores)."""
        g = bind_all(Graph())
        report = BNode()
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms("violation"))))
        g.add((report, DCTERMS.created, Literal(self.created, datatype=URIRef(PREFIXES["xsd"] + "dateTime"))))
        for r in self.sorted_results():
            node = BNode()
            g.add((report, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.focusNode, BNode() if r.focus == "_:" else URIRef(r.focus)))
            g.add((node, SH.resultSeverity, _SEVERITY_IRIS[r.severity]))
            g.add((node, SH.sourceConstraintComponent, URIRef(r.component)))
            if r.path is not None:
                g.add((node, SH.resultPath, path_node(g, r.path)))
            if r.value is not None:
                g.add((node, SH.value, _from_n3(r.value)))
            if r.shape:
                g.add((node, SH.sourceShape, URIRef(r.shape)))
            for lang, text in r.messages:
                g.add((node, SH.resultMessage, Literal(text, lang=lang or None)))
        return g

    def to_triples_text(self) -> bytes:
        """The same report as :meth:`to_graph`, written line by line as Turtle (one triple a line).

        A 100k-dataset catalogue has over a million results; building them as an rdflib graph first
        took longer than validating.  Terms are written as rdflib writes them (so a literal with a
        line break may use Turtle's long quotes), blank nodes get labels of their own.
        """
        sh, rdf_type = f"<{SH}", f"<{RDF.type}>"
        out = [f"_:report {rdf_type} {sh}ValidationReport> .",
               f"_:report {sh}conforms> {Literal(self.conforms('violation')).n3()} .",
               f"_:report <{DCTERMS.created}> \"{self.created}\"^^<{PREFIXES['xsd']}dateTime> ."]
        labels = iter(range(1 << 62))

        def path_term(spec: PathSpec) -> str:
            kind = spec[0]
            if kind == "iri":
                return f"<{spec[1]}>"
            node = f"_:p{next(labels)}"
            if kind in ("alternative", "sequence"):
                items = [path_term(s) for s in spec[1]]
                cells = [f"_:l{next(labels)}" for _ in items]
                for i, (cell, item) in enumerate(zip(cells, items, strict=True)):
                    rest = cells[i + 1] if i + 1 < len(cells) else f"<{RDF.nil}>"
                    out.append(f"{cell} <{RDF.first}> {item} .")
                    out.append(f"{cell} <{RDF.rest}> {rest} .")
                if kind == "sequence":
                    return cells[0]
                out.append(f"{node} {sh}alternativePath> {cells[0]} .")
                return node
            out.append(f"{node} {sh}{kind}Path> {path_term(spec[1])} .")
            return node

        for r in self.sorted_results():
            node = f"_:r{next(labels)}"
            focus = f"_:f{next(labels)}" if r.focus == "_:" else f"<{r.focus}>"
            out += [f"_:report {sh}result> {node} .", f"{node} {rdf_type} {sh}ValidationResult> .",
                    f"{node} {sh}focusNode> {focus} .",
                    f"{node} {sh}resultSeverity> <{_SEVERITY_IRIS[r.severity]}> .",
                    f"{node} {sh}sourceConstraintComponent> <{r.component}> ."]
            if r.path is not None:
                out.append(f"{node} {sh}resultPath> {path_term(r.path)} .")
            if r.value is not None:
                value = f"_:v{next(labels)}" if r.value == "_:" else r.value
                out.append(f"{node} {sh}value> {value} .")
            if r.shape:
                out.append(f"{node} {sh}sourceShape> <{r.shape}> .")
            for lang, text in r.messages:
                out.append(f"{node} {sh}resultMessage> {Literal(text, lang=lang or None).n3()} .")
        return ("\n".join(out) + "\n").encode("utf-8")

    def to_json(self, lang: str = "da") -> str:
        results = [{
            "focus": r.focus, "label": self.label(r.focus, lang), "severity": r.severity,
            "path": path_text(r.path) or None, "message": r.message(lang), "value": r.value,
            "shape": r.shape, "component": r.component,
        } for r in self.sorted_results()]
        return json.dumps({
            "conforms": self.conforms("violation"), "created": self.created,
            "focus_nodes": self.focus_count, "violations": self.count("violation"),
            "warnings": self.count("warning"), "infos": self.count("info"), "results": results,
        }, ensure_ascii=False, indent=2)

    def grouped(self) -> list[tuple[str, list[Result]]]:
        """Results grouped by resource, the most severe resources first."""
        groups: dict[str, list[Result]] = defaultdict(list)
        for r in self.sorted_results():
            groups[r.focus].append(r)
        return sorted(groups.items(), key=lambda kv: (min(SEVERITY_ORDER[r.severity] for r in kv[1]), kv[0]))

    def summary(self, lang: str = "da") -> str:
        v, w, i = self.count("violation"), self.count("warning"), self.count("info")
        resources = len({r.focus for r in self.results})
        if lang == "da":
            return (f"{v} overtrædelser, {w} advarsler, {i} oplysninger i {resources} ressourcer "
                    f"({self.focus_count} kontrollerede)")
        return (f"{v} violations, {w} warnings, {i} infos in {resources} resources "
                f"({self.focus_count} checked)")

    def to_text(self, lang: str = "da", base: str = "") -> str:
        """Grouped by resource: its label and IRI, then one line per result: severity, property, message."""
        words = _WORDS[lang if lang in _WORDS else "en"]
        lines = []
        for focus, results in self.grouped():
            label = self.label(focus, lang)
            shown = "<" + (focus[len(base):] if base and focus.startswith(base) else focus) + ">"
            lines.append(f"{label}  {shown}" if label else shown)
            for r in results:
                prop = path_text(r.path, short=True) or "-"
                lines.append(f"  {words[r.severity]:<12} {prop:<32} {r.message(lang)}")
                if r.value is not None and r.component.endswith(_VALUE_COMPONENTS):
                    lines.append(f"  {'':<12} {'':<32} {words['value']}: {r.value}")
            lines.append("")
        lines.append(self.summary(lang))
        return "\n".join(lines) + "\n"

    def to_html(self, lang: str = "da", base: str = "") -> str:
        """A self-contained HTML page (no scripts, no external files), every literal escaped."""
        words = _WORDS[lang if lang in _WORDS else "en"]
        e = html.escape
        parts = [f'<!DOCTYPE html>\n<html lang="{e(lang)}"><head><meta charset="utf-8">',
                 f"<title>{e(words['title'])}</title>",
                 "<style>body{font-family:sans-serif;max-width:70rem;margin:auto}"
                 ".violation{color:#a00}.warning{color:#8a5a00}.info{color:#035}"
                 "td,th{text-align:left;padding:.2rem .6rem;vertical-align:top}</style></head><body>",
                 f"<h1>{e(words['title'])}</h1>", f"<p>{e(self.summary(lang))}</p>"]
        for focus, results in self.grouped():
            label = self.label(focus, lang) or focus
            parts.append(f'<section><h2><a href="{e(focus)}">{e(label)}</a></h2>'
                         f"<p><code>{e(focus)}</code></p><table><thead><tr><th>{e(words['severity'])}</th>"
                         f"<th>{e(words['property'])}</th><th>{e(words['message'])}</th></tr></thead><tbody>")
            for r in results:
                parts.append(f'<tr class="{r.severity}"><td>{e(words[r.severity])}</td>'
                             f"<td><code>{e(path_text(r.path, short=True) or '-')}</code></td>"
                             f"<td>{e(r.message(lang))}</td></tr>")
            parts.append("</tbody></table></section>")
        parts.append("</body></html>\n")
        return "".join(parts)


_SEVERITY_IRIS = {name: iri_ for iri_, name in SEVERITY_NAMES.items()}
#: Components whose results are about one value, which the text report shows.
_VALUE_COMPONENTS = ("InConstraintComponent", "ClassConstraintComponent", "NodeConstraintComponent",
                     "PatternConstraintComponent", "DatatypeConstraintComponent",
                     "NodeKindConstraintComponent",
                     "HasValueConstraintComponent", "NotConstraintComponent", "OrConstraintComponent",
                     "SPARQLConstraintComponent")
_WORDS = {
    "da": {"violation": "overtrædelse", "warning": "advarsel", "info": "oplysning", "value": "værdi",
           "title": "Valideringsrapport", "severity": "alvor", "property": "egenskab", "message": "besked"},
    "en": {"violation": "violation", "warning": "warning", "info": "info", "value": "value",
           "title": "Validation report", "severity": "severity", "property": "property",
           "message": "message"},
}


# -- paths ----------------------------------------------------------------------------------------

def path_node(graph: Graph, spec: PathSpec) -> Node:
    """Write a :data:`PathSpec` back as SHACL path triples in ``graph``."""
    kind = spec[0]
    if kind == "iri":
        return URIRef(spec[1])
    node = BNode()
    if kind in ("alternative", "sequence"):
        items = BNode()
        Collection(graph, items, [path_node(graph, s) for s in spec[1]])
        if kind == "sequence":
            return items
        graph.add((node, SH.alternativePath, items))
        return node
    pred = {"inverse": SH.inversePath, "zeroOrMore": SH.zeroOrMorePath, "oneOrMore": SH.oneOrMorePath,
            "zeroOrOne": SH.zeroOrOnePath}[kind]
    graph.add((node, pred, path_node(graph, spec[1])))
    return node


def _short(value: str) -> str:
    for prefix, ns in PREFIXES.items():
        if value.startswith(ns) and value[len(ns):].replace("-", "").replace("_", "").isalnum():
            return f"{prefix}:{value[len(ns):]}"
    return f"<{value}>"


def path_text(spec: PathSpec | None, short: bool = False) -> str:
    """A path written as a SPARQL property path."""
    if spec is None:
        return ""
    kind = spec[0]
    if kind == "iri":
        return _short(spec[1]) if short else f"<{spec[1]}>"
    if kind == "inverse":
        return "^" + path_text(spec[1], short)
    if kind in ("alternative", "sequence"):
        joined = ("|" if kind == "alternative" else "/").join(path_text(s, short) for s in spec[1])
        return f"({joined})"
    return path_text(spec[1], short) + {"zeroOrMore": "*", "oneOrMore": "+", "zeroOrOne": "?"}[kind]


def _path_predicates(spec: PathSpec) -> Iterator[tuple[str, bool]]:
    """Every predicate a path uses, with True when it is walked backwards."""
    kind = spec[0]
    if kind == "iri":
        yield spec[1], False
    elif kind == "inverse":
        for p, _ in _path_predicates(spec[1]):
            yield p, True
    elif kind in ("alternative", "sequence"):
        for s in spec[1]:
            yield from _path_predicates(s)
    else:
        yield from _path_predicates(spec[1])


def _n3(node: Node) -> str:
    return "_:" if isinstance(node, BNode) else node.n3()


def _from_n3(text: str) -> Node:
    if text == "_:":
        return BNode()
    from rdflib.util import from_n3

    return from_n3(text)  # type: ignore[return-value]


# -- shapes ------------------------------------------------------------------------------------------

def default_shape_files(settings: Settings) -> list[Path]:
    return sorted(settings.shapes_dir.glob("*.ttl"))


def load_shapes(paths: Iterable[Path], base: str) -> Graph:
    """Parse shapes files into one graph; relative IRIs (kg's own concepts) resolve against ``base``."""
    shapes = Graph()
    for path in paths:
        try:
            shapes.parse(path, format="turtle", publicID=base)
        except FileNotFoundError:
            raise ValidationError(f"{path}: no such shapes file") from None
        except Exception as exc:  # rdflib raises many kinds for bad Turtle
            raise ValidationError(f"{path}: not valid Turtle: {exc}") from None
    if not any(shapes.triples((None, RDF.type, SH.NodeShape))) and not any(
            shapes.triples((None, SH.property, None))):
        raise ValidationError("the shapes files hold no SHACL shapes")
    return shapes


def _install_lean_reports() -> None:
    """Make pyshacl build its report graph without the text report.

    pyshacl writes a human-readable description of every result and joins them
    with repeated string concatenation, which is quadratic: 22k results (a 1k-dataset
    catalogue with its warnings) took 200 s there alone.  kg renders its own text from
    the results, so the description is skipped and the report graph is built directly,
    keeping the shapes graph's own nodes (so paths and messages are read from it).
    """
    from pyshacl.constraints.constraint_component import ConstraintComponent
    from pyshacl.validator import Validator

    def create_validation_report(cls: type, sg: Any, conforms: bool, results: list[tuple[Any, ...]]
                                 ) -> tuple[Graph, str]:
        report = Graph()
        root = BNode()
        report.add((root, RDF.type, SH.ValidationReport))
        report.add((root, SH.conforms, Literal(conforms)))
        for _, node, triples in results:
            report.add((root, SH.result, node))
            for s, p, o in triples:
                report.add((s, p, o[1] if isinstance(o, tuple) else o))
        return report, ""

    Validator.create_validation_report = classmethod(create_validation_report)  # type: ignore[method-assign, assignment]
    ConstraintComponent.make_v_result_description = lambda self, *args, **kwargs: ""  # type: ignore[method-assign]
    # Each shape evaluation looks its parameters up in a *list* of ~40 IRIs (16M IRI comparisons
    # for a 1k-dataset catalogue); a frozenset gives the same answers in constant time.
    import pyshacl.shape as shape_module
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    shape_module.CONSTRAINT_PARAMS = (frozenset(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)  # type: ignore[attr-defined]
    # pyshacl hands rdflib the text of a SPARQL constraint once per focus node, and rdflib parses it
    # every time (290 parses = 78 s on kg's data).  Parsed queries are reusable (rdflib's own
    # prepareQuery), so each distinct text is parsed once.
    from functools import lru_cache

    from rdflib.plugins.sparql import processor as sparql_processor
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    @lru_cache(maxsize=512)
    def prepared(text: str, base: str | None, namespaces: frozenset[tuple[str, Any]]) -> Any:
        return translateQuery(parseQuery(text), base, dict(namespaces))

    def query(self: Any, strOrQuery: Any, initBindings: Any = None, initNs: Any = None,
              base: str | None = None, DEBUG: bool = False) -> Any:
        if isinstance(strOrQuery, str):
            strOrQuery = prepared(strOrQuery, base, frozenset((initNs or {}).items()))
        return sparql_processor.evalQuery(self.graph, strOrQuery, initBindings, base)

    sparql_processor.SPARQLProcessor.query = query  # type: ignore[method-assign]
    # With the focus_nodes option, pyshacl also filters the *value nodes* handed to nested shapes
    # (sh:or, sh:not, sh:qualifiedValueShape …) by that list, so a literal or a concept is never
    # checked and the nested shape passes vacuously.  The option is meant for the targets only: apply
    # it there (as a set), and not to nested evaluations.
    from pyshacl.shape import Shape

    original = Shape.validate

    def validate(self: Any, executor: Any, target_graph: Any, focus: Any = None, *args: Any,
                 **kwargs: Any) -> Any:
        chosen = executor.focus_nodes
        if focus is None or chosen is None:
            if chosen is not None and not isinstance(chosen, frozenset):
                executor.focus_nodes = frozenset(chosen)
            return original(self, executor, target_graph, focus, *args, **kwargs)
        executor.focus_nodes = None
        try:
            return original(self, executor, target_graph, focus, *args, **kwargs)
        finally:
            executor.focus_nodes = chosen

    Shape.validate = validate  # type: ignore[method-assign]


_install_lean_reports()


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


def _run_pyshacl(data: Graph, shapes: Graph, focus_nodes: Sequence[str] | None = None) -> Graph:
    # advanced=False: kg's shapes use SHACL Core and SPARQL constraints only, and advanced mode
    # makes pyshacl copy the whole data graph first.
    _, report, _ = pyshacl_validate(data, shacl_graph=shapes, inference="none", advanced=False,
                                    allow_warnings=True, allow_infos=True,
                                    focus_nodes=list(focus_nodes) if focus_nodes else None)
    return report  # type: ignore[no-any-return]


def shapes_tbox(shapes: Graph) -> Graph:
    """The rdfs:subClassOf axioms the shapes files state for standard vocabularies (ORG, FOAF, vCard):
    added to the data, as pyshacl's ont_graph would be, so class checks need no external ontology."""
    tbox = Graph()
    for triple in shapes.triples((None, RDFS.subClassOf, None)):
        tbox.add(triple)
    return tbox


def validate_graph(data: Graph, shapes: Graph, focus: set[str] | None = None) -> Report:
    """Validate one in-memory graph as a whole (the reference run); ``focus`` filters the results.

    The shapes' own class axioms are added to ``data`` (in place).
    """
    start = time.perf_counter()
    for triple in shapes_tbox(shapes):
        data.add(triple)
    report = _run_pyshacl(data, shapes)
    keep = None if focus is None else (lambda n: isinstance(n, URIRef) and str(n) in focus)
    results = _results(report, shapes, keep)
    return Report(results, focus_count=len(target_nodes(data, shapes)) if focus is None else len(focus),
                  seconds=time.perf_counter() - start)


def target_nodes(data: Graph, shapes: Graph) -> set[Node]:
    """The focus nodes the shapes target in an in-memory graph (for counting)."""
    nodes: set[Node] = set()
    targets = _targets(shapes)
    for cls in targets["classes"]:
        for sub in data.transitive_subjects(RDFS.subClassOf, URIRef(cls)):
            nodes.update(data.subjects(RDF.type, sub))
    for p in targets["subjects_of"]:
        nodes.update(data.subjects(URIRef(p), None))
    for p in targets["objects_of"]:
        nodes.update(o for o in data.objects(None, URIRef(p)) if not isinstance(o, Literal))
    nodes.update(URIRef(n) for n in targets["nodes"])
    return nodes


# -- what the shapes need ---------------------------------------------------------------------------

def _targets(shapes: Graph) -> dict[str, set[str]]:
    targets: dict[str, set[str]] = {"classes": set(), "subjects_of": set(), "objects_of": set(),
                                    "nodes": set()}
    for key, pred in (("classes", SH.targetClass), ("subjects_of", SH.targetSubjectsOf),
                      ("objects_of", SH.targetObjectsOf), ("nodes", SH.targetNode)):
        targets[key].update(str(o) for o in shapes.objects(None, pred) if isinstance(o, URIRef))
    for shape in shapes.subjects(RDF.type, SH.NodeShape):  # implicit class targets
        if isinstance(shape, URIRef) and ((shape, RDF.type, RDFS.Class) in shapes
                                          or (shape, RDF.type, URIRef(PREFIXES["owl"] + "Class")) in shapes):
            targets["classes"].add(str(shape))
    return targets


def _shape_targets(shapes: Graph, shape: Node) -> dict[str, set[str]]:
    sub = Graph()
    for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
        for o in shapes.objects(shape, p):
            sub.add((shape, p, o))
    return _targets(sub)


@dataclass(frozen=True)
class DescriptionPlan:
    """What the per-resource run fetches for each focus node, derived from the shapes.

    ``second`` are the predicates read on a focus node's values (``rdf:type`` for
    ``sh:class``, ``skos:inScheme`` for vocabulary membership, and every path of
    shapes applied to values).  ``wide`` are the targets of shapes that walk a path
    backwards, or whose SPARQL reads the neighbours (annotated :data:`READS_NEIGHBOURS`):
    their focus nodes also get their incoming triples and their neighbours' triples.
    Other SPARQL constraints must read only the focus node's own triples.
    """

    targets: dict[str, set[str]]
    wide_targets: dict[str, set[str]]
    second: frozenset[str]


def description_plan(shapes: Graph) -> DescriptionPlan:
    """Work out from the shapes which triples each focus node's validation reads."""
    second = {str(RDF.type), str(SKOS.inScheme)}
    value_shapes: set[Node] = set()
    for pred in (SH.node, SH.qualifiedValueShape, SH["not"]):
        value_shapes.update(shapes.objects(None, pred))
    for pred in (SH["or"], SH["and"], SH.xone):
        for lst in shapes.objects(None, pred):
            value_shapes.update(Collection(shapes, lst))
    seen: set[Node] = set()
    stack = list(value_shapes)
    while stack:
        shape = stack.pop()
        if shape in seen:
            continue
        seen.add(shape)
        for path in shapes.objects(shape, SH.path):
            second.update(p for p, _ in _path_predicates(path_spec(shapes, path)))
        stack.extend(shapes.objects(shape, SH.property))
        stack.extend(shapes.objects(shape, SH.node))
    for path in shapes.objects(None, SH.path):  # later steps of sequence paths read the values' triples
        spec = path_spec(shapes, path)
        if spec[0] != "iri":
            second.update(p for p, _ in _path_predicates(spec))
    wide_shapes: set[Node] = set()
    for shape in set(shapes.subjects(SH.property, None)) | set(shapes.subjects(RDF.type, SH.NodeShape)):
        paths = [path_spec(shapes, p) for ps in shapes.objects(shape, SH.property)
                 for p in shapes.objects(ps, SH.path)]
        backwards = any(inv for spec in paths for _, inv in _path_predicates(spec))
        neighbours = any((ps, READS_NEIGHBOURS, Literal(True)) in shapes
                         for ps in [shape, *shapes.objects(shape, SH.property)])
        if backwards or neighbours:
            wide_shapes.add(shape)
    wide: dict[str, set[str]] = {"classes": set(), "subjects_of": set(), "objects_of": set(), "nodes": set()}
    for shape in wide_shapes:
        for key, values in _shape_targets(shapes, shape).items():
            wide[key].update(values)
    return DescriptionPlan(_targets(shapes), wide, frozenset(second))


def _values(items: Iterable[str]) -> str:
    written = " ".join(iri(i) for i in sorted(items))
    return written or _NONE


# -- the store side ------------------------------------------------------------------------------------

def asserted_graphs(store: Store, settings: Settings) -> list[str]:
    """What validation reads: the sources and the links between them (no derived product)."""
    return reasoner_graphs(store)


def _select(store: Store, query: str, graphs: list[str]) -> list[dict[str, dict[str, str]]]:
    result = store.execute(query, default_graphs=graphs, max_rows=None)
    return json.loads(result.serialize("application/sparql-results+json"))["results"]["bindings"]  # type: ignore[no-any-return]


def _ntriples(store: Store, query: str, graphs: list[str]) -> bytes:
    return store.execute(query, default_graphs=graphs, max_rows=None).serialize("application/n-triples")


def export_asserted(store: Store, settings: Settings) -> Graph:
    """All asserted triples as one rdflib graph (the whole-graph run's input)."""
    data = _ntriples(store, render("validate/all-triples"), asserted_graphs(store, settings))
    return Graph().parse(data=data, format="nt")


def focus_nodes(store: Store, plan: DescriptionPlan, graphs: list[str],
                restrict_to: list[str] | None = None) -> tuple[list[str], set[str], set[str]]:
    """The IRIs the shapes target, the subset needing wide descriptions, and the IRI owners of blank targets.

    ``restrict_to`` names graphs: only resources described there (as subjects) are validated.
    """

    def run(targets: dict[str, set[str]]) -> tuple[set[str], set[str]]:
        query = render("validate/focus-nodes", classes=_values(targets["classes"]),
                       subjects_of=_values(targets["subjects_of"]), objects_of=_values(targets["objects_of"]))
        iris, owners = set(targets["nodes"]), set()
        for row in _select(store, query, graphs):
            if row["focus"]["type"] == "uri":
                iris.add(row["focus"]["value"])
            elif "owner" in row:
                owners.add(row["owner"]["value"])
        return iris, owners

    iris, owners = run(plan.targets)
    wide, _ = run(plan.wide_targets) if any(plan.wide_targets.values()) else (set(), set())
    if restrict_to is not None:
        allowed = {row["s"]["value"] for row in _select(store, render("validate/subjects"), restrict_to)}
        iris &= allowed
        owners &= allowed
    return sorted(iris), wide & set(iris), owners


def describe_batch(store: Store, plan: DescriptionPlan, nodes: Sequence[str], wide: set[str],
                   graphs: list[str]) -> bytes:
    """One CONSTRUCT for a whole batch: each node's lean description, as N-Triples."""
    query = render("validate/describe-batch", nodes=_values(nodes), second=_values(plan.second),
                   wide=_values(n for n in nodes if n in wide))
    return _ntriples(store, query, graphs)


# -- workers ---------------------------------------------------------------------------------------------

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
    report = _run_pyshacl(data, _WORKER["shapes"], None if owned else focus)
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


def validate_resources(store: Store, settings: Settings, shapes: Graph, graphs: list[str] | None = None,
                       jobs: int | None = None, batch_size: int = 1000,
                       progress: Callable[[int, int], None] | None = None) -> Report:
    """Per-resource validation with pyshacl, in parallel worker processes (each focus node with the
    lean description :func:`description_plan` derives; see the module docstring)."""
    start = time.perf_counter()
    data_graphs = asserted_graphs(store, settings)
    plan = description_plan(shapes)
    nodes, wide, owners = focus_nodes(store, plan, data_graphs, graphs)
    tbox = _ntriples(store, render("validate/class-hierarchy"), data_graphs) + \
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


def validate_whole(store: Store, settings: Settings, shapes: Graph,
                   graphs: list[str] | None = None) -> Report:
    """The reference: every asserted triple in one rdflib graph, one pyshacl run."""
    start = time.perf_counter()
    data = export_asserted(store, settings)
    focus = None
    if graphs is not None:
        focus = {row["s"]["value"] for row in _select(store, render("validate/subjects"), graphs)}
    report = validate_graph(data, shapes, focus)
    if focus is not None:
        report.focus_count = len({n for n in target_nodes(data, shapes) if str(n) in focus})
    report.seconds = time.perf_counter() - start
    report.engine = "pyshacl whole graph"
    report.labels = labels_for(store, {r.focus for r in report.results if r.focus != "_:"},
                               asserted_graphs(store, settings))
    return report


# -- compiled to SPARQL ------------------------------------------------------------------------------

def compiled_checks(store: Store, shapes: Graph, data_graphs: list[str]) -> list[Check]:
    """The shapes compiled against the store's class hierarchy (and the shapes' own class axioms)."""
    hierarchy = Graph().parse(data=_ntriples(store, render("validate/class-hierarchy"), data_graphs),
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
    from concurrent.futures import ThreadPoolExecutor, as_completed

    start = time.perf_counter()
    data_graphs = asserted_graphs(store, settings)
    checks = compiled_checks(store, shapes, data_graphs)
    units = plan(checks)
    jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
    results: list[Result] = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_select, store, query, data_graphs): by_check for query, by_check in units}
        for done, future in enumerate(as_completed(futures), 1):
            results.extend(_unit_results(futures[future], future.result()))
            if progress:
                progress(done, len(units))
    focus_query = render("validate/compiled/focus-nodes", focus=_all_focus(checks))
    focus = {row["this"]["value"] if row["this"]["type"] == "uri" else f"_:{row['this']['value']}"
             for row in _select(store, focus_query, data_graphs)}
    if graphs is not None:
        allowed = {row["s"]["value"] for row in _select(store, render("validate/subjects"), graphs)}
        results = [r for r in results if r.focus in allowed]
        focus &= allowed
    report = Report(results, focus_count=len(focus), seconds=time.perf_counter() - start, engine="sparql")
    if labels:
        report.labels = labels_for(store, {r.focus for r in results if r.focus != "_:"}, data_graphs)
    return report


def _all_focus(checks: list[Check]) -> str:
    """One pattern binding ?this to every focus node of every compiled shape."""
    return " UNION ".join(f"{{ {f} }}" for f in sorted({check.focus for check in checks})) or "FILTER(false)"


def labels_for(store: Store, resources: set[str], graphs: list[str]) -> dict[str, dict[str, str]]:
    """Labels of the reported resources in every language, for the grouped report."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    items = sorted(resources)
    for start in range(0, len(items), 500):
        query = render("validate/labels", nodes=_values(items[start:start + 500]))
        for row in _select(store, query, graphs):
            lang = row["label"].get("xml:lang", "")
            labels[row["s"]["value"]].setdefault(lang, row["label"]["value"])
    return dict(labels)


def store_report(store: Store, settings: Settings, report: Report, diff: GraphDiff | None = None) -> int:
    """Replace the validation graph with this report in its compact form (:mod:`kg.validation_store`).

    Written only when the findings changed: deriving the same report again writes nothing.
    """
    data = compact_triples(report.results, settings.base_iri, report.conforms("violation"),
                           report.focus_count)
    return store.replace_if_changed(Minter(settings.base_iri).validation_graph(), data, "kg validate", diff)
