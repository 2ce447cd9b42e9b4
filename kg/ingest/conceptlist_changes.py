"""What changed between two versions of a concept scheme, and which concepts were renamed.

Both versions are SKOS graphs (the one in the store, the one a list just gave), so the comparison
is of graphs, not of spreadsheet rows: it does not matter how the list was laid out or saved.

Renames: a concept's IRI is minted from its Id where the list has one, else from its preferred
term, so renaming a term without an Id would give a new IRI and break every link to the old one.
kg recognises a rename when exactly one concept left the list and exactly one came in with the
same Danish definition and the same broader concepts (after the renames found so far, so renamed
parents are followed); it then keeps the old IRI.  Where several concepts share definition and
place it cannot tell which is which, and where a concept left and another came in under the same
broader concept or with the same definition it cannot tell whether that was a rename: in both
cases it says so and asks for the Id column, which decides.  (The second case is a hint: one
concept left and one came in with the same definition elsewhere, or under the same broader
concept — or both at the top — as the only ones there.)
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.ingest.conceptlist_read import BY_KEY, COLUMNS
from kg.namespaces import DCTERMS, KG, MDL, OWL, RDF, SKOS, XSD

#: Properties that the comparison treats on their own (terms, definitions, hierarchy) or not at all.
_OWN = {SKOS.prefLabel, SKOS.altLabel, MDL.deprecatedLabel, SKOS.definition, SKOS.broader, SKOS.inScheme,
        SKOS.topConceptOf, RDF.type, SKOS.changeNote, OWL.deprecated, KG.withdrawnIn, DCTERMS.isReplacedBy}
#: (property, language) → the column header, to name what else changed.
_COLUMN_OF = {(str(c.prop), c.lang): c.header for c in COLUMNS}
#: Scheme properties → the sidecar key that sets them.
SCHEME_KEYS = {str(SKOS.prefLabel): "title", str(DCTERMS.title): "title", str(SKOS.definition): "definition",
               str(SKOS.editorialNote): "editorial_note", "http://www.w3.org/ns/adms#status": "status",
               str(OWL.versionInfo): "version", "http://data.europa.eu/m8g/hasLegalResource": "legal_source",
               str(DCTERMS.source): "source", str(DCTERMS.relation): "related"}


def plain(node: Node) -> Node:
    """A literal typed ``xsd:string`` as the plain literal it is (stores differ in how they return it)."""
    if isinstance(node, Literal) and node.datatype == XSD.string:
        return Literal(str(node))
    return node


@dataclass(frozen=True)
class ConceptState:
    """What a version says of one concept, in the terms the change report uses."""

    iri: str
    pref: dict[str, str]
    alt: frozenset[str]
    deprecated_terms: frozenset[str]
    definition: dict[str, str]
    broader: frozenset[str]
    other: frozenset[tuple[str, str]]
    withdrawn: bool = False

    @property
    def label(self) -> str:
        return self.pref.get("da") or next(iter(self.pref.values()), "") or self.iri.rsplit("/", 1)[-1]


def concept_states(graph: Graph, scheme: URIRef) -> dict[str, ConceptState]:
    """Every concept of ``scheme`` in ``graph`` (withdrawn ones marked), by IRI."""
    states = {}
    for concept in set(graph.subjects(SKOS.inScheme, scheme)):
        if not isinstance(concept, URIRef):
            continue
        pref: dict[str, str] = {}
        definition: dict[str, str] = {}
        alt, deprecated, broader, other = set(), set(), set(), set()
        withdrawn = False
        for p, o in graph.predicate_objects(concept):
            o = plain(o)
            lang = o.language if isinstance(o, Literal) else None
            if p == SKOS.prefLabel:
                pref[lang or ""] = str(o)
            elif p == SKOS.definition:
                definition[lang or ""] = str(o)
            elif p == SKOS.altLabel and lang == "da":
                alt.add(str(o))
            elif p == MDL.deprecatedLabel and lang == "da":
                deprecated.add(str(o))
            elif p == SKOS.broader:
                broader.add(str(o))
            elif p == OWL.deprecated:
                withdrawn = withdrawn or str(o).lower() in ("true", "1")
            elif p not in _OWN:
                other.add((str(p), o.n3()))
        states[str(concept)] = ConceptState(str(concept), pref, frozenset(alt), frozenset(deprecated),
                                            definition, frozenset(broader), frozenset(other), withdrawn)
    return states


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").strip()).casefold()


@dataclass
class Renames:
    """New IRI → the old IRI kept for it, and what kg could not decide (with what to do)."""

    kept: dict[str, str] = field(default_factory=dict)
    undecided: list[str] = field(default_factory=list)


def find_renames(old: dict[str, ConceptState], new: dict[str, ConceptState], fixed: Iterable[str],
                 retired: Iterable[str] = ()) -> Renames:
    """Concepts of ``new`` that are concepts of ``old`` renamed (same Danish definition and place).

    ``old`` holds the stored version's current concepts; ``fixed`` the IRIs the list's Id column
    fixed (never renames); ``retired`` the withdrawn concepts' IRIs (a concept coming back under
    one of them is reinstated, not renamed).
    """
    fixed, retired = set(fixed), set(retired)
    gone = {i: s for i, s in old.items() if i not in new}
    fresh = {i: s for i, s in new.items() if i not in old and i not in fixed and i not in retired}
    found = Renames()
    while True:
        taken = set(found.kept.values())
        olds: dict[tuple[str, frozenset[str]], list[str]] = defaultdict(list)
        news: dict[tuple[str, frozenset[str]], list[str]] = defaultdict(list)
        for i, s in gone.items():
            if i not in taken and _norm(s.definition.get("da")):
                olds[(_norm(s.definition.get("da")), s.broader)].append(i)
        for i, s in fresh.items():
            if i not in found.kept and _norm(s.definition.get("da")):
                place = frozenset(found.kept.get(b, b) for b in s.broader)
                news[(_norm(s.definition.get("da")), place)].append(i)
        matched = {key: (news[key][0], olds[key][0]) for key in news
                   if len(news[key]) == 1 and len(olds.get(key, [])) == 1}
        if not matched:
            break
        found.kept.update(matched.values())
    taken = set(found.kept.values())
    for key in news:
        if olds.get(key) and (len(news[key]) > 1 or len(olds[key]) > 1):
            were = ", ".join(f"'{gone[i].label}'" for i in sorted(olds[key]))
            now = ", ".join(f"'{fresh[i].label}'" for i in sorted(news[key]))
            found.undecided.append(f"cannot tell which of {were} became {now} (same definition and place): "
                                   f"give each row its Id in a column 'Begrebs-id' to keep the IRIs")
    left = {i: s for i, s in gone.items() if i not in taken}
    came = {i: s for i, s in fresh.items() if i not in found.kept}
    by_place: dict[frozenset[str], tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for i, s in left.items():
        by_place[s.broader][0].append(i)
    for i, s in came.items():
        by_place[frozenset(found.kept.get(b, b) for b in s.broader)][1].append(i)
    hinted: set[str] = set()
    for j in sorted(left):
        t = left[j]
        same_definition = [i for i in sorted(came) if _norm(came[i].definition.get("da"))
                           == _norm(t.definition.get("da"))]
        olds, news = by_place[t.broader]
        if len(same_definition) == 1:
            i, why = same_definition[0], "with the same definition"
        elif len(olds) == 1 and len(news) == 1:
            i, why = news[0], "under the same broader concept" if t.broader else "at the top of the list"
        else:
            continue
        if i in hinted or (str(DCTERMS.replaces), URIRef(j).n3()) in came[i].other:
            continue  # a concept the list says replaces the one that left is not a rename
        hinted.add(i)
        found.undecided.append(
            f"'{t.label}' left the list and '{came[i].label}' came in {why}: if it is the same "
            f"concept renamed, give its row the Id '{j.rsplit('/', 1)[-1]}' (column 'Begrebs-id') "
            f"to keep its IRI {j}")
    return found


def rename_iris(graph: Graph, kept: dict[str, str]) -> Graph:
    """``graph`` with each new IRI replaced by the old one kept for it."""
    if not kept:
        return graph
    swap = {URIRef(k): URIRef(v) for k, v in kept.items()}
    out = Graph()
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace, override=True, replace=True)
    for s, p, o in graph:
        out.add((swap.get(s, s), p, swap.get(o, o)))  # type: ignore[arg-type]
    return out


# -- the change report -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """One line of a change report, in English and Danish, about one concept (or the scheme)."""

    kind: str  # first, added, withdrawn, reinstated, renamed, redefined, moved, terms, details, kept, scheme
    concept: str | None
    en: str
    da: str


#: The kinds that count as changes of a concept, and kg's property linking a version to such concepts.
CHANGE_PROPERTIES = {"added": KG.addedConcept, "withdrawn": KG.withdrawnConcept,
                     "reinstated": KG.reinstatedConcept, "renamed": KG.renamedConcept,
                     "redefined": KG.redefinedConcept, "moved": KG.movedConcept,
                     "terms": KG.termsChangedConcept, "details": KG.detailsChangedConcept}
_NAMES = {"added": ("added", "tilføjet"), "withdrawn": ("withdrawn", "trukket tilbage"),
          "reinstated": ("reinstated", "genindført"), "renamed": ("renamed", "omdøbt"),
          "redefined": ("redefined", "omdefineret"), "moved": ("moved", "flyttet"),
          "terms": ("terms changed", "termer ændret"),
          "details": ("other details changed", "andre oplysninger ændret"),
          "kept": ("kept as before", "bevaret uændret"), "scheme": ("scheme details changed",
                                                                     "listens egne oplysninger ændret")}


def en(text: str) -> str:
    return f"'{text}'"


def da(text: str) -> str:
    return f"»{text}«"


def summary(changes: list[Change]) -> tuple[str, str]:
    """"1 added, 2 renamed" in English and Danish, in the order of the kinds above."""
    counts: dict[str, int] = defaultdict(int)
    for change in changes:
        counts[change.kind] += 1
    parts = [(f"{counts[k]} {e}", f"{counts[k]} {d}") for k, (e, d) in _NAMES.items() if counts.get(k)]
    return ", ".join(p[0] for p in parts), ", ".join(p[1] for p in parts)


def compare(old: dict[str, ConceptState], new: dict[str, ConceptState], renames: Renames, fixed: set[str],
            retired: dict[str, ConceptState]) -> list[Change]:
    """The changes from ``old`` (the stored version's current concepts) to ``new``, concept by concept.

    Withdrawals are not here: which concepts left depends on skipped rows and replacements, which
    :mod:`kg.ingest.conceptlist_versions` knows.
    """
    renamed = {v: k for k, v in renames.kept.items()}  # old IRI → new IRI (already swapped in ``new``)
    label = {i: s.label for i, s in {**retired, **old, **new}.items()}
    changes: list[Change] = []
    for iri in sorted(new, key=lambda i: new[i].label.casefold()):
        s = new[iri]
        if iri in retired:
            changes.append(Change("reinstated", iri, f"reinstated: {en(s.label)}",
                                  f"genindført: {da(s.label)}"))
            continue
        t = old.get(iri)
        if t is None:
            changes.append(Change("added", iri, f"added: {en(s.label)}", f"tilføjet: {da(s.label)}"))
            continue
        if s.pref.get("da") != t.pref.get("da"):
            why_en, why_da = (("same definition and place", "samme definition og placering") if iri in renamed
                              else ("same Id", "samme id") if iri in fixed else ("same IRI", "samme IRI"))
            changes.append(Change("renamed", iri,
                                  f"renamed: {en(t.label)} → {en(s.label)} (IRI kept: {why_en})",
                                  f"omdøbt: {da(t.label)} → {da(s.label)} (IRI bevaret: {why_da})"))
        langs = sorted({*s.definition, *t.definition}, key=lambda x: (x != "da", x))
        redefined = [lang for lang in langs if s.definition.get(lang) != t.definition.get(lang)]
        if redefined:
            cols = ", ".join(_COLUMN_OF.get((str(SKOS.definition), lang), f"definition ({lang})")
                             for lang in redefined)
            changes.append(Change("redefined", iri, f"redefined: {en(s.label)} ({cols})",
                                  f"omdefineret: {da(s.label)} ({cols})"))
        if s.broader != t.broader:
            changes.append(_moved(iri, s.label, t.broader, s.broader, label))
        terms = _terms(s, t)
        if terms:
            changes.append(Change("terms", iri, f"terms of {en(s.label)}: " + "; ".join(x[0] for x in terms),
                                  f"termer for {da(s.label)}: " + "; ".join(x[1] for x in terms)))
        if s.other != t.other:
            props = sorted({_column(p, o) for p, o in s.other ^ t.other})
            changes.append(Change("details", iri,
                                  f"other details of {en(s.label)} changed: {', '.join(props)}",
                                  f"andre oplysninger om {da(s.label)} ændret: {', '.join(props)}"))
    return changes


def _column(prop: str, n3: str) -> str:
    match = re.search(r"@([A-Za-z-]+)$", n3)
    lang = match.group(1) if match and n3.startswith('"') else None
    header = _COLUMN_OF.get((prop, lang)) or _COLUMN_OF.get((prop, None))
    if header is None and prop == str(DCTERMS.replaces):
        header = BY_KEY["replaces"].header
    return header or prop.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _moved(iri: str, name: str, before: frozenset[str], after: frozenset[str],
           label: dict[str, str]) -> Change:
    def place(parents: frozenset[str], english: bool) -> str:
        if not parents:
            return "the top" if english else "toppen"
        names = sorted(label.get(p, p.rsplit("/", 1)[-1]) for p in parents)
        quote = en if english else da
        return "under " + (" and " if english else " og ").join(map(quote, names))

    return Change("moved", iri, f"moved: {en(name)} from {place(before, True)} to {place(after, True)}",
                  f"flyttet: {da(name)} fra {place(before, False)} til {place(after, False)}")


def _terms(s: ConceptState, t: ConceptState) -> list[tuple[str, str]]:
    out = []
    for kind_en, kind_da, now, was in (("accepted term", "accepteret term", s.alt, t.alt),
                                       ("deprecated term", "frarådet term", s.deprecated_terms,
                                        t.deprecated_terms)):
        for term in sorted(now - was):
            out.append((f"{kind_en} {en(term)} added", f"{kind_da} {da(term)} tilføjet"))
        for term in sorted(was - now):
            out.append((f"{kind_en} {en(term)} removed", f"{kind_da} {da(term)} fjernet"))
    for lang in sorted({*s.pref, *t.pref} - {"da"}):
        a, b = t.pref.get(lang), s.pref.get(lang)
        if a == b:
            continue
        name_en, name_da = ("English term", "engelsk term") if lang == "en" else (f"term ({lang})",
                                                                                f"term ({lang})")
        if a and b:
            out.append((f"{name_en} {en(a)} → {en(b)}", f"{name_da} {da(a)} → {da(b)}"))
        elif b:
            out.append((f"{name_en} {en(b)} added", f"{name_da} {da(b)} tilføjet"))
        else:
            out.append((f"{name_en} {en(str(a))} removed", f"{name_da} {da(str(a))} fjernet"))
    return out


def scheme_changes(old: Graph, new: Graph, scheme: URIRef) -> Change | None:
    """The scheme's own description (from the sidecar) compared: which sidecar keys changed."""
    def described(graph: Graph) -> set[tuple[str, Node]]:
        return {(str(p), plain(o)) for p, o in graph.predicate_objects(scheme) if str(p) in SCHEME_KEYS}

    differ = described(old) ^ described(new)
    if not differ:
        return None
    keys = ", ".join(sorted({SCHEME_KEYS[p] for p, _ in differ}))
    return Change("scheme", None, f"scheme details changed: {keys}",
                  f"listens egne oplysninger ændret: {keys}")


__all__ = ["CHANGE_PROPERTIES", "Change", "ConceptState", "Renames", "compare", "concept_states", "da", "en",
           "find_renames", "plain", "rename_iris", "scheme_changes", "summary"]
