"""What changed between the stored version of a meeting's document and a newer one, in words.

A meeting's agenda (or minutes) replaces the stored one whole, so the write path keeps, in the
graph's PROV, one line per difference a reviewer cares about: "item 2.5 withdrawn", "item 2.7
added", "location changed: 'KL' -> 'KOMBIT'", "item 2.2 officers changed: 'Anna Berg' -> 'Jens
Holm'", "item 2.3 sagsfremstilling changed", "decision on item 3.1 outcome changed: 'udsat' ->
'godkendt'".  Both graphs are flattened into named facts and compared; long texts are reported as
changed without quoting them.  :func:`stored_graph` reads what the store holds: the document's own
stored version, or the meeting's other document (its agenda, its minutes).
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from kg.config import Settings
from kg.iris import Minter
from kg.namespaces import BESLUIT, DCTERMS, FOAF, KG, RDF, SCHEMA
from kg.queries import iri, render

PARTS = (("background", KG.background), ("recommendation text", KG.recommendationText),
         ("sagsfremstilling", KG.caseDescription), ("text", DCTERMS.description))
#: Facts quoted in full in a change line; the rest are only named.
QUOTED_LENGTH = 120


def _one(graph: Graph, s: object, p: URIRef) -> str:
    values = sorted(str(o) for o in graph.objects(s, p))  # type: ignore[arg-type]
    return values[0] if values else ""


def _ordered(graph: Graph, s: object, p: URIRef) -> list[object]:
    found = list(graph.objects(s, p))  # type: ignore[arg-type]
    return sorted(found, key=lambda x: (int(_one(graph, x, SCHEMA.position) or 0), str(x)))


def _slug(value: str) -> str:
    return value.rstrip("/").rsplit("/", 1)[-1]


def facts(graph: Graph, meeting: URIRef) -> dict[str, str]:
    """The document's facts by name ("item 2.2 title" → "…").

    Minutes stored beside their agenda hold only part of each item, so items are found through
    the meeting and through the decisions on them, and named by their IRI's last segment (the
    item number) when the graph does not give ``kg:number``."""
    out: dict[str, str] = {}
    out["start"] = _one(graph, meeting, BESLUIT.geplandeStart)
    out["location"] = _one(graph, meeting, BESLUIT.opLocatie)
    out["title"] = _one(graph, meeting, DCTERMS.title)
    for section in graph.objects(meeting, KG.hasSection):
        out[f"section {_one(graph, section, KG.number) or _slug(str(section))} title"] = \
            _one(graph, section, DCTERMS.title)
    items = set(graph.objects(meeting, BESLUIT.behandelt)) | set(graph.objects(None, KG.decisionOn))
    for item in sorted(items, key=str):
        n = _one(graph, item, KG.number) or _slug(str(item))
        out[f"item {n}"] = _one(graph, item, DCTERMS.title)
        out[f"item {n} officers"] = ", ".join(sorted(_one(graph, p, FOAF.name)
                                                     for p in graph.objects(item, KG.responsibleOfficer)))
        out[f"item {n} cases"] = ", ".join(sorted(_one(graph, c, DCTERMS.identifier)
                                                  for c in graph.objects(item, KG.case)))
        recommendations = _ordered(graph, item, KG.hasRecommendation)
        out[f"item {n} recommendations"] = " | ".join(_one(graph, r, RDF.value) for r in recommendations)
        out[f"item {n} attachments"] = " | ".join(_one(graph, a, DCTERMS.title)
                                                  for a in _ordered(graph, item, KG.hasAttachment))
        for name, predicate in PARTS:
            out[f"item {n} {name}"] = _one(graph, item, predicate)
    for decision in set(graph.subjects(KG.outcome, None)) | set(graph.subjects(KG.decisionOn, None)):
        item = _one(graph, decision, KG.decisionOn)
        if item:
            key = f"decision on item {_one(graph, URIRef(item), KG.number) or _slug(item)}"
        else:
            decided_at = _one(graph, decision, KG.decidedAt)
            key = f"decision {_slug(decided_at)} {_one(graph, decision, SCHEMA.position)}"
        out[f"{key} outcome"] = _slug(_one(graph, decision, KG.outcome))
        out[f"{key} text"] = _one(graph, decision, RDF.value)
    return {k: v for k, v in out.items() if v}


def _quote(value: str) -> str:
    return f"'{value}'" if len(value) <= QUOTED_LENGTH else f"'{value[:QUOTED_LENGTH - 1]}…'"


def stored_graph(store: object, settings: Settings, graph_path: str) -> Graph:
    """What the store holds in the graph named ``graph_path`` (empty when nothing is stored)."""
    graph = Minter(settings.base_iri).graph(graph_path)
    return store.construct(render("agenda/graph-content", graph=iri(graph)))  # type: ignore[attr-defined, no-any-return]


def describe_changes(old: Graph, new: Graph, meeting: str) -> list[str]:
    """One line per difference between the stored graph of ``meeting``'s document and the new one
    ([] when nothing was stored)."""
    if len(old) == 0:
        return []
    before, after = facts(old, URIRef(meeting)), facts(new, URIRef(meeting))
    lines = []
    for key in sorted(set(before) | set(after), key=_order):
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        whole_item = key.startswith("item ") and len(key.split()) == 2
        if whole_item:
            lines.append(f"{key} withdrawn" if now is None else f"{key} added" if was is None
                         else f"{key} title changed: {_quote(was)} -> {_quote(now)}")
            continue
        item = " ".join(key.split()[:2])
        if key.startswith("item ") and (item in before) != (item in after):
            continue   # the item as a whole was added or withdrawn
        if was is None:
            lines.append(f"{key} added: {_quote(now)}")  # type: ignore[arg-type]
        elif now is None:
            lines.append(f"{key} removed: {_quote(was)}")
        elif max(len(was), len(now)) > QUOTED_LENGTH:
            lines.append(f"{key} changed")
        else:
            lines.append(f"{key} changed: {_quote(was)} -> {_quote(now)}")
    return lines


def _order(key: str) -> tuple[int, tuple[int, ...], str]:
    words = key.split()
    if words[0] == "item" and len(words) > 1:
        try:
            return 1, tuple(int(x) for x in words[1].split(".")), key
        except ValueError:
            pass
    return (0 if words[0] in {"start", "location", "title", "section"} else 2), (), key

