"""Concept schemes and concepts: the tree, versions and withdrawals, a concept's terms, history and
usage; and an ontology's terms."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.term import Node

from kg.namespaces import MDL, SKOS
from kg.pages.domain.values import date_of, int_of, literals, pick, text_of
from kg.pages.labels import Labeller
from kg.pages.model import ResourcePage, Term
from kg.queries import iri, render
from kg.store.base import Store

# -- concept schemes and concepts -----------------------------------------------------------------

@dataclass
class TreeNode:
    term: Term
    notation: str = ""
    children: list[TreeNode] = field(default_factory=list)


def scheme_concepts(store: Store, scheme: str, labeller: Labeller, within: str = "") -> dict[str, object]:
    """A scheme's hierarchy and its alphabetical index (filtered by ``within`` when searching in it)."""
    labels: dict[str, list[Node]] = defaultdict(list)
    broader: dict[str, set[str]] = defaultdict(set)
    notations: dict[str, str] = {}
    for row in store.select(render("browse/scheme-concepts", scheme=iri(scheme))):
        c = str(row["c"])
        labels.setdefault(c, [])
        if row.get("label") is not None:
            labels[c].append(row["label"])
        if row.get("broader") is not None:
            broader[c].add(str(row["broader"]))
        if row.get("notation") is not None:
            notations[c] = str(row["notation"])
    terms = labeller.terms(list(labels))
    nodes = {c: TreeNode(terms[c], notations.get(c, "")) for c in labels}
    roots = []
    for c, node in nodes.items():
        parents = [p for p in broader.get(c, ()) if p in nodes]
        if parents:
            for p in parents:
                nodes[p].children.append(node)
        else:
            roots.append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: n.term.label.text.lower())
    roots.sort(key=lambda n: n.term.label.text.lower())
    needle = within.strip().lower()
    index: dict[str, list[Term]] = defaultdict(list)
    for c in sorted(nodes, key=lambda c: terms[c].label.text.lower()):
        all_labels = [str(v).lower() for v in labels[c]] + [terms[c].label.text.lower()]
        if needle and not any(needle in text for text in all_labels):
            continue
        initial = terms[c].label.text[:1].upper() or "#"
        index[initial].append(terms[c])
    return {"tree": roots, "index": sorted(index.items()), "count": len(nodes), "within": within}


@dataclass
class SchemeVersion:
    """One recorded version of a concept scheme and its change report in the reader's language."""

    term: Term
    number: int
    date: str
    source: str = ""
    report: list[str] = field(default_factory=list)


@dataclass
class Withdrawal:
    """A withdrawn concept: which version withdrew it, when, and what replaces it."""

    term: Term
    version: Term | None = None
    number: str = ""
    date: str = ""
    scheme: Term | None = None
    replaced_by: list[Term] = field(default_factory=list)


def scheme_versions(store: Store, scheme: str, labeller: Labeller) -> list[SchemeVersion]:
    """The scheme's recorded versions, newest first, each with its change report's lines."""
    found: dict[str, dict[str, object]] = {}
    notes: dict[str, list[Node]] = defaultdict(list)
    for row in store.select(render("browse/scheme-versions", scheme=iri(scheme))):
        v = str(row["v"])
        entry = found.setdefault(v, {"number": int_of(row.get("number")), "date": date_of(row.get("issued")),
                                     "source": text_of(row.get("source"))})
        if row.get("note") is not None and row["note"] not in notes[v]:
            notes[v].append(row["note"])
        entry["number"] = entry["number"] or int_of(row.get("number"))
    terms = labeller.terms(list(found))
    versions = [SchemeVersion(terms[v], int(e["number"]), str(e["date"]), str(e["source"]),  # type: ignore[call-overload]
                              [line for line in pick(notes[v], labeller.lang).splitlines() if line.strip()])
                for v, e in found.items()]
    return sorted(versions, key=lambda x: -x.number)


def _withdrawals(rows: list[dict[str, Node]], labeller: Labeller,
                 concept: str | None = None) -> list[Withdrawal]:
    out: dict[str, Withdrawal] = {}
    by: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        c = concept or str(row["c"])
        item = out.setdefault(c, Withdrawal(labeller.term(c)))
        if isinstance(row.get("version"), URIRef):
            item.version = labeller.term(str(row["version"]))
        item.number = item.number or text_of(row.get("number"))
        item.date = item.date or date_of(row.get("issued"))
        if isinstance(row.get("scheme"), URIRef):
            item.scheme = labeller.term(str(row["scheme"]))
        if isinstance(row.get("by"), URIRef) and str(row["by"]) not in by[c]:
            by[c].append(str(row["by"]))
    labeller.terms([b for bs in by.values() for b in bs])
    for c, item in out.items():
        item.replaced_by = sorted((labeller.term(b) for b in by[c]), key=lambda t: t.label.text.lower())
    return sorted(out.values(), key=lambda w: w.term.label.text.lower())


def scheme_withdrawn(store: Store, scheme: str, labeller: Labeller) -> list[Withdrawal]:
    """The concepts that have left the scheme's list, still resolvable, with when and what replaces them."""
    rows = store.select(render("browse/scheme-withdrawn", scheme=iri(scheme)))
    labeller.terms([str(r["c"]) for r in rows])
    return _withdrawals(rows, labeller)


def concept_withdrawal(store: Store, concept: str, labeller: Labeller) -> Withdrawal | None:
    """None for a current concept; for a withdrawn one, the version that withdrew it and its replacement."""
    rows = store.select(render("browse/concept-withdrawn", c=iri(concept)))
    found = _withdrawals(rows, labeller, concept)
    return found[0] if found else None


def concept_history(page: ResourcePage, lang: str) -> list[str]:
    """The concept's change notes ("Version 2 (…): renamed …") in the reader's language, oldest first."""
    notes = literals(page, str(SKOS.changeNote), lang)

    def version(note: str) -> tuple[int, str]:
        number = note.split(" ", 2)[1] if note.startswith("Version ") else ""
        return (int(number) if number.isdigit() else 0, note)

    return sorted(notes, key=version)


def concept_terms(page: ResourcePage, lang: str) -> dict[str, dict[str, list[str]]]:
    """Preferred, accepted and deprecated terms per language (the concept page's term table)."""
    wanted = {str(SKOS.prefLabel): "preferred", str(SKOS.altLabel): "accepted",
              str(MDL.deprecatedLabel): "deprecated"}
    table: dict[str, dict[str, list[str]]] = {}
    for group in page.properties:
        kind = wanted.get(group.predicate.iri)
        if kind is None:
            continue
        for value in group.values:
            if value.kind == "literal":
                table.setdefault(value.lang or "", {}).setdefault(kind, []).append(value.text)
    order = {lang: 0, "da": 1, "en": 2}
    return dict(sorted(table.items(), key=lambda kv: (order.get(kv[0], 3), kv[0])))


def concept_usage(store: Store, concept: str, labeller: Labeller) -> list[tuple[Term, Term]]:
    """Resources that use a concept (classes of a model, items, datasets …), with the property."""
    rows = store.select(render("browse/concept-usage", c=iri(concept)))
    pairs = [(str(r["s"]), str(r["p"])) for r in rows if isinstance(r.get("s"), URIRef)]
    terms = labeller.terms([s for s, _ in pairs] + [p for _, p in pairs])
    return sorted(((terms[s], terms[p]) for s, p in pairs),
                  key=lambda sp: (sp[1].label.text, sp[0].label.text))


def ontology_terms(store: Store, ontology: str, labeller: Labeller) -> list[tuple[Term, Term | None]]:
    """The classes and properties an ontology defines, with their kind."""
    ns = ontology + "#"
    rows = store.select(render("browse/ontology-terms", o=iri(ontology), ns=f'"{ns}"'))
    found: dict[str, str | None] = {}
    for r in rows:
        t = str(r["t"])
        if r.get("type") is not None or t not in found:
            found[t] = str(r["type"]) if r.get("type") is not None else found.get(t)
    terms = labeller.terms(list(found) + [t for t in found.values() if t])
    return sorted(((terms[t], terms[k] if k else None) for t, k in found.items()),
                  key=lambda tk: ((tk[1].label.text if tk[1] else "~"), tk[0].label.text.lower()))
