"""The agenda sections: a meeting's agenda, an item with its recommendations, attachments and decision,
a case's items across meetings."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from kg.namespaces import BESLUIT, DCTERMS, KG, PROV, RDF, SCHEMA
from kg.pages.domain.values import date_of, first, int_of, iris_of, number_key, pick, pick_lang, text_of
from kg.pages.facts import Facts, backward, forward
from kg.pages.labels import Labeller
from kg.pages.model import ResourcePage, Term
from kg.store.base import Store

#: The agenda item's text sections, in the order the agenda prints them.
ITEM_TEXTS = (str(DCTERMS.description), str(KG.background), str(KG.recommendationText),
              str(KG.caseDescription))


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
    nodes = [n for o in owners for n in iris_of(found[o][str(predicate)])]
    values = forward(store, nodes, [RDF.value, SCHEMA.position])
    out: dict[str, list[Paragraph]] = {}
    for owner in owners:
        listed = found[owner][str(predicate)]
        ordered = sorted(iris_of(listed), key=lambda n: (int_of(first(values, n, SCHEMA.position)), n))
        out[owner] = [_paragraph(n, values) for n in ordered] + \
            [Paragraph("", str(v), 0, v.language) for v in sorted(listed, key=str) if isinstance(v, Literal)]
    return out


def _paragraph(node: str, values: Facts) -> Paragraph:
    text = first(values, node, RDF.value)
    return Paragraph(node, text_of(text), int_of(first(values, node, SCHEMA.position)),
                     text.language if isinstance(text, Literal) else None)


def item_decisions(store: Store, item_iris: list[str], labeller: Labeller) -> dict[str, ItemDecision]:
    """The minutes' decision on each item (``kg:decisionOn``), with the recommendations it answers."""
    back = backward(store, item_iris, [KG.decisionOn])
    decision_of = {i: found[0] for i in item_iris if (found := iris_of(back[i][str(KG.decisionOn)]))}
    decided = list(decision_of.values())
    facts = forward(store, decided, [KG.outcome, RDF.value])
    remarks = paragraphs(store, decided, KG.remark)
    labeller.terms(decided + [o for d in decided for o in iris_of(facts[d][str(KG.outcome)])])
    out = {}
    for i, d in decision_of.items():
        outcome = first(facts, d, KG.outcome)
        out[i] = ItemDecision(labeller.term(d),
                              labeller.term(str(outcome)) if isinstance(outcome, URIRef) else None,
                              pick(facts[d][str(RDF.value)], labeller.lang), remarks[d])
    return out


def _answers(store: Store, recommendation_iris: list[str]) -> dict[str, str]:
    """The decision (from minutes) that answers each recommendation."""
    back = backward(store, recommendation_iris, [KG.respondsTo])
    return {r: found[0] for r in recommendation_iris if (found := iris_of(back[r][str(KG.respondsTo)]))}


def _outcomes(store: Store, item_iris: list[str], facts: Facts) -> dict[str, set[str]]:
    """What came of each item: an outcome on it, on its treatment, on a decision the treatment made, or
    on the minutes' decision on it."""
    treatments = backward(store, item_iris, [DCTERMS.subject, KG.decisionOn])
    treatment_iris = [t for i in item_iris for t in iris_of(treatments[i][str(DCTERMS.subject)])]
    tfacts = forward(store, treatment_iris, [KG.outcome, PROV.generated])
    generated = [d for t in treatment_iris for d in iris_of(tfacts[t][str(PROV.generated)])]
    dfacts = forward(store, generated, [KG.outcome])
    out: dict[str, set[str]] = {}
    decided = [d for i in item_iris for d in iris_of(treatments[i][str(KG.decisionOn)])]
    minutes = forward(store, decided, [KG.outcome])
    for i in item_iris:
        found = set(iris_of(facts[i][str(KG.outcome)]))
        for d in iris_of(treatments[i][str(KG.decisionOn)]):
            found.update(iris_of(minutes[d][str(KG.outcome)]))
        for t in iris_of(treatments[i][str(DCTERMS.subject)]):
            found.update(iris_of(tfacts[t][str(KG.outcome)]))
            for d in iris_of(tfacts[t][str(PROV.generated)]):
                found.update(iris_of(dfacts[d][str(KG.outcome)]))
        out[i] = found
    return out


def agenda_items(store: Store, labeller: Labeller, item_iris: list[str]) -> dict[str, AgendaItem]:
    """Agenda items with numbers, titles, cases, officers, recommendations, attachments and outcomes."""
    lang = labeller.lang
    facts = forward(store, item_iris, ITEM_PREDICATES)
    parts = [v for i in item_iris for p in (KG.case, KG.hasRecommendation, KG.hasAttachment)
             for v in iris_of(facts[i][str(p)])]
    details = forward(store, parts, PART_PREDICATES)
    outcomes = _outcomes(store, item_iris, facts)
    decisions = item_decisions(store, item_iris, labeller)
    answers = _answers(store, [r for i in item_iris for r in iris_of(facts[i][str(KG.hasRecommendation)])])
    labeller.terms(item_iris + parts
                   + [o for i in item_iris for o in iris_of(facts[i][str(KG.responsibleOfficer)])]
                   + [k for x in parts for k in iris_of(details[x][str(KG.recommendationKind)])]
                   + [o for found in outcomes.values() for o in found])
    items: dict[str, AgendaItem] = {}
    for i in item_iris:
        f = facts[i]
        term = labeller.term(i)
        item = AgendaItem(term, number=text_of(first(facts, i, KG.number)),
                          title=pick(f[str(DCTERMS.title)], lang) or term.label.text,
                          title_lang=pick_lang(f[str(DCTERMS.title)], lang) or term.label.lang,
                          position=int_of(first(facts, i, SCHEMA.position)),
                          section=text_of(first(facts, i, KG.inSection)))
        cases = sorted(iris_of(f[str(KG.case)]),
                       key=lambda c: (text_of(first(details, c, DCTERMS.identifier)), c))
        if cases:
            item.case = labeller.term(cases[0])
            item.case_id = text_of(first(details, cases[0], DCTERMS.identifier))
            item.cases = [labeller.term(c) for c in cases]
        item.officers = sorted((labeller.term(o) for o in iris_of(f[str(KG.responsibleOfficer)])),
                               key=lambda x: x.label.text)
        recs = sorted(iris_of(f[str(KG.hasRecommendation)]),
                      key=lambda r: (int_of(first(details, r, SCHEMA.position)), r))
        item.decision = decisions.get(i)
        for r in recs:
            kind = first(details, r, KG.recommendationKind)
            recommendation = Recommendation(labeller.term(r), pick(details[r][str(RDF.value)], lang),
                                            labeller.term(str(kind)) if isinstance(kind, URIRef) else None)
            if r in answers and item.decision is not None and item.decision.term.iri == answers[r]:
                recommendation.decision, recommendation.outcome = item.decision.term, item.decision.outcome
            item.recommendations.append(recommendation)
        atts = sorted(iris_of(f[str(KG.hasAttachment)]),
                      key=lambda a: (int_of(first(details, a, SCHEMA.position)), a))
        item.attachments = [Attachment(labeller.term(a), pick(details[a][str(DCTERMS.title)], lang),
                                       text_of(first(details, a, DCTERMS.date)) or None) for a in atts]
        item.outcomes = [labeller.term(o) for o in sorted(outcomes[i])]
        items[i] = item
    return items


def _ordered(items: list[AgendaItem]) -> list[AgendaItem]:
    return sorted(items, key=lambda it: (it.position or 10**6, number_key(it.number), it.term.iri))


def meeting_agenda(store: Store, meeting: str, labeller: Labeller) -> list[AgendaSection]:
    """The agenda of a meeting in order, by section, each item with its details."""
    top = forward(store, [meeting], [BESLUIT.behandelt, KG.hasSection])
    section_iris = iris_of(top[meeting][str(KG.hasSection)])
    sections = forward(store, section_iris, [KG.sectionItem, KG.number, DCTERMS.title, SCHEMA.position])
    listed = [i for s in section_iris for i in iris_of(sections[s][str(KG.sectionItem)])]
    item_iris = list(dict.fromkeys(iris_of(top[meeting][str(BESLUIT.behandelt)]) + listed))
    items = agenda_items(store, labeller, item_iris)
    labeller.terms(section_iris)
    placed: set[str] = set()
    out = []
    for s in section_iris:
        listed = set(iris_of(sections[s][str(KG.sectionItem)]))
        members = [it for i, it in items.items() if i in listed or it.section == s]
        placed.update(m.term.iri for m in members)
        out.append(AgendaSection(labeller.term(s), text_of(first(sections, s, KG.number)),
                                 pick(sections[s][str(DCTERMS.title)], labeller.lang),
                                 int_of(first(sections, s, SCHEMA.position)), _ordered(members),
                                 pick_lang(sections[s][str(DCTERMS.title)], labeller.lang)))
    loose = [it for i, it in items.items() if i not in placed]
    if loose:
        out.append(AgendaSection(None, "", "", 10**6, _ordered(loose)))
    return sorted(out, key=lambda s: (s.position or number_key(s.number)[0], s.number))


def meetings_of(store: Store, item_iris: list[str]) -> dict[str, str]:
    """The meeting of each item (through besluit:behandelt, or its section's kg:hasSection)."""
    direct = backward(store, item_iris, [BESLUIT.behandelt, KG.sectionItem])
    out: dict[str, str] = {}
    sections: dict[str, str] = {}
    for i in item_iris:
        meetings = iris_of(direct[i][str(BESLUIT.behandelt)])
        if meetings:
            out[i] = meetings[0]
        for s in iris_of(direct[i][str(KG.sectionItem)]):
            sections.setdefault(i, s)
    missing = {i: s for i, s in sections.items() if i not in out}
    if missing:
        up = backward(store, list(missing.values()), [KG.hasSection])
        for i, s in missing.items():
            meetings = iris_of(up[s][str(KG.hasSection)])
            if meetings:
                out[i] = meetings[0]
    return out


def case_items(store: Store, case: str, labeller: Labeller) -> list[AgendaItem]:
    """Every item of a case across meetings, oldest meeting first."""
    item_iris = iris_of(backward(store, [case], [KG.case])[case][str(KG.case)])
    items = agenda_items(store, labeller, item_iris)
    meeting_of = meetings_of(store, item_iris)
    mfacts = forward(store, list(meeting_of.values()), [BESLUIT.geplandeStart, BESLUIT.isGehoudenDoor])
    labeller.terms(list(meeting_of.values()) + [b for m in meeting_of.values()
                                                for b in iris_of(mfacts[m][str(BESLUIT.isGehoudenDoor)])])
    for i, item in items.items():
        m = meeting_of.get(i)
        if m is None:
            continue
        item.meeting = labeller.term(m)
        item.date = date_of(first(mfacts, m, BESLUIT.geplandeStart))
        body = first(mfacts, m, BESLUIT.isGehoudenDoor)
        item.body = labeller.term(str(body)) if isinstance(body, URIRef) else None
    return sorted(items.values(), key=lambda i: (i.date, number_key(i.number)))


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
