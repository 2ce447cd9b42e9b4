"""Versions of a concept scheme: each ingest compared with the stored version, and the history kept.

Other models link to concept IRIs (a kernemodel class's ``dct:subject``, a dataset's theme), so a
concept list must never silently break them.  When a list is ingested, the version in the store is
read and the new one is built from it:

* a concept kg recognises as renamed keeps its IRI (:mod:`kg.ingest.conceptlist_changes`);
* a concept that left the list is *retired*, not deleted: it stays in the scheme's graph with its
  last terms and definitions, ``owl:deprecated true``, ``adms:status`` Withdrawn, the version that
  withdrew it (``kg:withdrawnIn``) and ``dct:isReplacedBy`` where the list (column *Erstatter*) or
  the sidecar (``[replacements]``) names a replacement; every link to it from other graphs is
  reported;
* a list that changes the scheme records a new version ``id/concept-version/{scheme}/{n}``
  (``dcat:version``, ``dct:issued``, ``prov:wasRevisionOf`` the one before, the report as
  ``skos:changeNote`` in Danish and English, and ``kg:addedConcept``, ``kg:withdrawnConcept`` …
  pointing at the concepts each kind of change touched); each changed concept gets its own
  ``skos:changeNote``; the scheme gets ``dct:hasVersion`` and ``dct:modified``.

Versions, change notes and retired concepts are carried from one version to the next inside the
scheme's graph, so the graph is the scheme's whole history.  The dates are days (``xsd:date``):
the version is what the list says on that day, and re-running the same ingest gives the same graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kg import graphs
from kg.config import Settings
from kg.ingest import Prepared
from kg.ingest.conceptlist_changes import (
    CHANGE_PROPERTIES,
    Change,
    ConceptState,
    compare,
    concept_states,
    da,
    en,
    find_renames,
    plain,
    rename_iris,
    scheme_changes,
    summary,
)
from kg.ingest.conceptlist_read import ConceptListResult, load_errors, read_conceptlist, scheme_slug
from kg.iri_syntax import is_reference_iri
from kg.iris import Minter
from kg.namespaces import ADMS, ADMS_STATUS, DCAT, DCTERMS, KG, OWL, PROV, RDF, RDFS, SKOS, XSD, bind_all
from kg.queries import iri, render

DCAT_VERSION = URIRef(str(DCAT) + "version")
WITHDRAWN = ADMS_STATUS.Withdrawn
#: What a retired concept does not keep of its last description: its place and its status.
_NOT_RETIRED = {SKOS.broader, SKOS.topConceptOf, ADMS.status}
#: The order of the kinds of change in a report.
_ORDER = ("first", "added", "withdrawn", "reinstated", "renamed", "redefined", "moved", "terms", "details",
          "kept", "scheme")


@dataclass
class Previous:
    """The stored version of a scheme's graph, split into what the list said and kg's history of it."""

    graph: Graph = field(default_factory=Graph)
    content: Graph = field(default_factory=Graph)
    history: Graph = field(default_factory=Graph)
    current: dict[str, ConceptState] = field(default_factory=dict)
    retired: dict[str, ConceptState] = field(default_factory=dict)
    versions: dict[int, str] = field(default_factory=dict)
    loaded_at: str | None = None

    @property
    def exists(self) -> bool:
        return len(self.graph) > 0

    def terms(self) -> dict[str, str]:
        """Casefolded Danish preferred term → IRI of every concept the stored version knows."""
        return {s.label.casefold(): i for i, s in {**self.retired, **self.current}.items()}


def split(graph: Graph, scheme: URIRef) -> Previous:
    """A stored scheme graph as :class:`Previous`: the versions, notes and retired concepts are history."""
    versions: dict[int, str] = {}
    for version in graph.subjects(RDF.type, KG.ConceptSchemeVersion):
        number = graph.value(version, DCAT_VERSION)
        if number is not None and str(number).isdigit():
            versions[int(str(number))] = str(version)
    states = concept_states(graph, scheme)
    retired = {i: s for i, s in states.items() if s.withdrawn}
    history_subjects = {URIRef(v) for v in versions.values()} | {URIRef(i) for i in retired}
    content, history = Graph(), Graph()
    for triple in graph:
        s, p, _ = triple
        if s in history_subjects or p == SKOS.changeNote or (s == scheme and p in (DCTERMS.hasVersion,
                                                                                   DCTERMS.modified)):
            history.add(triple)
        else:
            content.add(triple)
    current = {i: s for i, s in states.items() if not s.withdrawn}
    return Previous(graph, content, history, current, retired, versions)


def read_previous(store: object, graph_iri: str, scheme: URIRef) -> Previous:
    """The scheme's graph as the store holds it (empty when there is none yet)."""
    if store is None:
        return Previous()
    stored = store.construct(render("conceptlist/scheme-graph", graph=iri(graph_iri)))  # type: ignore[attr-defined]
    graph = Graph()
    for s, p, o in stored:
        graph.add((s, p, plain(o)))
    previous = split(graph, scheme)
    info = store.graph_info(graph_iri) if previous.exists else None  # type: ignore[attr-defined]
    previous.loaded_at = info.loaded_at if info is not None else None
    return previous


def _triples(graph: Graph) -> set[tuple[object, object, object]]:
    return {(s, p, plain(o)) for s, p, o in graph}


@dataclass
class Outcome:
    """The graph to store and what to tell: the report lines, warnings, the version recorded."""

    graph: Graph
    changes: list[Change]
    warnings: list[str]
    version: int | None = None
    withdrawn: list[str] = field(default_factory=list)


def build(result: ConceptListResult, previous: Previous, settings: Settings, source: str,
          today: date | None = None) -> Outcome:
    """The new version of the scheme's graph from a read list and the stored version."""
    scheme = URIRef(result.scheme_iri)
    minter = Minter(settings.base_iri)
    today = today or datetime.now(UTC).date()
    new = concept_states(result.graph, scheme)
    renames = find_renames(previous.current, new, result.fixed, previous.retired)
    content = rename_iris(result.graph, renames.kept)
    listed = concept_states(content, scheme)
    kept = sorted(i for i in result.skipped_iris if i in previous.current and i not in listed)
    for i in kept:  # a row left out with --skip-bad-rows keeps the concept as stored
        for p, o in previous.content.predicate_objects(URIRef(i)):
            content.add((URIRef(i), p, o))
        if (scheme, SKOS.hasTopConcept, URIRef(i)) in previous.content:
            content.add((scheme, SKOS.hasTopConcept, URIRef(i)))
    states = concept_states(content, scheme)
    warnings = list(renames.undecided)
    listed = {i: s for i, s in states.items() if i not in kept}
    changes = compare(previous.current, listed, renames, result.fixed, previous.retired)
    changes += [Change("kept", i, f"kept as before: {en(states[i].label)} (its row was left out)",
                       f"bevaret uændret: {da(states[i].label)} (rækken blev udeladt)") for i in kept]
    withdrawn = sorted((i for i in previous.current if i not in states),
                       key=lambda i: previous.current[i].label.casefold())
    replaced_by = _replacements(result, previous, states, withdrawn, warnings)
    for i in withdrawn:
        name = previous.current[i].label
        by = sorted(states[r].label if r in states else r for r in replaced_by.get(i, ()))
        changes.append(Change("withdrawn", i, f"withdrawn: {en(name)}"
                              + (f" (replaced by {', '.join(map(en, by))})" if by else ""),
                              f"trukket tilbage: {da(name)}"
                              + (f" (erstattet af {', '.join(map(da, by))})" if by else "")))
    scheme_change = scheme_changes(previous.content, content, scheme)
    if scheme_change is not None:
        changes.append(scheme_change)
    changes.sort(key=lambda c: _ORDER.index(c.kind))  # stable: by kind, each kind by term
    graph = bind_all(Graph())
    for triple in content:
        graph.add(triple)
    if previous.exists and _triples(previous.content) == _triples(content) and not _new_replacements(
            previous, replaced_by):
        for triple in previous.history:
            graph.add(triple)
        return Outcome(graph, [], warnings)
    number = max(previous.versions, default=1 if previous.exists else 0) + 1
    version = URIRef(minter.scheme_version(result.scheme, number))
    first = not previous.exists
    if first:
        changes = [Change("first", None, f"first version: {len(states)} concepts",
                          f"første version: {len(states)} begreber"),
                   *(Change("added", i, "", "") for i in sorted(states))]
    reinstated = {URIRef(i) for i in previous.retired if i in states}
    for s, p, o in previous.history:
        if (s in reinstated and p != SKOS.changeNote) or (s == scheme and p == DCTERMS.modified):
            continue
        graph.add((s, p, o))
    if previous.exists and not previous.versions:
        _version_record(graph, scheme, URIRef(minter.scheme_version(result.scheme, 1)), 1, None,
                        _day(previous.loaded_at) or today, None, content,
                        [Change("first", None, "the version loaded before kg kept versions",
                                "versionen, der blev indlæst, før kg førte versioner")])
    for i in withdrawn:
        _retire(graph, previous.content, URIRef(i), scheme, version)
    for old, news in replaced_by.items():
        for new_iri in news:
            graph.add((URIRef(old), DCTERMS.isReplacedBy, URIRef(new_iri)))
    previous_version = URIRef(previous.versions[max(previous.versions)]) if previous.versions else (
        URIRef(minter.scheme_version(result.scheme, 1)) if previous.exists else None)
    _version_record(graph, scheme, version, number, previous_version, today, source, content, changes)
    if not first:
        for change in changes:
            if change.concept is not None and change.kind in CHANGE_PROPERTIES:
                graph.add((URIRef(change.concept), SKOS.changeNote,
                           Literal(f"Version {number} ({today.isoformat()}): {change.en}", lang="en")))
                graph.add((URIRef(change.concept), SKOS.changeNote,
                           Literal(f"Version {number} ({today.isoformat()}): {change.da}", lang="da")))
    return Outcome(graph, changes, warnings, number, withdrawn)


def _day(stamp: str | None) -> date | None:
    try:
        return date.fromisoformat(stamp[:10]) if stamp else None
    except ValueError:
        return None


def _retire(graph: Graph, last: Graph, concept: URIRef, scheme: URIRef, version: URIRef) -> None:
    """A concept that left the list: its last terms and definitions, marked withdrawn by ``version``."""
    for p, o in last.predicate_objects(concept):
        if p not in _NOT_RETIRED:
            graph.add((concept, p, o))
    graph.remove((scheme, SKOS.hasTopConcept, concept))
    graph.add((concept, OWL.deprecated, Literal(True)))
    graph.add((concept, ADMS.status, WITHDRAWN))
    graph.add((concept, KG.withdrawnIn, version))


def _version_record(graph: Graph, scheme: URIRef, version: URIRef, number: int, before: URIRef | None,
                    day: date, source: str | None, content: Graph, changes: list[Change]) -> None:
    titles = {o.language: str(o) for o in content.objects(scheme, SKOS.prefLabel)
              if isinstance(o, Literal) and o.language}
    graph.add((version, RDF.type, KG.ConceptSchemeVersion))
    graph.add((version, RDFS.label, Literal(f"Version {number} af {titles.get('da') or scheme}", lang="da")))
    title_en = titles.get("en") or titles.get("da") or scheme
    graph.add((version, RDFS.label, Literal(f"Version {number} of {title_en}", lang="en")))
    graph.add((version, DCTERMS.isVersionOf, scheme))
    graph.add((version, DCAT_VERSION, Literal(str(number))))
    graph.add((version, DCTERMS.issued, Literal(day.isoformat(), datatype=XSD.date)))
    if before is not None:
        graph.add((version, PROV.wasRevisionOf, before))
    if source:
        graph.add((version, DCTERMS.source, Literal(source)))
    label = content.value(scheme, OWL.versionInfo)
    if label is not None and source is not None:
        graph.add((version, OWL.versionInfo, Literal(str(label))))
    lines = [c for c in changes if c.en]
    if lines:
        graph.add((version, SKOS.changeNote, Literal("\n".join(c.en for c in lines), lang="en")))
        graph.add((version, SKOS.changeNote, Literal("\n".join(c.da for c in lines), lang="da")))
    for change in changes:
        prop = CHANGE_PROPERTIES.get(change.kind)
        if prop is not None and change.concept is not None:
            graph.add((version, prop, URIRef(change.concept)))
    graph.add((scheme, DCTERMS.hasVersion, version))
    graph.set((scheme, DCTERMS.modified, Literal(day.isoformat(), datatype=XSD.date)))


def _replacements(result: ConceptListResult, previous: Previous, states: dict[str, ConceptState],
                  withdrawn: list[str], warnings: list[str]) -> dict[str, set[str]]:
    """Withdrawn concept → the concepts replacing it: the *Erstatter* column and the sidecar's table."""
    known = {**previous.retired, **previous.current}
    found: dict[str, set[str]] = {}
    for i, s in states.items():
        for p, o in s.other:
            if p == str(DCTERMS.replaces):
                old = o.strip("<>")
                if old in states:
                    warnings.append(f"'{s.label}' replaces '{states[old].label}', which is still in the list")
                elif old not in known:
                    warnings.append(f"'{s.label}' replaces {old}, which the scheme has never had")
                found.setdefault(old, set()).add(i)
    by_term = previous.terms()
    current = {s.label.casefold(): i for i, s in states.items()}
    for old_ref, new_ref in result.replacements.items():
        old = old_ref if is_reference_iri(old_ref) else by_term.get(old_ref.casefold())
        new = new_ref if is_reference_iri(new_ref) else current.get(new_ref.casefold())
        if old is None or old in states:
            warnings.append(f"sidecar [replacements]: {old_ref!r} is not a concept that left the list")
        elif new is None or new not in states:
            warnings.append(f"sidecar [replacements]: {new_ref!r} is not a concept of the list")
        else:
            found.setdefault(old, set()).add(new)
    return {old: news for old, news in found.items() if old in known and old not in states}


def _new_replacements(previous: Previous, replaced_by: dict[str, set[str]]) -> bool:
    return any((URIRef(o), DCTERMS.isReplacedBy, URIRef(n)) not in previous.history
               for o, news in replaced_by.items() for n in news)


# -- what the store says about the scheme ----------------------------------------------------------

def _source_graphs(store: object) -> dict[str, str]:
    """Graph → source of every graph loaded from a document: not kg's own graphs (the derived ones
    and the meta graph), whose PROV names the kg step that made them."""
    base = store.base_iri  # type: ignore[attr-defined]
    derived = graphs.derived_graphs(base) | {Minter(base).meta_graph()}
    return {g.name: g.source for g in store.graphs()  # type: ignore[attr-defined]
            if g.source and g.name not in derived and not g.source.startswith("kg ")}


def links_to(store: object, concepts: list[str], own_graph: str) -> list[str]:
    """One line per statement in another source's graph that points at one of ``concepts``."""
    if store is None or not concepts:
        return []
    sources = _source_graphs(store)
    rows = store.select(render("conceptlist/links-to", concepts=" ".join(iri(c) for c in concepts)))  # type: ignore[attr-defined]
    lines = []
    for row in rows:
        graph = str(row["g"])
        if graph == own_graph or graph not in sources:
            continue
        lines.append(f"{row['c']} is withdrawn but still linked from {row['s']} ({row['p']}) "
                     f"in graph {graph} (source {sources[graph]})")
    return lines


def other_graphs(store: object, scheme: str, own_graph: str) -> list[str]:
    """Warnings for graphs other than the scheme's own that hold concepts of the scheme."""
    if store is None:
        return []
    sources = _source_graphs(store)
    rows = store.select(render("conceptlist/scheme-graphs", scheme=iri(scheme)))  # type: ignore[attr-defined]
    return [f"concepts of {scheme} are also in graph {row['g']} (source {sources[str(row['g'])]}), "
            f"so they are served twice; remove it with `kg drop {row['g']}`"
            for row in rows if str(row["g"]) != own_graph and str(row["g"]) in sources]


def prepare_version(path: Path, settings: Settings, store: object, scheme: str | None = None,
                    skip_bad_rows: bool = False, encoding: str | None = None, sheet: str | None = None,
                    today: date | None = None) -> Prepared:
    """Read a list, compare it with the stored version of its scheme, and prepare the new version."""
    slug = scheme_slug(path, scheme)
    minter = Minter(settings.base_iri)
    graph_path = f"conceptlists/{slug}"
    own_graph = minter.graph(graph_path)
    previous = read_previous(store, own_graph, URIRef(minter.scheme(slug)))
    result = read_conceptlist(path, settings, scheme=scheme, skip_bad_rows=skip_bad_rows, encoding=encoding,
                              sheet=sheet, known_terms=previous.terms())
    notes = [f"{path}: {result.described}"] if result.described else []
    warnings = [f"{path}: {p}" for p in result.warnings]
    summary_line = f"{result.concepts} concepts in scheme {result.scheme_iri}"
    if result.skipped_rows:
        summary_line += f", {len(result.skipped_rows)} bad row(s) skipped"
    errors = load_errors(result)
    if errors:
        return Prepared(result.graph, graph_path, warnings=warnings, errors=errors, notes=notes,
                        summary=summary_line)
    outcome = build(result, previous, settings, Path(path).name, today)
    warnings += [f"{path}: {w}" for w in outcome.warnings]
    warnings += [f"{path}: {w}" for w in other_graphs(store, result.scheme_iri, own_graph)]
    warnings += [f"{path}: {w}" for w in links_to(store, outcome.withdrawn, own_graph)]
    changes: list[str] = []
    if outcome.version is None:
        notes.append(f"{path}: no change against the stored version of {result.scheme_iri}")
    elif not previous.exists:
        changes = [f"version 1 of {result.scheme}: {outcome.changes[0].en}"]
        summary_line += "; version 1"
    else:
        told = [c for c in outcome.changes if c.en and c.kind != "first"]
        counted = summary(told)[0] or "nothing a concept list column holds"
        changes = [f"version {outcome.version} of {result.scheme} (was {outcome.version - 1}): {counted}",
                   *(c.en for c in told)]
        summary_line += f"; version {outcome.version}: {counted}"
    return Prepared(outcome.graph, graph_path, warnings=warnings, notes=notes, changes=changes,
                    summary=summary_line)


__all__ = ["Outcome", "Previous", "build", "links_to", "other_graphs", "prepare_version", "read_previous",
           "split"]
