"""Pages shaped for the domain: the sections a meeting, an item, a case, a decision, a product,
a dataset, a concept scheme, a concept or an agent shows on top of the generic page.

(About 1 000 lines, and a candidate for splitting by page type: the sections of one page use the
others' shaping (a meeting's decisions are shaped as a decision page's, an item's trail as a
product's), so each part would import most of the rest; until the shared shaping has a module of
its own, it stays one.)

Each section is one query from ``kg/queries/browse/`` with the page's IRIs bound first
(``VALUES``), so its cost does not grow with the store.  Sections hold :class:`Term`
objects (IRI + label in the reader's language) and plain strings; the templates lay
them out.  A section that finds nothing is left out, so pages show what exists and
degrade gracefully while parts of the graph are still being loaded.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.iris import Minter
from kg.namespaces import (
    ADMS,
    BESLUIT,
    CV,
    DCAT,
    DCTERMS,
    FOAF,
    KG,
    MDL,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SH,
    SKOS,
)
from kg.pages.facts import Facts, backward, forward
from kg.pages.labels import Labeller, literal_in, readable
from kg.pages.model import PropertyValues, ResourcePage, Term
from kg.pages.sources import provenance
from kg.pages.text import blocks
from kg.queries import iri, render
from kg.store.base import Store

#: The page kind of each type; the first type of a resource found here decides its page.
KINDS: tuple[tuple[str, str], ...] = (
    (str(BESLUIT.Zitting), "meeting"), (str(BESLUIT.Agendapunt), "item"), (str(KG.Case), "case"),
    (str(BESLUIT.Besluit), "decision"), (str(KG.ArchitectureProduct), "product"),
    (str(DCAT.Dataset), "dataset"), (str(DCAT.DataService), "dataset"),
    (str(SKOS.ConceptScheme), "scheme"), (str(SKOS.Concept), "concept"),
    (str(KG.GoverningBody), "organisation"), (str(ORG.Organization), "organisation"),
    (str(FOAF.Organization), "organisation"), (str(FOAF.Person), "person"), (str(OWL.Ontology), "ontology"),
)

#: The agenda item's text sections, in the order the agenda prints them.
ITEM_TEXTS = (str(DCTERMS.description), str(KG.background), str(KG.recommendationText),
              str(KG.caseDescription))
SEVERITIES = {str(SH.Violation): "violation", str(SH.Warning): "warning", str(SH.Info): "info"}


def kind_of(types: list[str]) -> str:
    present = set(types)
    return next((kind for cls, kind in KINDS if cls in present), "resource")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a decision's remarks or statement: its own IRI (its source mark hangs on it),
    its text and its place in the document."""

    iri: str
    text: str
    position: int = 0
    lang: str | None = None

    def __str__(self) -> str:
        return self.text


@dataclass
class Recommendation:
    term: Term
    text: str
    kind: Term | None = None
    #: The body's decision that answers it (from the minutes), and that decision's outcome.
    decision: Term | None = None
    outcome: Term | None = None


@dataclass
class ItemDecision:
    """What the minutes record the body decided on an item."""

    term: Term
    outcome: Term | None = None
    text: str = ""
    remarks: list[Paragraph] = field(default_factory=list)


@dataclass
class Attachment:
    term: Term
    title: str
    date: str | None = None


@dataclass
class AgendaItem:
    """One row of an agenda (meeting page) or of a case's history (case page)."""

    term: Term
    number: str = ""
    title: str = ""
    title_lang: str | None = None
    position: int = 0
    case: Term | None = None
    case_id: str = ""
    #: Every case the item is filed under, in case-number order (``case`` is the first).
    cases: list[Term] = field(default_factory=list)
    officers: list[Term] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    outcomes: list[Term] = field(default_factory=list)
    meeting: Term | None = None
    date: str = ""
    body: Term | None = None
    section: str = ""
    decision: ItemDecision | None = None


@dataclass
class AgendaSection:
    term: Term | None
    number: str
    title: str
    position: int
    items: list[AgendaItem] = field(default_factory=list)
    title_lang: str | None = None


@dataclass
class Decision:
    term: Term
    position: int = 0
    product: Term | None = None
    proposal: str = ""
    outcome: Term | None = None
    meeting: Term | None = None
    date: str = ""
    body: Term | None = None
    remarks: list[Paragraph] = field(default_factory=list)
    statements: list[Paragraph] = field(default_factory=list)
    reported_in: list[Term] = field(default_factory=list)
    reported_on: str = ""                                # the date of the meeting that reported it
    cases: list[Term] = field(default_factory=list)      # the cases of the items that reported it
    text: str = ""                                       # a minutes decision's own text
    item: Term | None = None                             # the item a minutes decision is on


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


def _text(node: Node | None) -> str:
    return "" if node is None else str(node)


def _int(node: Node | None) -> int:
    try:
        return int(str(node))
    except (TypeError, ValueError):
        return 0


def _pick(literals: list[Node], lang: str) -> str:
    chosen = literal_in([v for v in literals if isinstance(v, Literal)], lang)
    return "" if chosen is None else str(chosen)


def _pick_lang(literals: list[Node], lang: str) -> str | None:
    """The language of the literal :func:`_pick` chooses (so a page can mark a text in another language)."""
    chosen = literal_in([v for v in literals if isinstance(v, Literal)], lang)
    return None if chosen is None else chosen.language


def _date(node: Node | None) -> str:
    """The date part of a date or date-time literal (what the pages print)."""
    return _text(node)[:10]


def _number_key(number: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in number.split(".") if p)
    except ValueError:
        return (10**6,)


# -- fetching facts in batches (kg.pages.facts) -------------------------------------------------------


def _iris(values: list[Node]) -> list[str]:
    return [str(v) for v in values if isinstance(v, URIRef)]


def _first(facts: Facts, s: str, p: URIRef) -> Node | None:
    values = facts.get(s, {}).get(str(p), [])
    return values[0] if values else None


# -- agenda items (meeting, case) ---------------------------------------------------------------

ITEM_PREDICATES = [KG.number, SCHEMA.position, DCTERMS.title, KG.inSection, KG.case, KG.responsibleOfficer,
                   KG.hasRecommendation, KG.hasAttachment, KG.outcome]
PART_PREDICATES = [DCTERMS.identifier, SCHEMA.position, RDF.value, KG.recommendationKind, DCTERMS.title,
                   DCTERMS.date]


def paragraphs(store: Store, owners: list[str], predicate: URIRef) -> dict[str, list[Paragraph]]:
    """The remark or statement paragraphs of each decision, in the document's order (``schema:position``).

    Paragraphs are resources with ``rdf:value``; a plain literal value (older data) is kept too,
    after the ordered ones."""
    found = forward(store, owners, [predicate])
    nodes = [n for o in owners for n in _iris(found[o][str(predicate)])]
    values = forward(store, nodes, [RDF.value, SCHEMA.position])
    out: dict[str, list[Paragraph]] = {}
    for owner in owners:
        listed = found[owner][str(predicate)]
        ordered = sorted(_iris(listed), key=lambda n: (_int(_first(values, n, SCHEMA.position)), n))
        out[owner] = [_paragraph(n, values) for n in ordered] + \
            [Paragraph("", str(v), 0, v.language) for v in sorted(listed, key=str) if isinstance(v, Literal)]
    return out


def _paragraph(node: str, values: Facts) -> Paragraph:
    text = _first(values, node, RDF.value)
    return Paragraph(node, _text(text), _int(_first(values, node, SCHEMA.position)),
                     text.language if isinstance(text, Literal) else None)


def item_decisions(store: Store, item_iris: list[str], labeller: Labeller) -> dict[str, ItemDecision]:
    """The minutes' decision on each item (``kg:decisionOn``), with the recommendations it answers."""
    back = backward(store, item_iris, [KG.decisionOn])
    decision_of = {i: found[0] for i in item_iris if (found := _iris(back[i][str(KG.decisionOn)]))}
    decided = list(decision_of.values())
    facts = forward(store, decided, [KG.outcome, RDF.value])
    remarks = paragraphs(store, decided, KG.remark)
    labeller.terms(decided + [o for d in decided for o in _iris(facts[d][str(KG.outcome)])])
    out = {}
    for i, d in decision_of.items():
        outcome = _first(facts, d, KG.outcome)
        out[i] = ItemDecision(labeller.term(d),
                              labeller.term(str(outcome)) if isinstance(outcome, URIRef) else None,
                              _pick(facts[d][str(RDF.value)], labeller.lang), remarks[d])
    return out


def _answers(store: Store, recommendation_iris: list[str]) -> dict[str, str]:
    """The decision (from minutes) that answers each recommendation."""
    back = backward(store, recommendation_iris, [KG.respondsTo])
    return {r: found[0] for r in recommendation_iris if (found := _iris(back[r][str(KG.respondsTo)]))}


def _outcomes(store: Store, item_iris: list[str], facts: Facts) -> dict[str, set[str]]:
    """What came of each item: an outcome on it, on its treatment, on a decision the treatment made, or
    on the minutes' decision on it."""
    treatments = backward(store, item_iris, [DCTERMS.subject, KG.decisionOn])
    treatment_iris = [t for i in item_iris for t in _iris(treatments[i][str(DCTERMS.subject)])]
    tfacts = forward(store, treatment_iris, [KG.outcome, PROV.generated])
    generated = [d for t in treatment_iris for d in _iris(tfacts[t][str(PROV.generated)])]
    dfacts = forward(store, generated, [KG.outcome])
    out: dict[str, set[str]] = {}
    decided = [d for i in item_iris for d in _iris(treatments[i][str(KG.decisionOn)])]
    minutes = forward(store, decided, [KG.outcome])
    for i in item_iris:
        found = set(_iris(facts[i][str(KG.outcome)]))
        for d in _iris(treatments[i][str(KG.decisionOn)]):
            found.update(_iris(minutes[d][str(KG.outcome)]))
        for t in _iris(treatments[i][str(DCTERMS.subject)]):
            found.update(_iris(tfacts[t][str(KG.outcome)]))
            for d in _iris(tfacts[t][str(PROV.generated)]):
                found.update(_iris(dfacts[d][str(KG.outcome)]))
        out[i] = found
    return out


def agenda_items(store: Store, labeller: Labeller, item_iris: list[str]) -> dict[str, AgendaItem]:
    """Agenda items with numbers, titles, cases, officers, recommendations, attachments and outcomes."""
    lang = labeller.lang
    facts = forward(store, item_iris, ITEM_PREDICATES)
    parts = [v for i in item_iris for p in (KG.case, KG.hasRecommendation, KG.hasAttachment)
             for v in _iris(facts[i][str(p)])]
    details = forward(store, parts, PART_PREDICATES)
    outcomes = _outcomes(store, item_iris, facts)
    decisions = item_decisions(store, item_iris, labeller)
    answers = _answers(store, [r for i in item_iris for r in _iris(facts[i][str(KG.hasRecommendation)])])
    labeller.terms(item_iris + parts
                   + [o for i in item_iris for o in _iris(facts[i][str(KG.responsibleOfficer)])]
                   + [k for x in parts for k in _iris(details[x][str(KG.recommendationKind)])]
                   + [o for found in outcomes.values() for o in found])
    items: dict[str, AgendaItem] = {}
    for i in item_iris:
        f = facts[i]
        term = labeller.term(i)
        item = AgendaItem(term, number=_text(_first(facts, i, KG.number)),
                          title=_pick(f[str(DCTERMS.title)], lang) or term.label.text,
                          title_lang=_pick_lang(f[str(DCTERMS.title)], lang) or term.label.lang,
                          position=_int(_first(facts, i, SCHEMA.position)),
                          section=_text(_first(facts, i, KG.inSection)))
        cases = sorted(_iris(f[str(KG.case)]),
                       key=lambda c: (_text(_first(details, c, DCTERMS.identifier)), c))
        if cases:
            item.case = labeller.term(cases[0])
            item.case_id = _text(_first(details, cases[0], DCTERMS.identifier))
            item.cases = [labeller.term(c) for c in cases]
        item.officers = sorted((labeller.term(o) for o in _iris(f[str(KG.responsibleOfficer)])),
                               key=lambda x: x.label.text)
        recs = sorted(_iris(f[str(KG.hasRecommendation)]),
                      key=lambda r: (_int(_first(details, r, SCHEMA.position)), r))
        item.decision = decisions.get(i)
        for r in recs:
            kind = _first(details, r, KG.recommendationKind)
            recommendation = Recommendation(labeller.term(r), _pick(details[r][str(RDF.value)], lang),
                                            labeller.term(str(kind)) if isinstance(kind, URIRef) else None)
            if r in answers and item.decision is not None and item.decision.term.iri == answers[r]:
                recommendation.decision, recommendation.outcome = item.decision.term, item.decision.outcome
            item.recommendations.append(recommendation)
        atts = sorted(_iris(f[str(KG.hasAttachment)]),
                      key=lambda a: (_int(_first(details, a, SCHEMA.position)), a))
        item.attachments = [Attachment(labeller.term(a), _pick(details[a][str(DCTERMS.title)], lang),
                                       _text(_first(details, a, DCTERMS.date)) or None) for a in atts]
        item.outcomes = [labeller.term(o) for o in sorted(outcomes[i])]
        items[i] = item
    return items


def _ordered(items: list[AgendaItem]) -> list[AgendaItem]:
    return sorted(items, key=lambda it: (it.position or 10**6, _number_key(it.number), it.term.iri))


def meeting_agenda(store: Store, meeting: str, labeller: Labeller) -> list[AgendaSection]:
    """The agenda of a meeting in order, by section, each item with its details."""
    top = forward(store, [meeting], [BESLUIT.behandelt, KG.hasSection])
    section_iris = _iris(top[meeting][str(KG.hasSection)])
    sections = forward(store, section_iris, [KG.sectionItem, KG.number, DCTERMS.title, SCHEMA.position])
    listed = [i for s in section_iris for i in _iris(sections[s][str(KG.sectionItem)])]
    item_iris = list(dict.fromkeys(_iris(top[meeting][str(BESLUIT.behandelt)]) + listed))
    items = agenda_items(store, labeller, item_iris)
    labeller.terms(section_iris)
    placed: set[str] = set()
    out = []
    for s in section_iris:
        listed = set(_iris(sections[s][str(KG.sectionItem)]))
        members = [it for i, it in items.items() if i in listed or it.section == s]
        placed.update(m.term.iri for m in members)
        out.append(AgendaSection(labeller.term(s), _text(_first(sections, s, KG.number)),
                                 _pick(sections[s][str(DCTERMS.title)], labeller.lang),
                                 _int(_first(sections, s, SCHEMA.position)), _ordered(members),
                                 _pick_lang(sections[s][str(DCTERMS.title)], labeller.lang)))
    loose = [it for i, it in items.items() if i not in placed]
    if loose:
        out.append(AgendaSection(None, "", "", 10**6, _ordered(loose)))
    return sorted(out, key=lambda s: (s.position or _number_key(s.number)[0], s.number))


def meetings_of(store: Store, item_iris: list[str]) -> dict[str, str]:
    """The meeting of each item (through besluit:behandelt, or its section's kg:hasSection)."""
    direct = backward(store, item_iris, [BESLUIT.behandelt, KG.sectionItem])
    out: dict[str, str] = {}
    sections: dict[str, str] = {}
    for i in item_iris:
        meetings = _iris(direct[i][str(BESLUIT.behandelt)])
        if meetings:
            out[i] = meetings[0]
        for s in _iris(direct[i][str(KG.sectionItem)]):
            sections.setdefault(i, s)
    missing = {i: s for i, s in sections.items() if i not in out}
    if missing:
        up = backward(store, list(missing.values()), [KG.hasSection])
        for i, s in missing.items():
            meetings = _iris(up[s][str(KG.hasSection)])
            if meetings:
                out[i] = meetings[0]
    return out


def case_items(store: Store, case: str, labeller: Labeller) -> list[AgendaItem]:
    """Every item of a case across meetings, oldest meeting first."""
    item_iris = _iris(backward(store, [case], [KG.case])[case][str(KG.case)])
    items = agenda_items(store, labeller, item_iris)
    meeting_of = meetings_of(store, item_iris)
    mfacts = forward(store, list(meeting_of.values()), [BESLUIT.geplandeStart, BESLUIT.isGehoudenDoor])
    labeller.terms(list(meeting_of.values()) + [b for m in meeting_of.values()
                                                for b in _iris(mfacts[m][str(BESLUIT.isGehoudenDoor)])])
    for i, item in items.items():
        m = meeting_of.get(i)
        if m is None:
            continue
        item.meeting = labeller.term(m)
        item.date = _date(_first(mfacts, m, BESLUIT.geplandeStart))
        body = _first(mfacts, m, BESLUIT.isGehoudenDoor)
        item.body = labeller.term(str(body)) if isinstance(body, URIRef) else None
    return sorted(items.values(), key=lambda i: (i.date, _number_key(i.number)))


# -- decisions ----------------------------------------------------------------------------------

def decisions_detail(store: Store, decision_iris: list[str], labeller: Labeller) -> list[Decision]:
    """Decisions with meeting, date, body, what they approve, outcome, remarks, and the items reporting."""
    lang = labeller.lang
    decision_iris = list(dict.fromkeys(decision_iris))
    facts = forward(store, decision_iris, [SCHEMA.position, KG.approves, KG.proposalTitle, KG.outcome,
                                           KG.decidedAt, RDF.value, KG.decisionOn])
    remarks = paragraphs(store, decision_iris, KG.remark)
    statements = paragraphs(store, decision_iris, KG.statement)
    meetings = [m for d in decision_iris for m in _iris(facts[d][str(KG.decidedAt)])]
    mfacts = forward(store, meetings, [BESLUIT.geplandeStart, BESLUIT.isGehoudenDoor])
    reporters = backward(store, meetings, [KG.reportsOn])
    reporting = [i for m in meetings for i in _iris(reporters[m][str(KG.reportsOn)])]
    cases = forward(store, reporting, [KG.case])
    reporting_meeting = meetings_of(store, reporting)
    rdates = forward(store, list(set(reporting_meeting.values())), [BESLUIT.geplandeStart])
    labeller.terms(decision_iris + meetings + [c for i in reporting for c in _iris(cases[i][str(KG.case)])]
                   + [x for d in decision_iris for p in (KG.approves, KG.outcome, KG.decisionOn)
                      for x in _iris(facts[d][str(p)])]
                   + [x for m in meetings for x in _iris(mfacts[m][str(BESLUIT.isGehoudenDoor)])]
                   + [x for m in meetings for x in _iris(reporters[m][str(KG.reportsOn)])])
    out = []
    for d in decision_iris:
        f = facts[d]
        dec = Decision(labeller.term(d), position=_int(_first(facts, d, SCHEMA.position)),
                       proposal=_pick(f[str(KG.proposalTitle)], lang))
        products, outcome = _iris(f[str(KG.approves)]), _iris(f[str(KG.outcome)])
        dec.product = labeller.term(products[0]) if products else None
        dec.outcome = labeller.term(outcome[0]) if outcome else None
        dec.remarks, dec.statements = remarks[d], statements[d]
        dec.text = _pick(f[str(RDF.value)], lang)
        on = _iris(f[str(KG.decisionOn)])
        dec.item = labeller.term(on[0]) if on else None
        ms = _iris(f[str(KG.decidedAt)])
        if ms:
            m = ms[0]
            dec.meeting, dec.date = labeller.term(m), _date(_first(mfacts, m, BESLUIT.geplandeStart))
            body = _first(mfacts, m, BESLUIT.isGehoudenDoor)
            dec.body = labeller.term(str(body)) if isinstance(body, URIRef) else None
            items = sorted(set(_iris(reporters[m][str(KG.reportsOn)])))
            dec.reported_in = [labeller.term(i) for i in items]
            dec.reported_on = min((_date(_first(rdates, reporting_meeting[i], BESLUIT.geplandeStart))
                                   for i in items if i in reporting_meeting), default="")
            case_iris = dict.fromkeys(c for i in items for c in _iris(cases[i][str(KG.case)]))
            dec.cases = [labeller.term(c) for c in case_iris]
        out.append(dec)
    return sorted(out, key=lambda d: (d.date, d.position, d.term.iri))


def meeting_decisions(store: Store, meetings: list[str], labeller: Labeller) -> list[Decision]:
    """The decisions taken at these meetings, in date and list order."""
    found = backward(store, meetings, [KG.decidedAt])
    decisions = [d for m in meetings for d in _iris(found[m][str(KG.decidedAt)])]
    return decisions_detail(store, decisions, labeller)


def product_approvals(store: Store, product: str, labeller: Labeller) -> list[Decision]:
    """Who approved a product, when, with which outcome and remarks, and which item reported it."""
    out = forward(store, [product], [KG.approvedBy])[product][str(KG.approvedBy)]
    back = backward(store, [product], [KG.approves])[product][str(KG.approves)]
    return decisions_detail(store, _iris(out) + _iris(back), labeller)


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
        value = _text(row.get("value"))
        kind = str(row["kind"])
        metric = str(row["metric"]) if isinstance(row.get("metric"), URIRef) else None
        dim = str(row["dimension"]) if isinstance(row.get("dimension"), URIRef) else None
        if kind == "measurement":
            if metric == MQA_SCORE:
                score = _int(row.get("value"))
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
                bar.value, bar.stars = value, max(0, min(5, _int(row.get("value"))))
            bar.note = bar.note or _text(row.get("text"))
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
                        readable(_pick(messages[k], labeller.lang), labeller), _text(r.get("value")))
                for k, r in first.items()]
    order = {"violation": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: (order[f.severity], f.path.label.text if f.path else "", f.message))


def validated(store: Store) -> bool:
    """Whether a validation report has been stored (so "no findings" means "conforms")."""
    graph = Minter(store.base_iri).validation_graph()
    return store.ask(f"ASK {{ GRAPH {iri(graph)} {{ ?r ?p ?o }} }}")


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
        entry = found.setdefault(v, {"number": _int(row.get("number")), "date": _date(row.get("issued")),
                                     "source": _text(row.get("source"))})
        if row.get("note") is not None and row["note"] not in notes[v]:
            notes[v].append(row["note"])
        entry["number"] = entry["number"] or _int(row.get("number"))
    terms = labeller.terms(list(found))
    versions = [SchemeVersion(terms[v], int(e["number"]), str(e["date"]), str(e["source"]),  # type: ignore[call-overload]
                              [line for line in _pick(notes[v], labeller.lang).splitlines() if line.strip()])
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
        item.number = item.number or _text(row.get("number"))
        item.date = item.date or _date(row.get("issued"))
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
    notes = _literals(page, str(SKOS.changeNote), lang)

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


# -- agents ----------------------------------------------------------------------------------------

def agent_roles(store: Store, agent: str, labeller: Labeller) -> dict[str, list[Term]]:
    """An organisation's or person's roles and the items, meetings and datasets tied to it."""
    groups: dict[str, list[str]] = defaultdict(list)
    for row in store.select(render("browse/agent-roles", a=iri(agent))):
        if isinstance(row.get("x"), URIRef):
            groups[str(row["kind"])].append(str(row["x"]))
    terms = labeller.terms([x for xs in groups.values() for x in xs])
    return {k: sorted((terms[x] for x in dict.fromkeys(xs)), key=lambda t: t.label.text)
            for k, xs in sorted(groups.items())}


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


# -- putting a page together ------------------------------------------------------------------------

def _objects(page: ResourcePage, predicate: str) -> list[str]:
    return [v.term.iri for g in page.properties if g.predicate.iri == predicate for v in g.values if v.term]


def _literals_lang(page: ResourcePage, predicate: str, lang: str) -> tuple[list[str], str | None]:
    """Like :func:`_literals`, with the language the chosen paragraphs are in (for ``lang=`` in HTML)."""
    values = [v for g in page.properties if g.predicate.iri == predicate
              for v in g.values if v.kind == "literal"]
    wanted = [v for v in values if (v.lang or "") == lang] or [v for v in values if not v.lang] or values
    return [v.text for v in wanted], (wanted[0].lang if wanted else None)


def _literals(page: ResourcePage, predicate: str, lang: str) -> list[str]:
    """A literal property's paragraphs in the reader's language (else all there are)."""
    values = [v for g in page.properties if g.predicate.iri == predicate
              for v in g.values if v.kind == "literal"]
    wanted = [v for v in values if (v.lang or "") == lang] or [v for v in values if not v.lang] or values
    return [v.text for v in wanted]


def add_sections(store: Store, page: ResourcePage, labeller: Labeller, within: str = "") -> ResourcePage:
    """Add the domain sections for the page's kind (in place), where each statement comes from, and
    return the page."""
    kind, s, lang = page.kind, page.iri, labeller.lang
    sec = page.sections
    subjects: list[str] = [s]
    if kind == "meeting":
        sec["header"] = meeting_header(page, labeller)
        sec["agenda"] = meeting_agenda(store, s, labeller)
        sec["decisions"] = meeting_decisions(store, [s], labeller)
        subjects += [it.term.iri for section in sec["agenda"] for it in section.items]
        subjects += [d.term.iri for d in sec["decisions"]]
    elif kind == "item":
        meeting = meetings_of(store, [s]).get(s)
        if meeting is not None:
            sec["meeting"] = labeller.term(meeting)
            sec["date"] = _date(_first(forward(store, [meeting], [BESLUIT.geplandeStart]), meeting,
                                       BESLUIT.geplandeStart))
            subjects.append(meeting)
        sec["item"] = agenda_items(store, labeller, [s])[s]
        sec["texts"] = []
        for p in ITEM_TEXTS:
            paras, text_lang = _literals_lang(page, p, lang)
            if paras:
                parts = [b for para in paras for b in blocks(para)]
                sec["texts"].append((labeller.term(p), parts, text_lang, p))
        sec["missing"] = [labeller.term(c) for c in _objects(page, str(KG.missingContent))]
        sec["mentions"] = [labeller.term(m) for m in _objects(page, str(KG.mentions))]
        item = sec["item"]
        if item.cases:
            sec["case"] = item.cases[0]
            sec["cases"] = item.cases
            others = {o.term.iri: o for c in item.cases for o in case_items(store, c.iri, labeller)
                      if o.term.iri != s}
            sec["others"] = sorted(others.values(), key=lambda i: (i.date, _number_key(i.number)))
            sec["shared_number"] = [o for o in sec["others"] if meeting is not None and o.meeting is not None
                                    and o.meeting.iri == meeting]
        sec["reports"] = meeting_decisions(store, _objects(page, str(KG.reportsOn)), labeller)
        subjects += [r.term.iri for r in item.recommendations] + [a.term.iri for a in item.attachments]
        subjects += [d.term.iri for d in sec["reports"]]
        if item.decision is not None:
            subjects.append(item.decision.term.iri)
            subjects += [p.iri for p in item.decision.remarks if p.iri]
    elif kind == "case":
        sec["items"] = case_items(store, s, labeller)
        subjects += [it.term.iri for it in sec["items"]]
    elif kind == "decision":
        decisions = decisions_detail(store, [s], labeller)
        if decisions:
            sec["decision"] = decisions[0]
            sec["remarks"] = decisions[0].remarks
            sec["statement"] = decisions[0].statements
            subjects += [p.iri for p in decisions[0].remarks + decisions[0].statements if p.iri]
            if decisions[0].meeting is not None:
                subjects.append(decisions[0].meeting.iri)
    elif kind == "product":
        sec["approvals"] = product_approvals(store, s, labeller)
        sec["trail"] = trail(sec["approvals"])
        rows = store.select(render("browse/related-models", p=iri(s)))
        related = {str(r["x"]): (str(r["type"]) if r.get("type") is not None else "") for r in rows
                   if isinstance(r.get("x"), URIRef)}
        terms = labeller.terms(list(related))
        sec["models"] = sorted(((terms[x], t) for x, t in related.items()),
                               key=lambda xt: (xt[1], xt[0].label.text))
        sec["distributions"] = [labeller.term(d) for d in _objects(page, str(DCAT.distribution))]
        sec["quality"] = quality(store, s, labeller)
        sec["record"] = record(page, PRODUCT_RECORD)
        sec.update(for_search_engines(store, s, sec["distributions"], labeller))
        for d in sec["approvals"]:
            subjects += [d.term.iri] + [p.iri for p in d.remarks + d.statements if p.iri]
    elif kind == "dataset":
        sec["quality"] = quality(store, s, labeller)
        sec["validated"] = validated(store)
        sec["findings"] = validation_for(store, s, labeller)
        sec["distributions"] = [labeller.term(d) for d in _objects(page, str(DCAT.distribution))]
        sec["record"] = record(page, DATASET_RECORD)
        sec.update(for_search_engines(store, s, sec["distributions"], labeller))
    elif kind == "scheme":
        sec.update(scheme_concepts(store, s, labeller, within))
        sec["versions"] = scheme_versions(store, s, labeller)
        sec["withdrawn"] = scheme_withdrawn(store, s, labeller)
    elif kind == "concept":
        sec["withdrawal"] = concept_withdrawal(store, s, labeller)
        sec["history"] = concept_history(page, lang)
        sec["terms"] = concept_terms(page, lang)
        sec["notes"] = [(key, str(p), *_literals_lang(page, str(p), lang))
                        for key, p in (("definition", SKOS.definition), ("example", SKOS.example),
                                       ("comment", RDFS.comment), ("concept_source", DCTERMS.source))
                        if _literals(page, str(p), lang)]
        sec["usage"] = concept_usage(store, s, labeller)
        narrower = _iris(backward(store, [s], [SKOS.broader])[s][str(SKOS.broader)])
        links = {"broader": _objects(page, str(SKOS.broader)),
                 "narrower": list(dict.fromkeys(_objects(page, str(SKOS.narrower)) + narrower)),
                 "related": _objects(page, str(SKOS.related)), "scheme": _objects(page, str(SKOS.inScheme))}
        labeller.terms([x for xs in links.values() for x in xs])
        sec["links"] = {k: sorted((labeller.term(x) for x in xs), key=lambda x: x.label.text.lower())
                        for k, xs in links.items() if xs}
        sec["legal"] = [labeller.term(x) for x in _objects(page, str(CV.hasLegalResource))]
    elif kind in ("organisation", "person"):
        sec["roles"] = agent_roles(store, s, labeller)
    elif kind == "ontology":
        sec["terms"] = ontology_terms(store, s, labeller)
    page.provenance = provenance(store, labeller, subjects)
    page.types = shown_types(page)
    page.editorial_notes = _literals(page, str(SKOS.editorialNote), lang)
    return page


#: Types a page head does not show: what every resource of its kind is anyway (OWL RL adds them).
GENERIC_TYPES = frozenset(str(t) for t in (OWL.Thing, RDFS.Resource, PROV.Entity, DCAT.Resource))


def shown_types(page: ResourcePage) -> list[Term]:
    """The types the page head names: the asserted ones, not the generic classes inference adds."""
    prov = page.provenance
    shown = []
    for t in page.types:
        if t.iri in GENERIC_TYPES:
            continue
        marks = prov.of(page.iri, str(RDF.type), t.iri) if prov is not None else []
        if marks and all(m.kind == "inferred" for m in marks):
            continue
        shown.append(t)
    return shown or page.types[:1]


@dataclass
class MeetingHeader:
    """What a reader wants first of a meeting: when, where and by whom."""

    date: str = ""           # yyyy-mm-dd
    time: str = ""           # hh:mm, where the source gives a time
    place: str = ""
    place_lang: str | None = None
    body: Term | None = None
    ordinal: str = ""        # the body's count of its meetings ("18."), where given


def meeting_header(page: ResourcePage, labeller: Labeller) -> MeetingHeader:
    """Date, time, place and body of a meeting, from its own statements."""
    start = page.first(str(BESLUIT.geplandeStart))
    place = [v for g in page.properties if g.predicate.iri == str(BESLUIT.opLocatie) for v in g.values
             if v.kind == "literal"]
    chosen = next((v for v in place if v.lang in (None, labeller.lang)), place[0] if place else None)
    body = page.first(str(BESLUIT.isGehoudenDoor))
    ordinal = page.first(str(KG.ordinal))
    text = start.text if start is not None else ""
    return MeetingHeader(date=text[:10], time=text[11:16] if "T" in text else "",
                         place=chosen.text if chosen else "", place_lang=chosen.lang if chosen else None,
                         body=body.term if body is not None else None,
                         ordinal=ordinal.text if ordinal is not None else "")


#: The facts a product's page lists as its record, in this order (label, description and the
#: approval are shown elsewhere on the page).
PRODUCT_RECORD = tuple(str(p) for p in (
    DCTERMS.alternative, DCTERMS.identifier, OWL.versionInfo, URIRef(str(DCAT) + "version"), KG.productType,
    DCTERMS.publisher, DCTERMS.creator, DCAT.theme, DCTERMS.language, DCTERMS.issued, ADMS.status,
    KG.approvalStatus, KG.approvingBody, DCTERMS.relation, DCAT.landingPage, RDFS.seeAlso,
    DCTERMS.description,
))
#: The facts of a dataset's catalogue record, in the order a portal shows them.
DATASET_RECORD = tuple(str(p) for p in (
    DCTERMS.description, DCTERMS.publisher, DCAT.contactPoint, DCAT.theme, DCAT.keyword, DCTERMS.license,
    DCTERMS.accessRights, DCTERMS.accrualPeriodicity, DCTERMS.issued, DCTERMS.modified, DCAT.landingPage,
    DCTERMS.conformsTo,
))


def record(page: ResourcePage, predicates: tuple[str, ...]) -> list[PropertyValues]:
    """The page's statements of these properties, in this order, literals in the reader's language."""
    by = {g.predicate.iri: g for g in page.properties}
    return [by[p] for p in predicates if p in by]


#: Where IANA's media type IRIs start (``dcat:mediaType``); the rest is the media type itself.
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


def for_search_engines(store: Store, resource: str, distributions: list[Term],
                       labeller: Labeller) -> dict[str, object]:
    """The downloads and the catalogue of a dataset or product, as a schema.org ``Dataset`` names them."""
    facts = forward(store, [d.iri for d in distributions], [DCAT.downloadURL, DCAT.accessURL, DCAT.mediaType])
    downloads = []
    for d in distributions:
        url = _first(facts, d.iri, DCAT.downloadURL) or _first(facts, d.iri, DCAT.accessURL)
        if not isinstance(url, URIRef):
            continue
        entry = {"contentUrl": str(url), "name": d.label.text}
        media = _first(facts, d.iri, DCAT.mediaType)
        if isinstance(media, URIRef) and str(media).startswith(IANA_MEDIA_TYPES):
            entry["encodingFormat"] = str(media)[len(IANA_MEDIA_TYPES):]
        downloads.append(entry)
    catalogs = _iris(backward(store, [resource], [DCAT.dataset])[resource][str(DCAT.dataset)])
    catalog = None
    if catalogs:
        term = labeller.term(catalogs[0])
        catalog = {"@id": term.iri, "name": term.label.text}
    return {"downloads": downloads, "catalog": catalog}


@dataclass
class TrailEvent:
    """One step of a product's way through the council's bodies."""

    step: str                 # "proposed" | "decided" | "reported"
    date: str
    body: Term | None
    link: Term | None         # the decision, or the item that reported it
    outcome: Term | None = None
    text: str = ""            # the proposal's title, as the body's list gave it
    subject: str = ""         # the resource whose statement the source mark belongs to
    predicate: str = ""


def trail(approvals: list[Decision]) -> list[TrailEvent]:
    """Proposed, decided, reported: each decision on a product as dated steps, oldest first."""
    events = []
    for d in approvals:
        events.append(TrailEvent("proposed", d.date, d.body, d.term, text=d.proposal, subject=d.term.iri,
                                 predicate=str(KG.proposalTitle)))
        events.append(TrailEvent("decided", d.date, d.body, d.term, outcome=d.outcome, subject=d.term.iri,
                                 predicate=str(KG.outcome)))
        for item in d.reported_in:
            events.append(TrailEvent("reported", d.reported_on, None, item, subject=item.iri,
                                     predicate=str(KG.reportsOn)))
    order = {"proposed": 0, "decided": 1, "reported": 2}
    return sorted(events, key=lambda e: (e.date or "9999", order[e.step]))
