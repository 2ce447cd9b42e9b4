"""Quality and validation sections: a product's or dataset's DQV measurements as bars and stars,
and the SHACL findings about it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Node

from kg.iris import Minter
from kg.namespaces import SH
from kg.pages.domain.values import int_of, pick, text_of
from kg.pages.labels import Labeller, readable
from kg.pages.model import Term
from kg.queries import iri, render
from kg.store.base import Store

SEVERITIES = {str(SH.Violation): "violation", str(SH.Warning): "warning", str(SH.Info): "info"}


@dataclass
class QualityBar:
    """One quality line: a measured metric (met or not), a dimension's share of points (a bar), or a
    declared rating (stars)."""

    label: Term
    dimension: Term | None
    value: str
    fraction: float | None = None
    stars: int | None = None
    note: str = ""


# -- quality and validation ---------------------------------------------------------------------

#: The MQA score's measurement (kg.quality writes it beside the metrics) and its maximum.
MQA_SCORE, MQA_MAX = "https://piveau.eu/ns/voc#score", 405


def quality(store: Store, resource: str, labeller: Labeller) -> dict[str, object]:
    """A resource's quality: points per dimension (bars), the score, each metric met or not, declared stars.

    The quality graph is compact (:func:`kg.quality.to_ntriples`): a metric the graph was measured with
    is met unless the resource (or, for a metric of distributions, one of them) lists it as unmet.
    """
    from kg.quality import PV, load_vocabulary

    vocabulary = load_vocabulary()
    rows = store.select(render("browse/quality", s=iri(resource)))
    labeller.terms([str(r[k]) for r in rows for k in ("metric", "dimension") if isinstance(r.get(k), URIRef)])
    earned: dict[str, float] = {}
    declared: dict[str, QualityBar] = {}
    unmet: set[str] = set()
    measured: set[str] = set()
    distributions: dict[str, set[str]] = defaultdict(set)
    score = None
    for row in rows:
        value = text_of(row.get("value"))
        kind = str(row["kind"])
        metric = str(row["metric"]) if isinstance(row.get("metric"), URIRef) else None
        dim = str(row["dimension"]) if isinstance(row.get("dimension"), URIRef) else None
        if kind == "measurement":
            if metric == MQA_SCORE:
                score = int_of(row.get("value"))
            elif dim and metric:
                earned[dim] = float(value or 0)
        elif kind == "unmet" and metric:
            unmet.add(metric)
        elif kind == "distribution":
            distributions[str(row["node"])]
            if metric:
                distributions[str(row["node"])].add(metric)
        elif kind == "measured" and metric:
            measured.add(metric)
        elif kind == "annotation" and dim:
            dimension = labeller.term(dim)
            bar = declared.setdefault(dim, QualityBar(dimension, dimension, value))
            if value:
                bar.value, bar.stars = value, max(0, min(5, int_of(row.get("value"))))
            bar.note = bar.note or text_of(row.get("text"))
            if row.get("use") is not None and not bar.note.startswith("("):
                bar.note = f"({row['use']}) {bar.note}".strip()
    possible: dict[str, float] = defaultdict(float)
    metrics: list[QualityBar] = []
    for name, spec in vocabulary.metrics.items():
        possible[PV + spec.dimension] += spec.points_true
        metric_iri = PV + name
        if score is None or metric_iri not in measured:
            continue
        if spec.on_distribution and spec.dimension != "interoperability":
            if not distributions:
                continue
            met = sum(metric_iri not in missing for missing in distributions.values())
            fraction = met / len(distributions)
        else:
            fraction = 0.0 if metric_iri in unmet else 1.0
        labeller.terms([metric_iri, PV + spec.dimension])
        metrics.append(QualityBar(labeller.term(metric_iri), labeller.term(PV + spec.dimension),
                                  f"{fraction:.0%}", fraction=fraction))
    dimensions = [QualityBar(labeller.term(d), labeller.term(d), f"{earned.get(d, 0):g}/{possible[d]:g}",
                             fraction=max(0.0, earned.get(d, 0)) / possible[d])
                  for d in sorted(possible) if possible[d] and score is not None]
    labeller.terms([d for d in possible])
    dimensions.sort(key=lambda b: b.label.label.text)
    metrics.sort(key=lambda b: ((b.dimension.label.text if b.dimension else "~"), b.label.label.text))
    return {"dimensions": dimensions, "metrics": metrics, "score": score, "max": MQA_MAX,
            "declared": sorted(declared.values(), key=lambda b: b.label.label.text)}


@dataclass
class Finding:
    severity: str
    path: Term | None
    message: str
    value: str = ""


def validation_for(store: Store, resource: str, labeller: Labeller) -> list[Finding]:
    """The latest validation findings about one resource, most severe first."""
    graph = Minter(store.base_iri).validation_graph()
    rows = store.select(render("browse/validation-for", graph=iri(graph), s=iri(resource)))
    messages: dict[str, list[Node]] = defaultdict(list)
    first: dict[str, dict[str, Node]] = {}
    for row in rows:
        key = str(row["result"])
        first.setdefault(key, row)
        if row.get("message") is not None:
            messages[key].append(row["message"])
    labeller.terms([str(r["path"]) for r in first.values() if r.get("path") is not None])
    findings = [Finding(SEVERITIES.get(str(r["severity"]), "info"),
                        labeller.term(str(r["path"])) if r.get("path") is not None else None,
                        readable(pick(messages[k], labeller.lang), labeller), text_of(r.get("value")))
                for k, r in first.items()]
    order = {"violation": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: (order[f.severity], f.path.label.text if f.path else "", f.message))


def validated(store: Store) -> bool:
    """Whether a validation report has been stored (so "no findings" means "conforms")."""
    graph = Minter(store.base_iri).validation_graph()
    return store.ask(f"ASK {{ GRAPH {iri(graph)} {{ ?r ?p ?o }} }}")
