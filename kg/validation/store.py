"""Validation's side of the store: what it reads (the asserted graphs, labels) and what it writes.

The stored report is compact, with no blank nodes, and the same bytes for the same findings.
Most findings repeat a few kinds (a recommended property missing), and a full SHACL report spends
six to eight triples on each; here the part findings share is written once, as an *issue*:

* ``<issue> a kg:ValidationIssue`` with ``sh:resultSeverity``, ``sh:sourceConstraintComponent``,
  ``sh:sourceShape``, ``sh:resultPath`` (or ``kg:resultPathText`` for a path that is not one
  property) and ``sh:resultMessage`` in each language — the issue's IRI is a hash of these;
* a finding without a value is one triple, ``<focus> kg:hasValidationIssue <issue>``;
* a finding with a value (a wrong datatype, a value outside a list) is a ``sh:ValidationResult``
  with ``sh:focusNode``, ``kg:issue`` and ``sh:value``, named by a hash of the three;
* ``<base>/id/validation/report a sh:ValidationReport`` with ``sh:conforms`` and
  ``kg:resourcesChecked``.

Every IRI is minted from content, so deriving the same findings again writes the same triples
(and the pipeline then writes nothing).  ``kg validate --format ttl`` still writes the standard
report, one ``sh:ValidationResult`` per finding.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable

from rdflib import Graph, Literal

from kg.config import Settings
from kg.graphs import reasoner_graphs
from kg.iris import Minter
from kg.namespaces import KG, RDF, SH
from kg.queries import iri, render
from kg.store.base import GraphDiff, Store
from kg.validation.paths import PathSpec
from kg.validation.report import Report, Result

SEVERITY_IRIS = {"violation": SH.Violation, "warning": SH.Warning, "info": SH.Info}
_NONE = "<urn:x-kg:none>"  # keeps a VALUES block non-empty without matching anything


# -- reading ---------------------------------------------------------------------------------------------

def asserted_graphs(store: Store, settings: Settings) -> list[str]:
    """What validation reads: the sources and the links between them (no derived product)."""
    return reasoner_graphs(store)


def select_rows(store: Store, query: str, graphs: list[str]) -> list[dict[str, dict[str, str]]]:
    """A SELECT's rows as SPARQL JSON bindings, with ``graphs`` as the default graph."""
    result = store.execute(query, default_graphs=graphs, max_rows=None)
    return json.loads(result.serialize("application/sparql-results+json"))["results"]["bindings"]  # type: ignore[no-any-return]


def construct_nt(store: Store, query: str, graphs: list[str]) -> bytes:
    """A CONSTRUCT's triples as N-Triples, with ``graphs`` as the default graph."""
    return store.execute(query, default_graphs=graphs, max_rows=None).serialize("application/n-triples")


def export_asserted(store: Store, settings: Settings) -> Graph:
    """All asserted triples as one rdflib graph (the whole-graph run's input)."""
    data = construct_nt(store, render("validate/all-triples"), asserted_graphs(store, settings))
    return Graph().parse(data=data, format="nt")


def values_block(items: Iterable[str]) -> str:
    """IRIs written for a VALUES block (never empty: an empty block would be a syntax error)."""
    written = " ".join(iri(i) for i in sorted(items))
    return written or _NONE


def labels_for(store: Store, resources: set[str], graphs: list[str]) -> dict[str, dict[str, str]]:
    """Labels of the reported resources in every language, for the grouped report."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    items = sorted(resources)
    for start in range(0, len(items), 500):
        query = render("validate/labels", nodes=values_block(items[start:start + 500]))
        for row in select_rows(store, query, graphs):
            lang = row["label"].get("xml:lang", "")
            labels[row["s"]["value"]].setdefault(lang, row["label"]["value"])
    return dict(labels)


# -- writing: the compact report ------------------------------------------------------------------

def _hash(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:24]


def _path_text(spec: PathSpec) -> str:
    """A path that is not one property, as the stored ``kg:resultPathText`` writes it."""
    kind = spec[0]
    if kind == "iri":
        return f"<{spec[1]}>"
    if kind in ("alternative", "sequence"):
        joiner = " | " if kind == "alternative" else " / "
        return "(" + joiner.join(_path_text(s) for s in spec[1]) + ")"
    marks = {"inverse": "^", "zeroOrMore": "*", "oneOrMore": "+", "zeroOrOne": "?"}
    inner = _path_text(spec[1])
    return f"^{inner}" if kind == "inverse" else f"{inner}{marks.get(kind, '')}"


def report_iri(base_iri: str) -> str:
    return f"{base_iri.rstrip('/')}/id/validation/report"


def issue_iri(base_iri: str, r: Result) -> str:
    """The IRI of what a finding shares with others of its kind (severity, shape, path, messages)."""
    key = _hash(r.severity, r.component, r.shape or "", r.path or "", sorted(r.messages))
    return f"{base_iri.rstrip('/')}/id/validation/issue/{key}"


def compact_triples(results: Iterable[Result], base_iri: str, conforms: bool, checked: int) -> bytes:
    """The report as N-Triples in the compact form (see the module's description)."""
    out: list[str] = []
    report = f"<{report_iri(base_iri)}>"
    out.append(f"{report} <{RDF.type}> <{SH.ValidationReport}> .")
    out.append(f"{report} <{SH.conforms}> {Literal(conforms).n3()} .")
    out.append(f"{report} <{KG.resourcesChecked}> {Literal(checked).n3()} .")
    issues: set[str] = set()
    blank = 0
    for r in results:
        issue = issue_iri(base_iri, r)
        if issue not in issues:
            issues.add(issue)
            node = f"<{issue}>"
            out.append(f"{node} <{RDF.type}> <{KG.ValidationIssue}> .")
            out.append(f"{node} <{SH.resultSeverity}> <{SEVERITY_IRIS[r.severity]}> .")
            out.append(f"{node} <{SH.sourceConstraintComponent}> <{r.component}> .")
            if r.shape:
                out.append(f"{node} <{SH.sourceShape}> <{r.shape}> .")
            if r.path is not None:
                if r.path[0] == "iri":
                    out.append(f"{node} <{SH.resultPath}> <{r.path[1]}> .")
                else:
                    text = Literal(_path_text(r.path)).n3()
                    out.append(f"{node} <{KG.resultPathText}> {text} .")
            for lang, text in r.messages:
                out.append(f"{node} <{SH.resultMessage}> {Literal(text, lang=lang or None).n3()} .")
        focus = r.focus
        if r.value is None and focus != "_:":
            out.append(f"<{focus}> <{KG.hasValidationIssue}> <{issue}> .")
            continue
        blank += focus == "_:"
        key = _hash(focus, issue, r.value or "", blank if focus == "_:" else 0)
        node = f"<{base_iri.rstrip('/')}/id/validation/result/{key}>"
        out.append(f"{node} <{RDF.type}> <{SH.ValidationResult}> .")
        out.append(f"{node} <{KG.issue}> <{issue}> .")
        if focus != "_:":
            out.append(f"{node} <{SH.focusNode}> <{focus}> .")
        if r.value is not None and r.value != "_:":
            out.append(f"{node} <{SH.value}> {r.value} .")
    return ("\n".join(sorted(set(out))) + "\n").encode("utf-8")


def store_report(store: Store, settings: Settings, report: Report, diff: GraphDiff | None = None) -> int:
    """Replace the validation graph with this report in its compact form (see the module docstring).

    Written only when the findings changed: deriving the same report again writes nothing.
    """
    data = compact_triples(report.results, settings.base_iri, report.conforms("violation"),
                           report.focus_count)
    return store.replace_if_changed(Minter(settings.base_iri).validation_graph(), data, "kg validate", diff)
