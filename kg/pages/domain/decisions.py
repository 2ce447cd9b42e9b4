"""Decisions: a body's decisions on products (with remarks and statements), the meetings that
reported them, and a product's trail of approvals."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from kg.namespaces import BESLUIT, KG, RDF, SCHEMA
from kg.pages.domain.agenda import Paragraph, meetings_of, paragraphs
from kg.pages.domain.values import date_of, first, int_of, iris_of, pick
from kg.pages.facts import backward, forward
from kg.pages.labels import Labeller
from kg.pages.model import Term
from kg.store.base import Store


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


# -- decisions ----------------------------------------------------------------------------------

def decisions_detail(store: Store, decision_iris: list[str], labeller: Labeller) -> list[Decision]:
    """Decisions with meeting, date, body, what they approve, outcome, remarks, and the items reporting."""
    lang = labeller.lang
    decision_iris = list(dict.fromkeys(decision_iris))
    facts = forward(store, decision_iris, [SCHEMA.position, KG.approves, KG.proposalTitle, KG.outcome,
                                           KG.decidedAt, RDF.value, KG.decisionOn])
    remarks = paragraphs(store, decision_iris, KG.remark)
    statements = paragraphs(store, decision_iris, KG.statement)
    meetings = [m for d in decision_iris for m in iris_of(facts[d][str(KG.decidedAt)])]
    mfacts = forward(store, meetings, [BESLUIT.geplandeStart, BESLUIT.isGehoudenDoor])
    reporters = backward(store, meetings, [KG.reportsOn])
    reporting = [i for m in meetings for i in iris_of(reporters[m][str(KG.reportsOn)])]
    cases = forward(store, reporting, [KG.case])
    reporting_meeting = meetings_of(store, reporting)
    rdates = forward(store, list(set(reporting_meeting.values())), [BESLUIT.geplandeStart])
    labeller.terms(decision_iris + meetings + [c for i in reporting for c in iris_of(cases[i][str(KG.case)])]
                   + [x for d in decision_iris for p in (KG.approves, KG.outcome, KG.decisionOn)
                      for x in iris_of(facts[d][str(p)])]
                   + [x for m in meetings for x in iris_of(mfacts[m][str(BESLUIT.isGehoudenDoor)])]
                   + [x for m in meetings for x in iris_of(reporters[m][str(KG.reportsOn)])])
    out = []
    for d in decision_iris:
        f = facts[d]
        dec = Decision(labeller.term(d), position=int_of(first(facts, d, SCHEMA.position)),
                       proposal=pick(f[str(KG.proposalTitle)], lang))
        products, outcome = iris_of(f[str(KG.approves)]), iris_of(f[str(KG.outcome)])
        dec.product = labeller.term(products[0]) if products else None
        dec.outcome = labeller.term(outcome[0]) if outcome else None
        dec.remarks, dec.statements = remarks[d], statements[d]
        dec.text = pick(f[str(RDF.value)], lang)
        on = iris_of(f[str(KG.decisionOn)])
        dec.item = labeller.term(on[0]) if on else None
        ms = iris_of(f[str(KG.decidedAt)])
        if ms:
            m = ms[0]
            dec.meeting, dec.date = labeller.term(m), date_of(first(mfacts, m, BESLUIT.geplandeStart))
            body = first(mfacts, m, BESLUIT.isGehoudenDoor)
            dec.body = labeller.term(str(body)) if isinstance(body, URIRef) else None
            items = sorted(set(iris_of(reporters[m][str(KG.reportsOn)])))
            dec.reported_in = [labeller.term(i) for i in items]
            dec.reported_on = min((date_of(first(rdates, reporting_meeting[i], BESLUIT.geplandeStart))
                                   for i in items if i in reporting_meeting), default="")
            case_iris = dict.fromkeys(c for i in items for c in iris_of(cases[i][str(KG.case)]))
            dec.cases = [labeller.term(c) for c in case_iris]
        out.append(dec)
    return sorted(out, key=lambda d: (d.date, d.position, d.term.iri))


def meeting_decisions(store: Store, meetings: list[str], labeller: Labeller) -> list[Decision]:
    """The decisions taken at these meetings, in date and list order."""
    found = backward(store, meetings, [KG.decidedAt])
    decisions = [d for m in meetings for d in iris_of(found[m][str(KG.decidedAt)])]
    return decisions_detail(store, decisions, labeller)


def product_approvals(store: Store, product: str, labeller: Labeller) -> list[Decision]:
    """Who approved a product, when, with which outcome and remarks, and which item reported it."""
    out = forward(store, [product], [KG.approvedBy])[product][str(KG.approvedBy)]
    back = backward(store, [product], [KG.approves])[product][str(KG.approves)]
    return decisions_detail(store, iris_of(out) + iris_of(back), labeller)


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
