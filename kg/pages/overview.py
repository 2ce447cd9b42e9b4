"""The pages about the whole graph: home, meetings list, validation report, quality overview.

Each is a handful of aggregate queries (``kg/queries/browse/``) whose cost depends on
the number of meetings, products or quality findings, not on the number of triples.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.iri_syntax import is_absolute_iri
from kg.iris import Minter
from kg.namespaces import BESLUIT, DCAT, FOAF, KG, ORG, SKOS
from kg.pages.domain import SEVERITIES, Decision, meeting_decisions
from kg.pages.labels import Labeller, literal_in, readable
from kg.pages.model import Label, Term
from kg.queries import get_query, iri, render
from kg.store.base import Store


@dataclass
class MeetingRow:
    term: Term
    date: str
    body: Term | None
    items: int
    decisions: int


def meetings(store: Store, labeller: Labeller) -> list[MeetingRow]:
    """Every meeting, newest first."""
    rows = store.select(get_query("browse/meetings"))
    labeller.terms([str(r["m"]) for r in rows] + [str(r["body"]) for r in rows if r.get("body") is not None])
    out = {}
    for r in rows:
        m = str(r["m"])
        if m in out:
            continue
        out[m] = MeetingRow(labeller.term(m), str(r.get("start") or "")[:10],
                            labeller.term(str(r["body"])) if r.get("body") is not None else None,
                            int(str(r.get("items") or 0)), int(str(r.get("decisions") or 0)))
    return sorted(out.values(), key=lambda m: (m.date, m.term.iri), reverse=True)


#: The kinds the home page counts, in the order it lists them.
HOME_CLASSES = tuple(str(c) for c in (
    BESLUIT.Zitting, BESLUIT.Agendapunt, KG.Case, BESLUIT.Besluit, KG.ArchitectureProduct, DCAT.Dataset,
    DCAT.DataService, SKOS.ConceptScheme, SKOS.Concept, ORG.Organization, FOAF.Person,
))


def counts(store: Store, labeller: Labeller) -> list[tuple[Term, int]]:
    """How many of each main kind of thing kg holds, in a fixed order (kinds with none left out)."""
    rows = store.select(render("browse/home-counts", classes=" ".join(iri(c) for c in HOME_CLASSES)))
    found = {str(r["class"]): int(str(r["n"])) for r in rows}
    terms = labeller.terms(HOME_CLASSES)
    return [(terms[c], found[c]) for c in HOME_CLASSES if found.get(c)]


@dataclass
class ProductRow:
    term: Term
    type: Term | None
    status: Term | None
    approval: Term | None


def products(store: Store, labeller: Labeller) -> dict[str, list[ProductRow]]:
    """Architecture products grouped by approval status (else status)."""
    rows = store.select(get_query("browse/products"))
    labeller.terms([str(r[k]) for r in rows for k in ("p", "type", "status", "approval")
                    if isinstance(r.get(k), URIRef)])
    by: dict[str, ProductRow] = {}
    for r in rows:
        p = str(r["p"])
        values = [labeller.term(str(r[k])) if isinstance(r.get(k), URIRef) else None
                  for k in ("type", "status", "approval")]
        by.setdefault(p, ProductRow(labeller.term(p), *values))
    groups: dict[str, list[ProductRow]] = defaultdict(list)
    for row in by.values():
        key = (row.approval or row.status)
        groups[key.label.text if key else "–"].append(row)
    return {k: sorted(v, key=lambda r: r.term.label.text.lower()) for k, v in sorted(groups.items())}


@dataclass
class DimensionScore:
    dimension: Term
    measured: float | None = None      # mean measured value, 0..1 where the metrics are ratios
    measurements: int = 0
    rating: float | None = None        # mean declared rating, 0..5
    ratings: int = 0


def quality_overview(store: Store, labeller: Labeller,
                     rows: list[dict[str, Node]] | None = None) -> list[DimensionScore]:
    """Per quality dimension: the mean measured score and the mean declared rating."""
    rows = store.select(get_query("browse/quality-overview")) if rows is None else rows
    labeller.terms([str(r["dimension"]) for r in rows if isinstance(r.get("dimension"), URIRef)])
    scores: dict[str, DimensionScore] = {}
    for r in rows:
        if not isinstance(r.get("dimension"), URIRef):
            continue
        d = str(r["dimension"])
        score = scores.setdefault(d, DimensionScore(labeller.term(d)))
        mean = _float(r.get("mean"))
        if str(r["kind"]) == "measurement":
            score.measured, score.measurements = mean, int(str(r["n"]))
        else:
            score.rating, score.ratings = mean, int(str(r["n"]))
    return sorted(scores.values(), key=lambda s: s.dimension.label.text)


@dataclass
class MetricScore:
    metric: Term
    dimension: Term | None
    count: int
    mean: float | None
    low: float | None
    high: float | None


def quality_metrics(store: Store, labeller: Labeller) -> list[MetricScore]:
    """Per metric measured: how many datasets (or distributions) were measured and the share that met it."""
    from kg.quality import PV, load_vocabulary

    metrics = load_vocabulary().metrics
    rows = store.select(get_query("browse/quality-metrics"))
    out = []
    for r in rows:
        name = str(r.get("metric", "")).removeprefix(PV)
        spec = metrics.get(name)
        if spec is None:
            continue
        per_distribution = spec.on_distribution and spec.dimension != "interoperability"
        count = int(str(r.get("distributions" if per_distribution else "datasets") or 0))
        unmet = int(str(r.get("unmet") or 0))
        share = (count - unmet) / count if count else None
        labeller.terms([PV + name, PV + spec.dimension])
        out.append(MetricScore(labeller.term(PV + name), labeller.term(PV + spec.dimension), count, share,
                               0.0 if unmet else share, 1.0 if count > unmet else share))
    return sorted(out, key=lambda m: ((m.dimension.label.text if m.dimension else "~"), m.metric.label.text))


def _float(node: Node | None) -> float | None:
    try:
        return None if node is None else float(str(node))
    except ValueError:
        return None


@dataclass
class ReportGroup:
    resource: Term
    findings: dict[str, list[tuple[Term | None, str, str]]] = field(default_factory=dict)

    @property
    def worst(self) -> str:
        return next((s for s in ("violation", "warning", "info") if self.findings.get(s)), "info")


@dataclass
class ValidationReport:
    created: str
    conforms: bool | None
    totals: dict[str, int]
    groups: list[ReportGroup]


def validation_rows(store: Store) -> list[dict[str, Node]]:
    """The stored report's findings, as :func:`validation_report` reads them (one query for every view)."""
    graph = Minter(store.base_iri).validation_graph()
    return store.select(render("browse/validation-summary", graph=iri(graph)))


def validation_report(store: Store, labeller: Labeller, severity: str | None = None,
                      rows: list[dict[str, Node]] | None = None) -> ValidationReport | None:
    """The latest stored report, grouped by resource (most severe first) and severity."""
    graph = Minter(store.base_iri).validation_graph()
    rows = validation_rows(store) if rows is None else rows
    if not rows:
        return None
    info = store.graph_info(graph)
    created = (info.loaded_at or "") if info is not None else ""
    conforms_node = rows[0].get("conforms")
    conforms = bool(conforms_node.toPython()) if isinstance(conforms_node, Literal) else None
    results: dict[tuple[str, str, str, str], list[Node]] = defaultdict(list)
    for r in rows:
        if r.get("focus") is None:
            continue
        sev = SEVERITIES.get(str(r["severity"]), "info")
        key = (str(r["focus"]), sev, str(r.get("path") or ""), str(r.get("value") or ""))
        if r.get("message") is not None:
            results[key].append(r["message"])
        else:
            results.setdefault(key, [])
    totals = {s: sum(1 for k in results if k[1] == s) for s in ("violation", "warning", "info")}
    labeller.terms([k[0] for k in results if is_absolute_iri(k[0])] + [k[2] for k in results if k[2]])
    groups: dict[str, ReportGroup] = {}
    for (focus, sev, path, value), messages in results.items():
        if severity and sev != severity:
            continue
        term = labeller.term(focus) if is_absolute_iri(focus) else Term(focus, Label(focus), False)
        group = groups.setdefault(focus, ReportGroup(term))
        chosen = literal_in([m for m in messages if isinstance(m, Literal)], labeller.lang)
        message = readable(str(chosen), labeller) if chosen is not None else ""
        group.findings.setdefault(sev, []).append((labeller.term(path) if path else None, message, value))
    order = {"violation": 0, "warning": 1, "info": 2}
    ordered = sorted(groups.values(), key=lambda g: (order[g.worst], g.resource.label.text.lower()))
    return ValidationReport(created, conforms, totals, ordered)


def latest_decisions(store: Store, labeller: Labeller, meeting_rows: list[MeetingRow]) -> list[Decision]:
    """The decisions of the latest meetings that took any (for the home page)."""
    with_decisions = [m.term.iri for m in meeting_rows if m.decisions][:3]
    return meeting_decisions(store, with_decisions, labeller)

