"""An agenda's or minutes' structure as RDF, in the terms and IRIs of docs/model.md.

Every IRI comes from a natural key through :class:`kg.iris.Minter` (body and date, item number,
list positions, case number, person name), so the same document always gives the same graph, and
documents about one meeting meet on the same resources.  No blank nodes, no source paths and no
timestamps go into the graph: where the file came from is the store's PROV record, so a Markdown
and a Word version of one agenda give identical graphs.

The graph holds **only what the document says**.  Links to what the rest of the store describes
(the product a board approved, the organisations and systems an item mentions, an attachment's
document type and author, an addressee other than the body) are derived from the textual
references kept here (:mod:`kg.ingest.links`), so they follow the catalogue when it changes.

Order is explicit: sections, items, recommendations, attachments, decisions and the paragraphs
of a decision's statement and remarks carry ``schema:position`` (1-based, in document order).

Choices this module makes (documented here because the model leaves them open):

* the meeting title is "Dagsorden, {body as written} {30. november 2023}" ("Referat, …" for
  minutes) — the header gives the body in capitals, so its spelling is taken from where the
  document writes the same name in ordinary case;
* front-page text that belongs to no item (the vision motto, participants) is a ``skos:note`` of
  the meeting; a section's or item's own text (before its first item or part) is its
  ``dct:description``;
* a footnote's URL is an ``rdfs:seeAlso`` of the item it stands in (other footnote text is a
  ``skos:note`` of the item); links in an item's text are ``rdfs:seeAlso`` of the item, links in
  an attachment line the attachment's ``foaf:page``;
* an attachment's ``dct:date`` is a full ``xsd:date`` where the title writes a day ("af
  16.08.23"), an ``xsd:gYearMonth`` where it writes only a month ("September 2023"), and absent
  otherwise; "Bilag 1:" in front of a title is the list's numbering, not the title; "Ingen" is no
  attachment;
* a recommendation addressed to the body itself ("It-Arkitekturrådet", "rådet") is
  ``kg:addressedTo`` the body; any other addressee is kept as ``kg:addresseeName``;
* a kind or outcome outside the scheme is the concept ``andet`` plus ``kg:statedAs``, the words
  as written; decisions keep the sentence stating their outcome as ``kg:statedAs`` too;
* resources the document gives no name get a Danish label built from their keys, in the curated
  data's wording: "Indstilling 1 til punkt 2.2", "Sag SAG-2022-04763", "Arkitekturboardets 18.
  møde, 31. oktober 2023", "Arkitekturboardet 31. oktober 2023, 2: {listed title}" (the definite
  form "Arkitekturboardet" is the one the item's text uses; without it, the name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef

from kg.ingest.agenda_blocks import Block
from kg.ingest.agenda_board import BoardMeeting, read_board_report
from kg.ingest.agenda_dates import danish_long, full_dates, month_year
from kg.ingest.agenda_decisions import read_decision
from kg.ingest.agenda_parse import Agenda, Item, Part
from kg.ingest.agenda_recommendations import OTHER, read_recommendations
from kg.ingest.agenda_words import item_type_of
from kg.iris import Minter, slugify
from kg.namespaces import BESLUIT, DCTERMS, FOAF, KG, RDF, RDFS, SCHEMA, SKOS, XSD, bind_all

PART_PROPERTY = {"baggrund": KG.background, "indstilling": KG.recommendationText,
                 "sagsfremstilling": KG.caseDescription}
#: Item types an item's own title may give when no section gives one ("4. Eventuelt").
OWN_TYPES = {"eventuelt", "siden-sidst"}
_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_NONE = re.compile(r"^(?:ingen(?:\s+bilag)?|intet|-|–)\.?$", re.IGNORECASE)
_ATTACHMENT_NUMBER = re.compile(r"^bilag\s+\d+(?:\.\d+)*[a-z]?\s*[:.–-]\s*", re.IGNORECASE)


def da(text: str) -> Literal:
    return Literal(text, lang="da")


def render(blocks: list[Block]) -> str:
    """A part's text as written: paragraphs joined with blank lines, list items and sub-headings marked
    (``- ``, ``1. ``, ``### ``), so a reader of the literal still sees the part's structure."""
    out = []
    for block in blocks:
        if is_subheading(block):
            out.append(f"### {block.text}")
        elif block.kind == "bullet":
            out.append(f"- {block.text}")
        elif block.kind == "number":
            out.append(f"{block.label}. {block.text}")
        else:
            out.append(block.text)
    return "\n\n".join(out)


def is_subheading(block: Block) -> bool:
    """A heading inside a part, or a short line set wholly in bold (how Word authors often write one)."""
    if block.kind == "heading":
        return True
    return (block.kind == "para" and block.strong and len(block.text) <= 120
            and not block.text.rstrip().endswith((".", ":", ";", "!", "?")))


@dataclass
class Outcome:
    """What the builder found beside the graph."""

    graph: Graph
    meeting: str
    missing: list[str] = field(default_factory=list)
    decisions: int = 0


class Builder:
    """Builds one document's graph."""

    def __init__(self, agenda: Agenda, minter: Minter, body: str) -> None:
        self.agenda, self.minter, self.body = agenda, minter, body
        self.graph = bind_all(Graph())
        self.day = agenda.day  # type: ignore[assignment]
        self.key = self.day.isoformat()
        self.meeting = URIRef(minter.meeting(body, self.key))
        self.body_iri = URIRef(minter.org(body))
        self.body_name = self._body_name()
        self.outcome = Outcome(self.graph, str(self.meeting))

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.graph.add((s, p, o))

    # -- the meeting --------------------------------------------------------------------------
    def _body_name(self) -> str:
        """The body's name as the document writes it (header in capitals → its spelling in the text)."""
        texts = [*self.agenda.names, *self.agenda.texts]
        words = [w.strip(".,:;()'\"") for text in texts for w in text.split()]
        named = [w for w in words if slugify(w) == self.body]
        mixed = [w for w in named if w != w.upper()]
        if mixed:
            return mixed[0]
        names = [n for n in self.agenda.names if not re.match(r"(?:dagsorden|referat)\b", n, re.IGNORECASE)]
        name = named[0] if named else (names[0] if names else self.body)
        if name.upper() == name:
            pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
            for text in self.agenda.texts:
                for match in pattern.finditer(text):
                    if match.group(0) != match.group(0).upper():
                        return match.group(0)
        return name

    def build(self) -> Outcome:
        start, clock = self.day, self.agenda.clock
        m = self.meeting
        self.add(m, RDF.type, BESLUIT.Zitting)
        self.add(m, BESLUIT.isGehoudenDoor, self.body_iri)
        if clock is not None:
            self.add(m, BESLUIT.geplandeStart, Literal(f"{start.isoformat()}T{clock.isoformat()}",
                                                       datatype=XSD.dateTime))
        else:
            self.add(m, BESLUIT.geplandeStart, Literal(start.isoformat(), datatype=XSD.date))
        if self.agenda.place:
            self.add(m, BESLUIT.opLocatie, da(self.agenda.place))
        document = "Referat" if self.agenda.kind == "minutes" else "Dagsorden"
        self.add(m, DCTERMS.title, da(f"{document}, {self.body_name} {danish_long(start)}"))
        for note in self.agenda.notes:
            self.add(m, SKOS.note, da(note.text))
        for position, section in enumerate(self.agenda.sections, start=1):
            s = URIRef(self.minter.agenda_section(self.body, self.key, section.number))
            self.add(m, KG.hasSection, s)
            self.add(s, RDF.type, KG.AgendaSection)
            self.add(s, KG.number, Literal(section.number))
            self.add(s, SCHEMA.position, Literal(position))
            if section.title:
                self.add(s, DCTERMS.title, da(section.title))
            if section.blocks:
                self.add(s, DCTERMS.description, da(render(section.blocks)))
            for item in self.agenda.items:
                if item.section == section.number:
                    member = self.minter.agenda_item(self.body, self.key, item.number)
                    self.add(s, KG.sectionItem, URIRef(member))
        for position, item in enumerate(self.agenda.items, start=1):
            self._item(item, position)
        return self.outcome

    # -- items --------------------------------------------------------------------------------
    def _item_type(self, item: Item) -> str | None:
        section = next((s for s in self.agenda.sections if s.number == item.section), None)
        if section is not None and (kind := item_type_of(section.title)) is not None:
            return kind
        kind = item_type_of(item.title)
        return kind if kind in OWN_TYPES else None

    def _item(self, item: Item, position: int) -> None:
        i = URIRef(self.minter.agenda_item(self.body, self.key, item.number))
        self.add(self.meeting, BESLUIT.behandelt, i)
        self.add(i, RDF.type, BESLUIT.Agendapunt)
        self.add(i, KG.number, Literal(item.number))
        self.add(i, SCHEMA.position, Literal(position))
        self.add(i, DCTERMS.title, da(item.title))
        if item.section is not None:
            self.add(i, KG.inSection, URIRef(self.minter.agenda_section(self.body, self.key, item.section)))
        if (kind := self._item_type(item)) is not None:
            self.add(i, KG.itemType, URIRef(self.minter.concept("agenda-item-type", kind)))
        if item.own:
            self.add(i, DCTERMS.description, da(render(item.own)))
            for link in (u for b in item.own for u in b.links):
                self._see_also(i, link, item.line)
        for number in item.cases:
            case = URIRef(self.minter.case(number))
            self.add(i, KG.case, case)
            self.add(case, RDF.type, KG.Case)
            self.add(case, DCTERMS.identifier, Literal(number))
            self.add(case, RDFS.label, da(f"Sag {number}"))
        for name in item.officers:
            person = URIRef(self.minter.person(name))
            self.add(i, KG.responsibleOfficer, person)
            self.add(person, RDF.type, FOAF.Person)
            self.add(person, FOAF.name, da(name))
        if item.officer_missing:
            self.outcome.missing.append(f"{item.number} ansvarlig")
        for key, part in item.parts.items():
            content = part.content()
            if not content:
                self.add(i, KG.missingContent, URIRef(self.minter.concept("agenda-item-part", key)))
                self.outcome.missing.append(f"{item.number} {key}")
                continue
            if key in PART_PROPERTY:
                self.add(i, PART_PROPERTY[key], da(render(content)))
            if key != "bilag":
                for link in (u for b in content for u in b.links):
                    self._see_also(i, link, part.line)
        recommendations: list[URIRef] = []
        if (part := item.parts.get("indstilling")) is not None:
            recommendations = self._recommendations(item, i, part)
        if (part := item.parts.get("bilag")) is not None:
            self._attachments(item, i, part)
        self._footnotes(item, i)
        self._board(item, i)
        self._decision(item, i, position, recommendations)

    def _see_also(self, subject: URIRef, link: str, line: int) -> None:
        if _URL.match(link):
            self.add(subject, RDFS.seeAlso, URIRef(link))
        else:
            self.agenda.warn(line, f"'{link}' is not a web address kg can link to; kept as text only")

    def _is_body(self, who: str) -> bool:
        """Whether an addressee as written is this document's own body ("It-Arkitekturrådet", "rådet")."""
        plain = " ".join(who.split()).casefold()
        slug = slugify(who)
        return (slug in {self.body, f"{self.body}et", f"{self.body}en", slugify(self.body_name)}
                or (len(plain) >= 4 and self.body_name.casefold().endswith(plain)))

    def _recommendations(self, item: Item, i: URIRef, part: Part) -> list[URIRef]:
        content = part.content()
        found, _, lead_seen = read_recommendations(content)
        made = []
        reported: set[tuple[str, int]] = set()
        for ordinal, proposed in enumerate(found, start=1):
            r = URIRef(self.minter.recommendation(self.body, self.key, item.number, ordinal))
            made.append(r)
            self.add(i, KG.hasRecommendation, r)
            self.add(r, RDF.type, KG.Recommendation)
            self.add(r, SCHEMA.position, Literal(ordinal))
            self.add(r, RDFS.label, da(f"Indstilling {ordinal} til punkt {item.number}"))
            self.add(r, RDF.value, da(proposed.text))
            kind = URIRef(self.minter.concept("recommendation-kind", proposed.kind))
            self.add(r, KG.recommendationKind, kind)
            if proposed.kind == OTHER:
                self.add(r, KG.statedAs, da(proposed.verb))
                self.agenda.warn(proposed.line, f"item {item.number}: recommendation {ordinal} "
                                                f"'{proposed.text[:50]}' is of a kind the scheme does not "
                                                f"list ('{proposed.verb}'); kept as 'andet'")
            if proposed.addressee is None:
                continue
            if self._is_body(proposed.addressee):
                self.add(r, KG.addressedTo, self.body_iri)
            else:
                self.add(r, KG.addresseeName, da(proposed.addressee))
                if (proposed.addressee, proposed.addressee_line) not in reported:
                    reported.add((proposed.addressee, proposed.addressee_line))
                    self.agenda.warn(proposed.addressee_line, f"item {item.number}: the recommendation is "
                                                              f"addressed to '{proposed.addressee}', not to "
                                                              f"this document's body ({self.body_name}); "
                                                              "kept as a name")
        if content and not found:
            self.agenda.warn(part.line, f"item {item.number}: no proposed resolution was read from the "
                                        "recommendation (indstilling): no list and no 'indstiller, at …' "
                                        "sentence")
        elif found and not lead_seen and all(p.addressee is None for p in found):
            self.agenda.warn(part.line, f"item {item.number}: the recommendation names no addressee")
        return made

    def _attachments(self, item: Item, i: URIRef, part: Part) -> None:
        ordinal = 0
        for block in part.content():
            title = _ATTACHMENT_NUMBER.sub("", block.text).strip()
            if not title or _NONE.match(title):
                continue
            ordinal += 1
            a = URIRef(self.minter.attachment(self.body, self.key, item.number, ordinal))
            self.add(i, KG.hasAttachment, a)
            self.add(a, RDF.type, FOAF.Document)
            self.add(a, RDF.type, KG.Attachment)
            self.add(a, SCHEMA.position, Literal(ordinal))
            self.add(a, DCTERMS.title, da(title))
            if days := full_dates(title):
                self.add(a, DCTERMS.date, Literal(days[0][0].isoformat(), datatype=XSD.date))
            elif month := month_year(title):
                self.add(a, DCTERMS.date, Literal(f"{month[0]:04d}-{month[1]:02d}", datatype=XSD.gYearMonth))
            for link in block.links:
                if _URL.match(link):
                    self.add(a, FOAF.page, URIRef(link))
                else:
                    self._see_also(a, link, block.line)

    def _footnotes(self, item: Item, i: URIRef) -> None:
        labels = {f.label for f in item.footnotes}
        for block in [*item.own, *(b for part in item.parts.values() for b in part.blocks)]:
            for label in block.notes:
                if label not in labels:
                    self.agenda.warn(block.line, f"item {item.number}: footnote {label} is referred to "
                                                 "but its text is not in the document")
        for note in item.footnotes:
            if _URL.match(note.text):
                self.add(i, RDFS.seeAlso, URIRef(note.text))
                continue
            self.add(i, SKOS.note, da(note.text))
            for link in note.links:
                self._see_also(i, link, note.line)

    def _paragraphs(self, owner: URIRef, predicate: URIRef, kind: str, cls: URIRef, label: str,
                    texts: list[str]) -> None:
        """A decision's remarks or statement: one resource per paragraph, in order."""
        for j, text in enumerate(texts, start=1):
            node = URIRef(self.minter.paragraph(str(owner), kind, j))
            self.add(owner, predicate, node)
            self.add(node, RDF.type, cls)
            self.add(node, SCHEMA.position, Literal(j))
            self.add(node, RDF.value, da(text))
            self.add(node, RDFS.label, da(f"{label} {j}"))

    # -- minutes: the body's own decision on an item ---------------------------------------------
    def _decision(self, item: Item, i: URIRef, position: int, recommendations: list[URIRef]) -> None:
        decision = read_decision(item, self.agenda.warn)
        if decision is None:
            return
        self.outcome.decisions += 1
        d = URIRef(self.minter.item_decision(self.body, self.key, item.number))
        name = f"{self.body_name} {danish_long(self.day)}, punkt {item.number}"
        self.add(d, RDF.type, BESLUIT.Besluit)
        self.add(d, RDFS.label, da(f"Beslutning, {name}"))
        self.add(d, SCHEMA.position, Literal(position))
        self.add(d, KG.decidedAt, self.meeting)
        self.add(d, KG.decisionOn, i)
        for number in item.cases:
            self.add(d, KG.case, URIRef(self.minter.case(number)))
        for r in recommendations:
            self.add(d, KG.respondsTo, r)
        self.add(d, KG.outcome, URIRef(self.minter.concept("decision-outcome", decision.outcome)))
        self.add(d, KG.statedAs, da(decision.stated))
        self.add(d, RDF.value, da("\n\n".join(decision.paragraphs)))
        self._paragraphs(d, KG.remark, "remark", KG.Remark, f"Bemærkning til beslutningen, {name}, afsnit",
                         decision.remarks)

    # -- board reports ------------------------------------------------------------------------
    def _board(self, item: Item, i: URIRef) -> None:
        meetings = read_board_report(item, self.agenda.warn)
        for stated in full_dates(item.title):
            if meetings and not any(m.day == stated[0] for m in meetings):
                self.agenda.warn(item.line, f"item {item.number}: the title names a meeting on "
                                            f"{stated[0].isoformat()}, but the item has no report of it")
        for board in meetings:
            self._board_meeting(item, i, board)

    @staticmethod
    def _board_name(written: str) -> str:
        """The reporting body's key name: "Arkitekturboards møde" and "Arkitekturboardets møde" are
        genitives (definite or not) of the body "Arkitekturboard"; its key is the indefinite form."""
        name = written[:-1] if written.endswith("s") and len(written) > 3 else written
        if name.endswith(("et", "en")) and len(name) > 6:
            return name[:-2]
        return name

    def _definite(self, item: Item, name: str) -> str:
        """The body's name in the definite form the item's text uses ("Arkitekturboardet"), else as is."""
        text = " ".join(b.text for b in item.blocks())
        match = re.search(rf"(?<!\w){re.escape(name)}(?:et|en)(?!\w)", text)
        return match.group(0) if match else name

    def _board_meeting(self, item: Item, i: URIRef, board: BoardMeeting) -> None:
        name = self._board_name(board.body)
        slug = slugify(name)
        org = URIRef(self.minter.org(slug))
        day = board.day.isoformat()
        m = URIRef(self.minter.meeting(slug, day))
        name = self._definite(item, name)
        when = danish_long(board.day)
        self.add(i, KG.reportsOn, m)
        self.add(m, RDF.type, BESLUIT.Zitting)
        number = f"{board.ordinal}. " if board.ordinal is not None else ""
        self.add(m, DCTERMS.title, da(f"{name}s {number}møde, {when}"))
        self.add(m, BESLUIT.isGehoudenDoor, org)
        self.add(m, BESLUIT.geplandeStart, Literal(day, datatype=XSD.date))
        if board.ordinal is not None:
            self.add(m, KG.ordinal, Literal(board.ordinal))
        for proposal in board.proposals:
            d = URIRef(self.minter.decision(slug, day, str(proposal.position)))
            short = f"{name} {when}, {proposal.position}"
            self.add(d, RDF.type, BESLUIT.Besluit)
            self.add(d, SCHEMA.position, Literal(proposal.position))
            self.add(d, RDFS.label, da(f"{short}: {proposal.title}"))
            self.add(d, KG.decidedAt, m)
            self.add(d, KG.proposalTitle, da(proposal.title))
            if proposal.outcome is not None:
                self.add(d, KG.outcome, URIRef(self.minter.concept("decision-outcome", proposal.outcome)))
                self.add(d, KG.statedAs, da(proposal.outcome_text))
            self._paragraphs(d, KG.statement, "statement", KG.Statement, f"Udtalelse om {short}, afsnit",
                             proposal.statements)
            self._paragraphs(d, KG.remark, "remark", KG.Remark, f"Bemærkning til {short}, afsnit",
                             proposal.remarks)


def build_graph(agenda: Agenda, minter: Minter, body: str) -> Outcome:
    """The document's graph and what it left empty."""
    return Builder(agenda, minter, body).build()
