"""Putting a page together: the sections each kind of page shows, the record table of products and
datasets, and what search engines are told."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from rdflib import URIRef

from kg.namespaces import ADMS, BESLUIT, CV, DCAT, DCTERMS, KG, OWL, PROV, RDF, RDFS, SKOS
from kg.pages.domain.agenda import (
    ITEM_TEXTS,
    agenda_items,
    case_items,
    meeting_agenda,
    meeting_header,
    meetings_of,
)
from kg.pages.domain.concepts import (
    concept_history,
    concept_terms,
    concept_usage,
    concept_withdrawal,
    ontology_terms,
    scheme_concepts,
    scheme_versions,
    scheme_withdrawn,
)
from kg.pages.domain.decisions import Decision, decisions_detail, meeting_decisions, product_approvals, trail
from kg.pages.domain.quality import quality, validated, validation_for
from kg.pages.domain.values import date_of, first, iris_of, literals, literals_lang, number_key, objects
from kg.pages.facts import backward, forward
from kg.pages.labels import Labeller
from kg.pages.model import PropertyValues, ResourcePage, Term
from kg.pages.sources import provenance
from kg.pages.text import blocks
from kg.queries import iri, render
from kg.store.base import Store


def agent_roles(store: Store, agent: str, labeller: Labeller) -> dict[str, list[Term]]:
    """An organisation's or person's roles and the items, meetings and datasets tied to it."""
    groups: dict[str, list[str]] = defaultdict(list)
    for row in store.select(render("browse/agent-roles", a=iri(agent))):
        if isinstance(row.get("x"), URIRef):
            groups[str(row["kind"])].append(str(row["x"]))
    terms = labeller.terms([x for xs in groups.values() for x in xs])
    return {k: sorted((terms[x] for x in dict.fromkeys(xs)), key=lambda t: t.label.text)
            for k, xs in sorted(groups.items())}


def _meeting(store: Store, page: ResourcePage, labeller: Labeller, within: str) -> list[str]:
    sec = page.sections
    sec["header"] = meeting_header(page, labeller)
    sec["agenda"] = meeting_agenda(store, page.iri, labeller)
    sec["decisions"] = meeting_decisions(store, [page.iri], labeller)
    return ([it.term.iri for section in sec["agenda"] for it in section.items]
            + [d.term.iri for d in sec["decisions"]])


def _item(store: Store, page: ResourcePage, labeller: Labeller, within: str) -> list[str]:
    s, lang, sec = page.iri, labeller.lang, page.sections
    subjects: list[str] = []
    meeting = meetings_of(store, [s]).get(s)
    if meeting is not None:
        sec["meeting"] = labeller.term(meeting)
        sec["date"] = date_of(first(forward(store, [meeting], [BESLUIT.geplandeStart]), meeting,
                                   BESLUIT.geplandeStart))
        subjects.append(meeting)
    sec["item"] = agenda_items(store, labeller, [s])[s]
    sec["texts"] = []
    for p in ITEM_TEXTS:
        paras, text_lang = literals_lang(page, p, lang)
        if paras:
            parts = [b for para in paras for b in blocks(para)]
            sec["texts"].append((labeller.term(p), parts, text_lang, p))
    sec["missing"] = [labeller.term(c) for c in objects(page, str(KG.missingContent))]
    sec["mentions"] = [labeller.term(m) for m in objects(page, str(KG.mentions))]
    item = sec["item"]
    if item.cases:
        sec["case"] = item.cases[0]
        sec["cases"] = item.cases
        others = {o.term.iri: o for c in item.cases for o in case_items(store, c.iri, labeller)
                  if o.term.iri != s}
        sec["others"] = sorted(others.values(), key=lambda i: (i.date, number_key(i.number)))
        sec["shared_number"] = [o for o in sec["others"] if meeting is not None and o.meeting is not None
                                and o.meeting.iri == meeting]
    sec["reports"] = meeting_decisions(store, objects(page, str(KG.reportsOn)), labeller)
    subjects += [r.term.iri for r in item.recommendations] + [a.term.iri for a in item.attachments]
    subjects += [d.term.iri for d in sec["reports"]]
    if item.decision is not None:
        subjects.append(item.decision.term.iri)
        subjects += [p.iri for p in item.decision.remarks if p.iri]
    return subjects


def _case(store: Store, page: ResourcePage, labeller: Labeller, within: str) -> list[str]:
    items = page.sections["items"] = case_items(store, page.iri, labeller)
    return [it.term.iri for it in items]


def _paragraph_iris(decision: Decision) -> list[str]:
    return [p.iri for p in decision.remarks + decision.statements if p.iri]


def _decision(store: Store, page: ResourcePage, labeller: Labeller, within: str) -> list[str]:
    decisions = decisions_detail(store, [page.iri], labeller)
    if not decisions:
        return []
    decision = decisions[0]
    page.sections.update(decision=decision, remarks=decision.remarks, statement=decision.statements)
    return _paragraph_iris(decision) + ([decision.meeting.iri] if decision.meeting is not None else [])


def _described(store: Store, page: ResourcePage, labeller: Labeller, fields: tuple[str, ...]) -> None:
    """What product and dataset pages share: quality, distributions, the record table, search engines."""
    sec = page.sections
    sec["quality"] = quality(store, page.iri, labeller)
    sec["distributions"] = [labeller.term(d) for d in objects(page, str(DCAT.distribution))]
    sec["record"] = record(page, fields)
    sec.update(for_search_engines(store, page.iri, sec["distributions"], labeller))


def _product(store: Store, page: ResourcePage, labeller: Labeller, within: str) -> list[str]:
    sec = page.sections
    sec["approvals"] = product_approvals(store, page.iri, labeller)
    sec["trail"] = trail(sec["approvals"])
    rows = store.select(render("browse/related-models", p=iri(page.iri)))
    related = {str(r["x"]): (str(r["type"]) if r.get("type") is not None else "") for r in rows
               if isinstance(r.get("x"), URIRef)}
    terms = labeller.terms(list(related))
    sec["models"] = sorted(((terms[x], t) for x, t in related.items()),
                           key=lambda xt: (xt[1], xt[0].label.text))
    _described(store, page, labeller, PRODUCT_RECORD)
    return [x for d in sec["approvals"] for x in [d.term.iri, *_paragraph_iris(d)]]


def _dataset(store: Store, page: ResourcePage, labeller: Labeller, within: str) -> list[str]:
    page.sections["validated"] = validated(store)
    page.sections["findings"] = validation_for(store, page.iri, labeller)
    _described(store, page, labeller, DATASET_RECORD)
    return []


def _scheme(store: Store, page: ResourcePage, labeller: Labeller, within: str) -> list[str]:
    sec = page.sections
    sec.update(scheme_concepts(store, page.iri, labeller, within))
    sec["versions"] = scheme_versions(store, page.iri, labeller)
    sec["withdrawn"] = scheme_withdrawn(store, page.iri, labeller)
    return []


#: The notes a concept page shows, each under its message key.
_CONCEPT_NOTES = (("definition", SKOS.definition), ("example", SKOS.example), ("comment", RDFS.comment),
                  ("concept_source", DCTERMS.source))


def _concept(store: Store, page: ResourcePage, labeller: Labeller, within: str) -> list[str]:
    s, lang, sec = page.iri, labeller.lang, page.sections
    sec["withdrawal"] = concept_withdrawal(store, s, labeller)
    sec["history"] = concept_history(page, lang)
    sec["terms"] = concept_terms(page, lang)
    sec["notes"] = [(key, str(p), *literals_lang(page, str(p), lang)) for key, p in _CONCEPT_NOTES
                    if literals(page, str(p), lang)]
    sec["usage"] = concept_usage(store, s, labeller)
    narrower = iris_of(backward(store, [s], [SKOS.broader])[s][str(SKOS.broader)])
    links = {"broader": objects(page, str(SKOS.broader)),
             "narrower": list(dict.fromkeys(objects(page, str(SKOS.narrower)) + narrower)),
             "related": objects(page, str(SKOS.related)), "scheme": objects(page, str(SKOS.inScheme))}
    labeller.terms([x for xs in links.values() for x in xs])
    sec["links"] = {k: sorted((labeller.term(x) for x in xs), key=lambda x: x.label.text.lower())
                    for k, xs in links.items() if xs}
    sec["legal"] = [labeller.term(x) for x in objects(page, str(CV.hasLegalResource))]
    return []


def _agent(store: Store, page: ResourcePage, labeller: Labeller, within: str) -> list[str]:
    page.sections["roles"] = agent_roles(store, page.iri, labeller)
    return []


def _ontology(store: Store, page: ResourcePage, labeller: Labeller, within: str) -> list[str]:
    page.sections["terms"] = ontology_terms(store, page.iri, labeller)
    return []


#: The sections of each kind of page: each builder fills ``page.sections`` and returns the IRIs
#: whose statements' sources the page shows besides its own.
_SECTIONS: dict[str, Callable[[Store, ResourcePage, Labeller, str], list[str]]] = {
    "meeting": _meeting,
    "item": _item,
    "case": _case,
    "decision": _decision,
    "product": _product,
    "dataset": _dataset,
    "scheme": _scheme,
    "concept": _concept,
    "organisation": _agent,
    "person": _agent,
    "ontology": _ontology,
}


def add_sections(store: Store, page: ResourcePage, labeller: Labeller, within: str = "") -> ResourcePage:
    """Add the domain sections for the page's kind (in place), where each statement comes from, and
    return the page."""
    build = _SECTIONS.get(page.kind)
    subjects = [page.iri] + (build(store, page, labeller, within) if build else [])
    page.provenance = provenance(store, labeller, subjects)
    page.types = shown_types(page)
    page.editorial_notes = literals(page, str(SKOS.editorialNote), labeller.lang)
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
        url = first(facts, d.iri, DCAT.downloadURL) or first(facts, d.iri, DCAT.accessURL)
        if not isinstance(url, URIRef):
            continue
        entry = {"contentUrl": str(url), "name": d.label.text}
        media = first(facts, d.iri, DCAT.mediaType)
        if isinstance(media, URIRef) and str(media).startswith(IANA_MEDIA_TYPES):
            entry["encodingFormat"] = str(media)[len(IANA_MEDIA_TYPES):]
        downloads.append(entry)
    catalogs = iris_of(backward(store, [resource], [DCAT.dataset])[resource][str(DCAT.dataset)])
    catalog = None
    if catalogs:
        term = labeller.term(catalogs[0])
        catalog = {"@id": term.iri, "name": term.label.text}
    return {"downloads": downloads, "catalog": catalog}
