"""Data quality as W3C DQV: measured MQA metrics and the Danish declared quality.

Two kinds of quality description, both published beside each dataset:

* **Measured** (this module computes them at load time, never per request): the
  metrics of the EU Metadata Quality Assessment of data.europa.eu, with their points
  (``data/vocabularies/mqa-metrics.ttl``), per dataset and per distribution, as
  ``dqv:QualityMeasurement``s, plus the score out of 405 and its rating.  Two queries
  (one row per dataset, one per distribution) gather every fact, so a 100k catalogue
  is two passes, not one query per dataset.
* **Declared** by the data's publisher per "Fælles sprog for datakvalitet": a
  ``dqv:QualityAnnotation`` per core dimension (``dqv:inDimension`` one of the four
  in ``data/vocabularies/quality-dimension.ttl``) with ``kg:rating`` 0–5,
  ``kg:expectedUse`` and a textual ``oa:hasBody``.  They are authored as Turtle in
  ``data/quality/`` and loaded like any data; :func:`check_annotations` reports the
  ones that break the rules.

Scoring choices where the MQA leaves room (documented in ``docs/catalog.md``): a
distribution-level metric gives the dataset its points times the share of its
distributions that meet it, except interoperability, which counts the dataset's best
distribution (as the MQA methodology says); ``pointsIfFalse`` applies when no
distribution meets the metric; URL status codes are measured only with
``check_urls=True`` and count 0 otherwise; DCAT-AP-DK compliance comes from kg's own
shapes (:mod:`kg.validation`) when a compliance set is given, and counts 0 when not measured.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from kg.config import Settings
from kg.graphs import derived_graph
from kg.iri_syntax import is_web_iri
from kg.iris import Minter
from kg.namespaces import DCAT, DQV, KG, SKOS, XSD
from kg.queries import get_query, iri, literal, render
from kg.store.base import Store

PV = "https://piveau.eu/ns/voc#"
METRICS_FILE = Path("vocabularies") / "mqa-metrics.ttl"
_REPO_DATA = Path(__file__).resolve().parents[1] / "data"
MAX_SCORE = 405
#: Rating bands of the MQA methodology, highest first.
RATINGS = ((351, "excellent"), (221, "good"), (121, "sufficient"), (0, "bad"))
DANISH_DIMENSIONS = ("komplethed", "korrekthed", "aktualitet", "genbrugelighed")

_DCAT, _DCT = "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"
#: Dataset properties and the metric their presence answers.
DATASET_PRESENCE = {
    _DCAT + "keyword": "keywordAvailability", _DCAT + "theme": "categoryAvailability",
    _DCT + "spatial": "spatialAvailability", _DCT + "temporal": "temporalAvailability",
    _DCT + "accessRights": "accessRightsAvailability", _DCAT + "contactPoint": "contactPointAvailability",
    _DCT + "publisher": "publisherAvailability",
}
#: Distribution properties and the metric their presence answers.
DISTRIBUTION_PRESENCE = {
    _DCAT + "downloadURL": "downloadUrlAvailability", _DCT + "format": "formatAvailability",
    _DCAT + "mediaType": "mediaTypeAvailability", _DCT + "license": "licenceAvailability",
    _DCT + "rights": "rightsAvailability", _DCAT + "byteSize": "byteSizeAvailability",
    _DCT + "issued": "dateIssuedAvailability", _DCT + "modified": "dateModifiedAvailability",
}
URL_METRICS = {_DCAT + "accessURL": "accessUrlStatusCode", _DCAT + "downloadURL": "downloadUrlStatusCode"}
#: Every property whose values the measurements read (with ``rdf:type dcat:Dataset``): a change to
#: any other triple cannot change a measurement (see :mod:`kg.quality_changes`).
INPUT_PREDICATES = frozenset({*DATASET_PRESENCE, _DCAT + "distribution", *DISTRIBUTION_PRESENCE, *URL_METRICS,
                              _DCT + "format", _DCAT + "mediaType", _DCT + "license", _DCT + "accessRights"})
#: VALUES blocks are sent in chunks of this many IRIs.
CHUNK = 2000
_EU = "http://publications.europa.eu/resource/authority/"
_IANA = ("http://www.iana.org/assignments/media-types/", "https://www.iana.org/assignments/media-types/")


@dataclass(frozen=True)
class Metric:
    name: str
    dimension: str
    on_distribution: bool
    points_true: int
    points_false: int = 0


@dataclass(frozen=True)
class Vocabulary:
    """The metrics and the format lists, read from kg's Turtle (the one place they are written)."""

    metrics: dict[str, Metric]
    non_proprietary: frozenset[str]
    machine_readable: frozenset[str]


@dataclass
class DatasetQuality:
    """One dataset's measured quality."""

    iri: str
    values: dict[str, bool | float | None] = field(default_factory=dict)   # metric -> value (share)
    points: dict[str, float] = field(default_factory=dict)                 # metric -> points
    distributions: dict[str, dict[str, bool | int | None]] = field(default_factory=dict)

    @property
    def score(self) -> int:
        return max(0, round(sum(self.points.values())))

    @property
    def rating(self) -> str:
        return rating(self.score)

    def dimension_points(self, vocabulary: Vocabulary) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, pts in self.points.items():
            dim = vocabulary.metrics[name].dimension
            out[dim] = out.get(dim, 0) + pts
        return out


def rating(score: int) -> str:
    """The MQA rating of a score out of 405."""
    return next(label for floor, label in RATINGS if score >= floor)


def metrics_path(data_dir: Path | None = None) -> Path:
    for root in ([data_dir] if data_dir else []) + [_REPO_DATA]:
        if (root / METRICS_FILE).is_file():
            return root / METRICS_FILE
    raise FileNotFoundError(f"no {METRICS_FILE} in the data folder")


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    graph = Graph().parse(path or metrics_path(), format="turtle")
    metrics = {}
    for metric in graph.subjects(KG.pointsIfTrue, None):
        name = str(metric).removeprefix(PV)
        false = graph.value(metric, KG.pointsIfFalse)
        metrics[name] = Metric(name, str(graph.value(metric, DQV.inDimension)).removeprefix(PV),
                               graph.value(metric, KG.measuredOn) == DCAT.Distribution,
                               int(graph.value(metric, KG.pointsIfTrue)),
                               int(false) if false is not None else 0)

    def members(collection: URIRef) -> frozenset[str]:
        return frozenset(str(m) for m in graph.objects(collection, SKOS.member))

    return Vocabulary(metrics, members(KG.mqaNonProprietaryFormats), members(KG.mqaMachineReadableFormats))


def _true(row: dict, name: str) -> bool:  # type: ignore[type-arg]
    value = row.get(name)
    return value is not None and str(value).lower() in {"true", "1"}


def _ok_status(code: int | None) -> bool:
    return code is not None and 200 <= code < 400


def check_urls(urls: Iterable[str], workers: int = 8, timeout: float = 5.0) -> dict[str, int | None]:
    """HTTP status of each URL by HEAD (GET if HEAD is refused), bounded threads; None when unreachable."""
    def status(url: str) -> int | None:
        for method in ("HEAD", "GET"):
            request = urllib.request.Request(url, method=method, headers={"User-Agent": "kg-quality"})
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    return int(response.status)
            except urllib.error.HTTPError as exc:
                if method == "HEAD" and exc.code in (405, 501):
                    continue
                return int(exc.code)
            except (urllib.error.URLError, OSError, ValueError):
                return None
        return None

    unique = sorted(set(u for u in urls if is_web_iri(u)))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return dict(zip(unique, pool.map(status, unique), strict=True))


def _distribution_facts(values: dict[str, list[str]], vocabulary: Vocabulary) -> dict[str, bool | int | None]:
    """A distribution's MQA facts from its property values."""
    facts: dict[str, bool | int | None] = {
        name: bool(values.get(p)) for p, name in DISTRIBUTION_PRESENCE.items()}
    formats, media = values.get(_DCT + "format", []), values.get(_DCAT + "mediaType", [])
    facts["formatMediaTypeVocabularyAlignment"] = bool(formats or media) and all(
        f.startswith(_EU + "file-type/") for f in formats) and all(m.startswith(_IANA) for m in media)
    facts["formatMediaTypeNonProprietary"] = any(f in vocabulary.non_proprietary for f in formats)
    facts["formatMediaTypeMachineInterpretable"] = any(f in vocabulary.machine_readable for f in formats)
    facts["knownLicence"] = any(v.startswith(_EU + "licence/") for v in values.get(_DCT + "license", []))
    return facts


def values_block(iris: Iterable[str]) -> str:
    """IRIs written as the terms of a SPARQL VALUES block."""
    return " ".join(iri(value) for value in sorted(iris))


def chunked_select(store: Store, name: str, placeholder: str, iris: Collection[str],
                   **values: str) -> Iterator[dict[str, Node]]:
    """Rows of query ``name`` with ``{{placeholder}}`` filled by ``iris``, :data:`CHUNK` at a time."""
    ordered = sorted(iris)
    for start in range(0, len(ordered), CHUNK):
        block = values_block(ordered[start:start + CHUNK])
        yield from store.select(render(name, **{placeholder: block, **values}))


def measure(store: Store, vocabulary: Vocabulary | None = None, compliance: set[str] | None = None,
            url_status: Callable[[Iterable[str]], dict[str, int | None]] | None = None,
            datasets: Collection[str] | None = None) -> dict[str, DatasetQuality]:
    """Every dataset's measured quality, or only that of ``datasets`` (those of them that are datasets).

    ``compliance`` is the set of datasets that conform to kg's DCAT-AP-DK shapes (None: not
    measured); ``url_status`` checks URLs (None: not measured, as in tests and ordinary loads).
    """
    vocabulary = vocabulary or load_vocabulary()

    def rows(name: str) -> Iterable[dict[str, Node]]:
        if datasets is None:
            return store.select(get_query(name))
        return chunked_select(store, name + "-of", "datasets", datasets)

    props: dict[str, dict[str, list[str]]] = {}
    for row in rows("quality/dataset-properties"):
        props.setdefault(str(row["ds"]), {}).setdefault(str(row["p"]), []).append(str(row["o"]))
    for row in rows("quality/datasets"):
        props.setdefault(str(row["ds"]), {})
    dist_props: dict[str, dict[str, list[str]]] = {}
    for row in rows("quality/distribution-properties"):
        dist_props.setdefault(str(row["dist"]), {}).setdefault(str(row["p"]), []).append(str(row["o"]))
    out: dict[str, DatasetQuality] = {}
    for ds, values in props.items():
        q = DatasetQuality(ds)
        for p, name in DATASET_PRESENCE.items():
            q.values[name] = bool(values.get(p))
        q.values["accessRightsVocabularyAlignment"] = any(
            v.startswith(_EU + "access-right/") for v in values.get(_DCT + "accessRights", []))
        q.values["dcatApCompliance"] = None if compliance is None else ds in compliance
        for dist in values.get(_DCAT + "distribution", []):
            dvalues = dist_props.get(dist, {})
            facts = _distribution_facts(dvalues, vocabulary)
            for p in URL_METRICS:
                facts["_" + p] = (dvalues.get(p) or [None])[0]  # type: ignore[assignment]
            q.distributions[dist] = facts
        out[ds] = q
    if url_status is not None:
        urls = [str(f[k]) for q in out.values() for f in q.distributions.values()
                for k in ("_" + p for p in URL_METRICS) if f.get(k)]
        codes = url_status(urls)
        for q in out.values():
            for facts in q.distributions.values():
                for p, name in URL_METRICS.items():
                    url = facts.get("_" + p)
                    facts[name] = codes.get(str(url)) if url else None
    for q in out.values():
        _score(q, vocabulary.metrics, url_status is not None)
    return out


def _score(q: DatasetQuality, metrics: dict[str, Metric], urls_checked: bool) -> None:
    for name, metric in metrics.items():
        if not metric.on_distribution:
            value = q.values.get(name)
            if value is None:
                q.points[name] = 0
            else:
                q.points[name] = metric.points_true if value else metric.points_false
    dists = list(q.distributions.values())
    for name, metric in metrics.items():
        if not metric.on_distribution or metric.dimension == "interoperability":
            continue
        if name in URL_METRICS.values():
            if not urls_checked or not dists:
                q.values[name] = None
                q.points[name] = 0
                continue
            met = [_ok_status(d.get(name)) for d in dists]  # type: ignore[arg-type]
        else:
            met = [bool(d.get(name)) for d in dists]
        share = sum(met) / len(met) if met else 0.0
        q.values[name] = share
        q.points[name] = metric.points_true * share if any(met) else metric.points_false
    interop = [m for m in metrics.values() if m.on_distribution and m.dimension == "interoperability"]

    def interop_points(d: dict[str, bool | int | None]) -> float:
        return sum(m.points_true if d.get(m.name) else m.points_false for m in interop)

    best = max(dists, key=interop_points) if dists else {}
    for m in interop:
        met = bool(best.get(m.name))
        q.values[m.name] = met
        q.points[m.name] = m.points_true if met else m.points_false


# -- writing DQV -------------------------------------------------------------------------------

def _measurement_iri(base: str, target: str, metric: str) -> str:
    key = hashlib.sha1(target.encode("utf-8")).hexdigest()[:16]
    return f"{base}/id/quality-measurement/{key}/{metric}"


#: The metric of the points each MQA dimension earned (``data/vocabularies/mqa-metrics.ttl``).
DIMENSION_METRICS = {d: str(KG) + d + "Points" for d in
                     ("findability", "accessibility", "interoperability", "reusability", "contextuality")}


def to_ntriples(results: dict[str, DatasetQuality], vocabulary: Vocabulary, base: str,
                measured: Iterable[str] = ()) -> bytes:
    """The measurements as compact DQV N-Triples, written directly (rdflib is too slow for millions).

    Per dataset, three measurements of three triples each (``dqv:hasQualityMeasurement``,
    ``dqv:isMeasurementOf``, ``dqv:value``): the score of 405, the rating, and the points each
    dimension earned; then one ``kg:unmetMetric`` triple for each metric the dataset, or one of its
    distributions, did not meet.  About 25 triples a dataset, against 170 for a measurement of every
    metric; every metric's value can be read back (met unless listed).  ``measured`` names the
    metrics this run measured, recorded on the graph (``kg:measuredMetric``).
    """
    has, of, val, unmet = (f"<{DQV.hasQualityMeasurement}>", f"<{DQV.isMeasurementOf}>", f"<{DQV.value}>",
                           f"<{KG.unmetMetric}>")
    lines: list[str] = []

    def add(target: str, metric_iri: str, metric: str, literal: str) -> None:
        node = f"<{_measurement_iri(base, target, metric)}>"
        lines.append(f"<{target}> {has} {node} .\n{node} {of} <{metric_iri}> .\n{node} {val} {literal} .\n")

    for q in results.values():
        add(q.iri, PV + "score", "score", literal(q.score, str(XSD.integer)))
        add(q.iri, str(KG.mqaRating), "mqaRating", literal(q.rating, str(XSD.string)))
        for dimension, points in sorted(q.dimension_points(vocabulary).items()):
            if dimension in DIMENSION_METRICS:
                add(q.iri, DIMENSION_METRICS[dimension], dimension + "Points",
                    literal(round(points, 3), str(XSD.decimal)))
        for name, value in sorted(q.values.items()):
            metric = vocabulary.metrics.get(name)
            if metric is None or value is None:
                continue
            dataset_level = not metric.on_distribution or metric.dimension == "interoperability"
            if dataset_level and value is False:
                lines.append(f"<{q.iri}> {unmet} <{PV}{name}> .\n")
        for dist, facts in sorted(q.distributions.items()):
            for name, value in sorted(facts.items()):
                if name.startswith("_") or value is None or name not in vocabulary.metrics:
                    continue
                met = _ok_status(value) if name in URL_METRICS.values() else bool(value)  # type: ignore[arg-type]
                if not met:
                    lines.append(f"<{dist}> {unmet} <{PV}{name}> .\n")
    graph = iri(derived_graph(base, "quality"))
    lines += [f"{graph} <{KG.measuredMetric}> <{PV}{name}> .\n" for name in sorted(set(measured))]
    return "".join(lines).encode("utf-8")


def measured_metrics(vocabulary: Vocabulary, compliance: bool, urls: bool) -> list[str]:
    """The metrics a run measures: all but the URL answers and DCAT-AP compliance, unless asked for."""
    optional = {*URL_METRICS.values(), "dcatApCompliance"}
    chosen = [name for name in vocabulary.metrics if name not in optional]
    if urls:
        chosen += list(URL_METRICS.values())
    if compliance:
        chosen.append("dcatApCompliance")
    return sorted(chosen)


def compliance_from_validation(store: Store, settings: Settings) -> set[str] | None:
    """Datasets with no SHACL violation (on themselves or their distributions) under kg's shapes.

    None when kg's shapes or the validation module are not available.
    """
    try:
        from kg.validation import default_shape_files, load_shapes, validate_store
    except ImportError:
        return None
    files = [p for p in default_shape_files(settings) if p.is_file()]
    if not files:
        return None
    report = validate_store(store, settings, load_shapes(files, settings.base))
    bad = {r.focus for r in report.results if r.severity == "violation"}
    rows = store.select(get_query("quality/dataset-distributions"))
    owner: dict[str, str] = {str(r["dist"]): str(r["ds"]) for r in rows}
    datasets = {str(r["ds"]) for r in store.select(get_query("quality/datasets"))}
    bad_datasets = {f for f in bad if f in datasets} | {owner[f] for f in bad if f in owner}
    return datasets - bad_datasets


def run(store: Store, settings: Settings | None = None, check: bool = False,
        compliance: set[str] | None = None, validate: bool = True, workers: int = 8,
        timeout: float = 5.0) -> dict[str, DatasetQuality]:
    """Measure every dataset and replace the quality graph with the result (what ``kg quality`` does)."""
    vocabulary = load_vocabulary(metrics_path(settings.data_dir if settings else None))
    if compliance is None and validate and settings is not None:
        compliance = compliance_from_validation(store, settings)
    url_status = (lambda urls: check_urls(urls, workers, timeout)) if check else None
    results = measure(store, vocabulary, compliance, url_status)
    data = to_ntriples(results, vocabulary, store.base_iri,
                       measured_metrics(vocabulary, compliance is not None, check))
    store.replace_if_changed(quality_graph(store.base_iri), data, "kg quality")
    return results


def quality_graph(base_iri: str) -> str:
    """The named graph of the measurements (``Minter.quality_graph()``)."""
    return Minter(base_iri).quality_graph()


def check_annotations(store: Store) -> list[str]:
    """Declared annotations that break the rules: one of the four dimensions, rating 0–5, use and text."""
    allowed = {f"{store.base_iri}/id/concept/quality-dimension/{d}" for d in DANISH_DIMENSIONS}
    problems = []
    for row in store.select(get_query("quality/annotations")):
        where = f"{row['ds']} {row['annotation']}"
        if str(row.get("dimension")) not in allowed:
            problems.append(f"{where}: dqv:inDimension must be one of {', '.join(DANISH_DIMENSIONS)}")
        value = row.get("rating")
        try:
            number = int(str(value))
        except ValueError:
            number = -1
        if value is None or not 0 <= number <= 5 or str(number) != str(value):
            problems.append(f"{where}: kg:rating must be a whole number 0–5, got {value}")
        if row.get("expectedUse") is None:
            problems.append(f"{where}: kg:expectedUse (the expected use rated against) is missing")
        if row.get("body") is None:
            problems.append(f"{where}: oa:hasBody with rdf:value (the description) is missing")
    return sorted(set(problems))
