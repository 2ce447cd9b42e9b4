"""The W3C SPARQL test suites' manifests read into :class:`Case` objects (``tests/w3c_suites.py`` runs
them): which tests there are, of which kind, with which files."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")

#: Where the suites are published: the IRIs their files have, so that relative IRIs resolve as intended.
PUBLISHED = "https://w3c.github.io/rdf-tests/sparql/"
#: The manifests that include every other one.
ROOT_MANIFESTS = ("sparql10/manifest.ttl", "sparql11/manifest-all.ttl")
#: A graph that exists nowhere: the default graph of a test without data.
NO_GRAPH = "urn:x-kg-test:no-graph"

KINDS = {
    MF.PositiveSyntaxTest: "query-syntax", MF.NegativeSyntaxTest: "query-syntax",
    MF.PositiveSyntaxTest11: "query-syntax", MF.NegativeSyntaxTest11: "query-syntax",
    MF.PositiveUpdateSyntaxTest11: "update-syntax", MF.NegativeUpdateSyntaxTest11: "update-syntax",
    MF.QueryEvaluationTest: "query-evaluation", MF.UpdateEvaluationTest: "update-evaluation",
    MF.CSVResultFormatTest: "result-format",
}
#: Folders of the suites kg does not run here, and why (the runner counts them, nothing is silently lost).
NOT_RUN = {
    "entailment": "needs an entailment regime (RDFS, OWL, D-entailment); kg's endpoint answers under simple "
                  "entailment and keeps OWL RL inferences in their own graph instead",
    "service": "needs mock SPARQL endpoints at example.org, and kg refuses SERVICE by policy (it never calls "
               "other servers; tested in tests/test_sparql_safety.py)",
    "protocol": "HTTP request/response pairs run by tests/test_sparql_w3c.py from the Protocol manifest",
    "graph-store-protocol": "described in prose, not machine-readable; the Graph Store Protocol is tested in "
                            "tests/test_sparql_clients.py",
    "service-description": "described in prose, not machine-readable; the service description is tested in "
                           "tests/test_sparql_protocol.py",
}
NUMERIC = {str(t) for t in (XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.int, XSD.long, XSD.short,
                             XSD.byte, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.negativeInteger,
                             XSD.nonPositiveInteger, XSD.unsignedInt, XSD.unsignedLong, XSD.unsignedShort,
                             XSD.unsignedByte)}
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)  # ill-typed literals are what some tests test
FROM_CLAUSE = re.compile(r"\bFROM\s+(?:NAMED\s+)?<([^>]*)>", re.IGNORECASE)


@dataclass
class Case:
    """One test of the suites, as its manifest states it."""

    name: str               # e.g. "sparql11/functions#strbefore01a"
    kind: str               # a value of KINDS
    positive: bool          # syntax tests: whether the text is valid SPARQL
    folder: str             # the test's folder, e.g. "functions"
    action: Path            # the query or update file
    data: list[Path] = field(default_factory=list)            # default graph (query and update tests)
    graph_data: list[tuple[str, Path]] = field(default_factory=list)  # named graphs: (name, file)
    result: Path | None = None
    result_data: Path | None = None                          # update tests: the expected default graph
    result_graphs: list[tuple[str, Path]] = field(default_factory=list)

    @property
    def suite(self) -> str:
        """The counting unit of ``docs/sparql.md``: e.g. ``sparql11 query-evaluation``."""
        return f"{self.name.split('/', 1)[0]} {self.kind}"


def iri_of(root: Path, path: Path) -> str:
    """The published IRI of a file of the suites."""
    return PUBLISHED + path.resolve().relative_to(root.resolve()).as_posix()


def path_of(root: Path, iri: str) -> Path:
    """The file of the suites a published IRI names."""
    if not iri.startswith(PUBLISHED):
        raise ValueError(f"not a file of the suites: {iri}")
    return root / iri[len(PUBLISHED):]


def load_cases(root: Path) -> tuple[list[Case], Counter[str]]:
    """Every test the root manifests include, and the tests left out per folder (see :data:`NOT_RUN`)."""
    cases: list[Case] = []
    skipped: Counter[str] = Counter()
    seen: set[Path] = set()

    def walk(manifest: Path) -> None:
        if manifest in seen:
            return
        seen.add(manifest)
        graph = Graph().parse(manifest, format="turtle", publicID=iri_of(root, manifest))
        for head in graph.subjects(RDF.type, MF.Manifest):
            for included in graph.objects(head, MF.include):
                for item in Collection(graph, included):
                    walk(path_of(root, str(item)))
            for entries in graph.objects(head, MF.entries):
                for entry in Collection(graph, entries):
                    folder = manifest.parent.name
                    if folder in NOT_RUN:
                        skipped[folder] += 1
                        continue
                    case = _case(root, graph, entry, manifest)
                    if case is not None:
                        cases.append(case)

    for name in ROOT_MANIFESTS:
        walk(root / name)
    return cases, skipped


def _case(root: Path, graph: Graph, entry: Node, manifest: Path) -> Case | None:
    kind_iri = graph.value(entry, RDF.type)
    kind = KINDS.get(kind_iri)  # type: ignore[call-overload]
    if kind is None:
        raise ValueError(f"{manifest}: a test of a kind this runner does not know: {kind_iri}")
    relative = manifest.parent.resolve().relative_to(root.resolve()).as_posix()
    name = f"{relative}#{str(entry).rsplit('#', 1)[-1]}"
    positive = "Negative" not in str(kind_iri)
    action = graph.value(entry, MF.action)
    file = lambda node: path_of(root, str(node))  # noqa: E731
    if kind in ("query-syntax", "update-syntax"):
        path = file(action)
        # the update suites type some of their syntax tests as query syntax tests: the file says which
        return Case(name, "update-syntax" if path.suffix == ".ru" else "query-syntax", positive,
                    manifest.parent.name, path)
    result = graph.value(entry, MF.result)
    if kind == "update-evaluation":
        case = Case(name, kind, True, manifest.parent.name, file(graph.value(action, UT.request)))
        case.data = [file(d) for d in graph.objects(action, UT.data)]
        case.graph_data = [(str(graph.value(g, RDFS.label)), file(graph.value(g, UT.graph)))
                           for g in graph.objects(action, UT.graphData)]
        if result is not None:
            found = list(graph.objects(result, UT.data))
            case.result_data = file(found[0]) if found else None
            case.result_graphs = [(str(graph.value(g, RDFS.label)), file(graph.value(g, UT.graph)))
                                  for g in graph.objects(result, UT.graphData)]
        return case
    case = Case(name, kind, True, manifest.parent.name, file(graph.value(action, QT.query)))
    case.data = sorted(file(d) for d in graph.objects(action, QT.data))
    case.graph_data = sorted((iri_of(root, file(g)), file(g)) for g in graph.objects(action, QT.graphData))
    case.result = file(result) if result is not None else None
    return case
