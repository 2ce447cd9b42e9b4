"""Validation results and reports, apart from how they were computed.

A :class:`Result` holds no rdflib graph, so results cross process boundaries and compare across
engines; a :class:`Report` renders them for the terminal (text), for tools (JSON, Turtle) and as a
self-contained HTML page.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.namespaces import DCTERMS, PREFIXES, RDF, SH, bind_all
from kg.validation.paths import PathSpec, path_node, path_text

SEVERITY_NAMES: dict[URIRef, str] = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
SEVERITY_ORDER = {"violation": 0, "warning": 1, "info": 2}


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


def _from_n3(text: str) -> Node:
    if text == "_:":
        return BNode()
    from rdflib.util import from_n3

    return from_n3(text)  # type: ignore[return-value]

