"""Where each statement on a page comes from, so a reader can tell a quotation from an addition.

kg stores every source in its own named graph with a PROV record (source file, checksum, load
time), so the graph a statement sits in already says which document, curated file or rule it
came from.  This module turns that into *marks* the pages show beside each fact:

* **agenda / minutes** — the document (the meeting it is the agenda or minutes of), and the place
  in it: the item and the part (baggrund, indstilling, sagsfremstilling, bilag, beslutning).  The
  place follows from the structure the ingest keeps (items with numbers, parts as properties,
  recommendations, attachments, decisions and their paragraphs with positions), so it needs no
  line numbers.  Where the page shows a value that is not the document's wording (an outcome
  concept), the mark quotes the wording (``kg:statedAs``);
* **editorial** — a curated file under ``data/``: an editor's addition, with the file, and the
  editor's note and the source the editor relied on where the file gives them (an
  ``rdf:Statement`` describing that one statement, :file:`browse/statement-notes.rq`);
* **links** — derived by kg from what the documents say, with the rule (a proposal's title equals
  a product's title; a text names an organisation …);
* **inferred**, **measured**, **computed**, **concept list**, **ontology** — the other graphs.

Everything is fetched with the page's resources bound first: one query for the statements'
graphs, one for their PROV records, one for editorial notes, and a few for the places in the
agenda.  Marks hold terms and plain strings; templates lay them out (``m.src``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.iris import Minter
from kg.namespaces import BESLUIT, DCTERMS, FOAF, KG, RDF, SCHEMA
from kg.pages.facts import backward, forward
from kg.pages.labels import Labeller, literal_in
from kg.pages.model import Term, Value
from kg.queries import iri, render
from kg.store.base import Store, record_fields

#: The kinds of source, in the order a page lists them when a statement has several.
KINDS = ("agenda", "minutes", "editorial", "conceptlist", "ontology", "links", "inferred", "measured",
         "computed", "other")

#: Named graphs by path under the base, and the kind of source each path holds.
_GRAPH_KINDS = (
    ("graph/agendas/", "agenda"), ("graph/minutes/", "minutes"), ("graph/links", "links"),
    ("graph/inferred", "inferred"), ("graph/quality", "measured"), ("graph/validation", "computed"),
    ("graph/void", "computed"), ("graph/conceptlists/", "conceptlist"),
    ("graph/ontologies/", "ontology"), ("graph/", "editorial"),
)

#: The part of an agenda item a property of the item is printed in.
_ITEM_PARTS = {str(KG.background): "baggrund", str(KG.recommendationText): "indstilling",
               str(KG.hasRecommendation): "indstilling", str(KG.caseDescription): "sagsfremstilling",
               str(KG.reportsOn): "sagsfremstilling", str(KG.hasAttachment): "bilag"}

#: The rule by which kg derived a link (graph/links), by property (docs/model.md, "Links are derived").
LINK_RULES = {str(KG.approves): "title", str(DCTERMS.subject): "title", str(KG.mentions): "name",
              str(DCTERMS.type): "document_type", str(DCTERMS.creator): "creator",
              str(KG.addressedTo): "addressee"}


def source_kind(graph: str, base_iri: str) -> str:
    """The kind of source a named graph holds, from its place under ``<base>/graph/``."""
    base = base_iri.rstrip("/") + "/"
    if not graph.startswith(base):
        return "other"
    rest = graph[len(base):]
    return next((kind for prefix, kind in _GRAPH_KINDS if rest.startswith(prefix)), "other")


@dataclass(frozen=True)
class Mark:
    """Where one statement comes from, as the page shows it."""

    kind: str                       # one of KINDS
    graph: str
    file: str | None = None         # the PROV record's source (path under data/, or the step)
    loaded: str | None = None
    document: Term | None = None    # the meeting an agenda or minutes graph is of
    item: Term | None = None        # the agenda item the statement is printed under
    item_number: str = ""
    part: Term | None = None        # the item's part (baggrund, indstilling, sagsfremstilling …)
    paragraph: int = 0              # the paragraph of a remark or statement, 1-based
    quote: str = ""                 # the document's own words, where the page shows something else
    quote_lang: str | None = None
    note: str = ""                  # an editor's note on the statement
    basis: Term | None = None       # what the editor relied on
    basis_text: str = ""            # its words
    rule: str = ""                  # how kg derived a link (LINK_RULES)


def value_key(value: Value | Node | str) -> str:
    """One key for an object, whether it comes from a page's :class:`Value`, a query row or a string."""
    if isinstance(value, Value):
        if value.kind == "iri" and value.term is not None:
            return value.term.iri
        return f"{value.text}@{value.lang or ''}"
    if isinstance(value, Literal):
        return f"{value}@{value.language or ''}"
    return str(value)


@dataclass
class Provenance:
    """The marks of the statements of a page's resources, looked up by subject, property and value."""

    marks: dict[tuple[str, str], dict[str, list[Mark]]] = field(default_factory=dict)

    def of(self, subject: str, predicate: str, value: Value | Node | str | None = None) -> list[Mark]:
        """The marks of one statement, or of every value of the property when ``value`` is None."""
        found = self.marks.get((subject, predicate), {})
        if value is not None:
            return found.get(value_key(value), [])
        return _distinct(m for marks in found.values() for m in marks)

    def stated(self, subject: str, predicate: str, values: list[Value]) -> list[Value]:
        """The values some source states, not only inference (a record lists those; the statements
        table lists all)."""
        return [v for v in values
                if not (marks := self.of(subject, predicate, v)) or any(m.kind != "inferred" for m in marks)]

    def kinds(self) -> list[str]:
        """The kinds of source on the page (for the legend)."""
        seen = {m.kind for by_value in self.marks.values() for ms in by_value.values() for m in ms}
        return [k for k in KINDS if k in seen]


def _distinct(marks: Iterable[Mark]) -> list[Mark]:
    """Marks without repeats of the same source and place (several values share one passage)."""
    out: dict[tuple[object, ...], Mark] = {}
    for m in marks:
        key = (m.kind, m.graph, m.item.iri if m.item else "", m.part.iri if m.part else "", m.paragraph,
               m.quote, m.note, m.rule)
        out.setdefault(key, m)
    return sorted(out.values(), key=lambda m: (KINDS.index(m.kind), m.graph, m.item_number, m.paragraph))


# -- building ---------------------------------------------------------------------------------------

Rows = list[tuple[str, str, Node, str]]


def provenance(store: Store, labeller: Labeller, subjects: Iterable[str]) -> Provenance:
    """The marks of every statement whose subject is one of ``subjects``."""
    nodes = [s for s in dict.fromkeys(subjects) if s]
    if not nodes:
        return Provenance()
    minter = Minter(store.base_iri)
    rows: Rows = []
    for start in range(0, len(nodes), 200):
        text = render("browse/statement-graphs", nodes=" ".join(iri(n) for n in nodes[start:start + 200]),
                      meta=iri(minter.meta_graph()))
        rows += [(str(r["s"]), str(r["p"]), r["o"], str(r["g"])) for r in store.select(text)]
    graphs = sorted({g for *_, g in rows})
    records = _records(store, graphs, minter.meta_graph())
    kinds = {g: source_kind(g, store.base_iri) for g in graphs}
    documents = {g: _document(g, minter) for g in graphs if kinds[g] in ("agenda", "minutes")}
    places = _Places(store, labeller, [s for s, _, _, g in rows if kinds[g] in ("agenda", "minutes")], rows)
    notes = _notes(store, labeller, [s for s, _, _, g in rows if kinds[g] == "editorial"])
    labeller.terms([d for d in documents.values() if d])
    out = Provenance()
    for s, p, o, g in rows:
        kind = kinds[g]
        source, loaded = records.get(g, (None, None))
        mark = Mark(kind, g, source, loaded)
        if kind in ("agenda", "minutes"):
            doc = documents.get(g)
            mark = places.mark(mark, s, p, labeller.term(doc) if doc else None)
        elif kind == "editorial":
            note, basis, basis_text = notes.get((s, p, value_key(o)), ("", None, ""))
            mark = Mark(kind, g, source, loaded, note=note, basis=basis, basis_text=basis_text)
        elif kind == "links":
            quote, quote_lang = places.wording(s, p)
            mark = Mark(kind, g, source, loaded, rule=LINK_RULES.get(p, ""), quote=quote,
                        quote_lang=quote_lang)
        out.marks.setdefault((s, p), {}).setdefault(value_key(o), []).append(mark)
    for by_value in out.marks.values():
        for key, marks in by_value.items():
            by_value[key] = _distinct(marks)
    return out


def _records(store: Store, graphs: list[str], meta: str) -> dict[str, tuple[str | None, str | None]]:
    """Source file and load time of each graph, from its PROV record."""
    records: dict[str, dict[str, str]] = {}
    for start in range(0, len(graphs), 200):
        text = render("browse/graph-records", graphs=" ".join(iri(g) for g in graphs[start:start + 200]),
                      meta=iri(meta))
        records.update(record_fields((str(r["g"]), str(r["p"]), str(r["o"])) for r in store.select(text)))
    return {g: (v.get("source"), v.get("loaded_at")) for g, v in records.items()}


def _document(graph: str, minter: Minter) -> str | None:
    """The meeting an agenda's or minutes' graph is of: ``graph/agendas/{body}/{date}`` names it."""
    parts = graph[len(minter.base) + 1:].split("/")
    if len(parts) == 4 and parts[0] == "graph":
        return minter.meeting(parts[2], parts[3])
    return None


def _notes(store: Store, labeller: Labeller, subjects: list[str]) -> dict[tuple[str, str, str],
                                                                          tuple[str, Term | None, str]]:
    """The editor's note, basis and the basis's words for single curated statements."""
    subjects = list(dict.fromkeys(subjects))
    found: dict[tuple[str, str, str], dict[str, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for start in range(0, len(subjects), 200):
        text = render("browse/statement-notes", nodes=" ".join(iri(s) for s in subjects[start:start + 200]))
        for r in store.select(text):
            key = (str(r["s"]), str(r["p"]), value_key(r["o"]))
            for name in ("note", "basis", "basisText"):
                if r.get(name) is not None and r[name] not in found[key][name]:
                    found[key][name].append(r[name])
    labeller.terms([str(b) for v in found.values() for b in v["basis"] if isinstance(b, URIRef)])
    out = {}
    for key, v in found.items():
        note = literal_in([n for n in v["note"] if isinstance(n, Literal)], labeller.lang)
        basis = next((labeller.term(str(b)) for b in v["basis"] if isinstance(b, URIRef)), None)
        words = literal_in([t for t in v["basisText"] if isinstance(t, Literal)], labeller.lang)
        out[key] = ("" if note is None else str(note), basis, "" if words is None else str(words))
    return out


class _Places:
    """The place in its agenda (or minutes) each subject is printed at: item, part, paragraph.

    The document's structure decides it: a recommendation stands under its item's *indstilling*, an
    attachment under *bilag*; a board decision, its remarks and statements under the *sagsfremstilling*
    of the item that reports on the board's meeting; a minutes decision under its item's *beslutning*.
    """

    def __init__(self, store: Store, labeller: Labeller, subjects: list[str], rows: Rows) -> None:
        self.labeller = labeller
        self.minter = Minter(store.base_iri)
        subjects = list(dict.fromkeys(subjects))
        self.types: dict[str, set[str]] = defaultdict(set)
        self.values: dict[tuple[str, str], list[Node]] = defaultdict(list)
        for s, p, o, _ in rows:
            if p == str(RDF.type):
                self.types[s].add(str(o))
            self.values[(s, p)].append(o)
        self.item: dict[str, str] = {}
        self.part: dict[str, str] = {}
        self.paragraph: dict[str, int] = {}
        self.dfacts: dict[str, dict[str, list[Node]]] = {}
        self.numbers: dict[str, str] = {}
        if not subjects:
            return
        up = backward(store, subjects, [KG.hasRecommendation, KG.hasAttachment, KG.remark, KG.statement,
                                        KG.reportsOn, KG.case, KG.responsibleOfficer])
        decisions = {s: self._one(up[s], KG.remark) or self._one(up[s], KG.statement) for s in subjects}
        decision_iris = [d for d in decisions.values() if d] + [s for s in subjects
                                                                 if self._is(s, BESLUIT.Besluit)]
        dfacts = forward(store, decision_iris, [KG.decisionOn, KG.decidedAt, KG.statedAs, SCHEMA.position,
                                                KG.proposalTitle])
        meetings = [str(m) for d in decision_iris for m in dfacts[d][str(KG.decidedAt)]]
        reporters = backward(store, meetings, [KG.reportsOn])
        self.dfacts = dfacts
        for s in subjects:
            item, part = None, None
            if self._is(s, BESLUIT.Agendapunt):
                item = s
            elif self._is(s, KG.Recommendation):
                item, part = self._one(up[s], KG.hasRecommendation), "indstilling"
            elif self._is(s, KG.Attachment) or self._is(s, FOAF.Document):
                item, part = self._one(up[s], KG.hasAttachment), "bilag"
            elif decisions.get(s) or self._is(s, BESLUIT.Besluit):
                d = decisions.get(s) or s
                on = self._first(dfacts[d][str(KG.decisionOn)])
                if on:
                    item, part = on, "beslutning"
                else:
                    m = self._first(dfacts[d][str(KG.decidedAt)])
                    item = self._one(reporters[m], KG.reportsOn) if m else None
                    part = "sagsfremstilling"
                if decisions.get(s):
                    position = self.values.get((s, str(SCHEMA.position)))
                    self.paragraph[s] = _int(position[0]) if position else 0
            elif self._is(s, BESLUIT.Zitting):
                item, part = self._one(up[s], KG.reportsOn), "sagsfremstilling"
            else:  # a case, a person: the heading of the first item that names it
                item = self._one(up[s], KG.case) or self._one(up[s], KG.responsibleOfficer)
            if item:
                self.item[s] = item
            if part:
                self.part[s] = part
        numbers = forward(store, list(set(self.item.values())), [KG.number])
        self.numbers = {i: str(numbers[i][str(KG.number)][0]) for i in self.item.values()
                        if numbers[i][str(KG.number)]}
        labeller.terms(list(self.item.values()) + [self._part_iri(p) for p in _ITEM_PARTS.values()]
                       + [self._part_iri("beslutning")])

    def _is(self, s: str, cls: URIRef) -> bool:
        return str(cls) in self.types.get(s, ())

    @staticmethod
    def _first(values: list[Node]) -> str | None:
        iris = sorted(str(v) for v in values if isinstance(v, URIRef))
        return iris[0] if iris else None

    def _one(self, facts: dict[str, list[Node]], predicate: URIRef) -> str | None:
        return self._first(facts.get(str(predicate), []))

    def _part_iri(self, slug: str) -> str:
        return self.minter.concept("agenda-item-part", slug)

    def mark(self, mark: Mark, s: str, p: str, document: Term | None) -> Mark:
        """``mark`` with the document, the item, the part and the wording of the statement ``(s, p)``."""
        item = self.item.get(s)
        part = self.part.get(s) or (_ITEM_PARTS.get(p) if item == s else None)
        quote, quote_lang = self.wording(s, p)
        return Mark(mark.kind, mark.graph, mark.file, mark.loaded, document=document,
                    item=self.labeller.term(item) if item else None,
                    item_number=self.numbers.get(item or "", ""),
                    part=self.labeller.term(self._part_iri(part)) if part else None,
                    paragraph=self.paragraph.get(s, 0), quote=quote, quote_lang=quote_lang)

    def wording(self, s: str, p: str) -> tuple[str, str | None]:
        """The document's own words (and their language) for a statement the page shows in other words:
        an outcome or a resolution's kind as a concept, a link made from a title.  ``("", None)`` else."""
        def pick(predicate: URIRef) -> Literal | None:
            values = self.values.get((s, str(predicate))) or self.dfacts.get(s, {}).get(str(predicate), [])
            return literal_in([v for v in values if isinstance(v, Literal)], self.labeller.lang)

        chosen = None
        if p in (str(KG.outcome), str(KG.recommendationKind)):
            chosen = pick(KG.statedAs)
            if chosen is None and p == str(KG.recommendationKind):
                chosen = pick(RDF.value)
        elif p in (str(KG.approves), str(DCTERMS.subject)):
            chosen = pick(KG.proposalTitle)
        return ("", None) if chosen is None else (str(chosen), chosen.language)


def _int(node: Node) -> int:
    try:
        return int(str(node))
    except ValueError:
        return 0
