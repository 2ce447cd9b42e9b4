"""The agenda's structure as RDF, in the terms and IRIs of docs/model.md.

Every IRI comes from a natural key through :class:`kg.iris.Minter` (body and
date, item number, list positions, case number, person name), so the same
agenda always gives the same graph, and the curated ``data/meetings`` graph
and this one meet on the same resources.  No blank nodes, no source paths and
no timestamps go into the graph: where the file came from is the store's PROV
record, so a Markdown and a Word version of one agenda give identical graphs.

Choices this module makes (documented here because the model leaves them open):

* the meeting title is "Dagsorden, {body as written in the agenda} {30. november
  2023}" — the header gives the body in capitals, so its spelling is taken from
  where the agenda writes the same name in ordinary case;
* front-page text that belongs to no item (the vision motto) is a ``skos:note``
  of the meeting;
* a footnote's URL is an ``rdfs:seeAlso`` of the item it stands in (other
  footnote text is a ``skos:note`` of the item); links in an item's text are
  ``rdfs:seeAlso`` of the item, links in an attachment line of the attachment;
* an attachment's ``dct:date`` is a full ``xsd:date`` where the title writes a
  day ("af 16.08.23"), an ``xsd:gYearMonth`` where it writes only a month
  ("September 2023"), and absent otherwise; its ``dct:type`` is the document
  type its title names ("Præsentation af …"), or ``henvisning`` for a line
  that only points to a web address (its ``foaf:page``); its ``dct:creator``
  is an organisation the title cites as author, in the two ways titles do:
  a comma-separated segment ("…, KOMBIT, november 2023") or the organisation
  before a document-type word ("KOMBIT strategi 2023+");
* resources the agenda gives no name get a Danish label built from their keys,
  in the curated data's wording: "Indstilling 1 til punkt 2.2", "Sag
  SAG-2022-04763", "Arkitekturboardets 18. møde, 31. oktober 2023" and
  "Arkitekturboardet 31. oktober 2023, 2: {listed title}" (the definite form
  "Arkitekturboardet" is the one the item's text uses; without it, the name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from kg.ingest.agenda_blocks import Block
from kg.ingest.agenda_board import BoardMeeting, read_board_report
from kg.ingest.agenda_dates import danish_long, full_dates, month_year
from kg.ingest.agenda_known import KnownIndex
from kg.ingest.agenda_parse import Agenda, Item, Part
from kg.iris import Minter, slugify
from kg.namespaces import BESLUIT, KG, SCHEMA, bind_all

PART_PROPERTY = {"baggrund": KG.background, "indstilling": KG.recommendationText,
                 "sagsfremstilling": KG.caseDescription}
#: A section's title (slugified, singular or plural) to its agenda-item-type slug.
ITEM_TYPES = {"siden-sidst": "siden-sidst", "droeftelsessag": "droeftelsessag",
              "droeftelsessager": "droeftelsessag", "beslutningssag": "beslutningssag",
              "beslutningssager": "beslutningssag", "orienteringssag": "orienteringssag",
              "orienteringssager": "orienteringssag", "eventuelt": "eventuelt"}
#: A recommendation bullet's opening words to its recommendation-kind slug (slugs fixed by docs/model.md).
RECOMMENDATION_KINDS = (
    (re.compile(r"^drøfter\b"), "droefter"),
    (re.compile(r"^tager\b.*\btil\s+efterretning\b", re.DOTALL), "tager-til-efterretning"),
    (re.compile(r"^giver\s+input\b"), "giver-input"),
    (re.compile(r"^giver\s+anbefaling(?:er)?\b"), "giver-anbefalinger"),
    (re.compile(r"^godkender\b"), "godkender"),
    (re.compile(r"^påpeger\b"), "paapeger"),
    (re.compile(r"^rådgiver\b"), "raadgiver"),
    (re.compile(r"^tilkendegiver\b"), "tilkendegiver"),
)
_LEAD_IN = re.compile(r"\bindstiller,?\s+at\s+(?P<who>[^:]+?)\s*:?\s*$", re.IGNORECASE)
_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def da(text: str) -> Literal:
    return Literal(text, lang="da")


def render(blocks: list[Block]) -> str:
    """A part's text as written: paragraphs joined with blank lines, list items marked."""
    out = []
    for block in blocks:
        if block.kind == "bullet":
            out.append(f"- {block.text}")
        elif block.kind == "number":
            out.append(f"{block.label}. {block.text}")
        else:
            out.append(block.text)
    return "\n\n".join(out)


def recommendation_kind(text: str) -> str | None:
    lower = text.strip().casefold()
    return next((slug for pattern, slug in RECOMMENDATION_KINDS if pattern.match(lower)), None)


@dataclass
class Outcome:
    """What the builder found beside the graph."""

    graph: Graph
    meeting: str
    missing: list[str] = field(default_factory=list)
    unmatched_products: list[str] = field(default_factory=list)
    unmatched_mentions: list[str] = field(default_factory=list)


class Builder:
    """Builds one agenda's graph."""

    def __init__(self, agenda: Agenda, minter: Minter, body: str, known: KnownIndex) -> None:
        self.agenda, self.minter, self.body, self.known = agenda, minter, body, known
        self.graph = bind_all(Graph())
        self.day = agenda.start[0]  # type: ignore[index]
        self.key = self.day.isoformat()
        self.meeting = URIRef(minter.meeting(body, self.key))
        self.body_iri = URIRef(minter.org(body))
        self.body_name = self._body_name()
        self.outcome = Outcome(self.graph, str(self.meeting))
        self.unmatched: set[str] = set()

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.graph.add((s, p, o))

    # -- the meeting --------------------------------------------------------------------------
    def _body_name(self) -> str:
        """The body's name as the agenda writes it (header in capitals → its spelling in the text)."""
        names = [n for n in self.agenda.names if not re.match(r"dagsorden\b", n, re.IGNORECASE)]
        if not names:
            return self.body
        name = names[0]
        if name.upper() == name:
            pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
            for text in self.agenda.texts:
                for match in pattern.finditer(text):
                    if match.group(0) != match.group(0).upper():
                        return match.group(0)
        return name

    def build(self) -> Outcome:
        start, clock = self.agenda.start  # type: ignore[misc]
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
        self.add(m, DCTERMS.title, da(f"Dagsorden, {self.body_name} {danish_long(start)}"))
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
            for item in self.agenda.items:
                if item.section == section.number:
                    member = self.minter.agenda_item(self.body, self.key, item.number)
                    self.add(s, KG.sectionItem, URIRef(member))
        for position, item in enumerate(self.agenda.items, start=1):
            self._item(item, position)
        self.outcome.unmatched_mentions = sorted(self.unmatched)
        return self.outcome

    # -- items --------------------------------------------------------------------------------
    def _item(self, item: Item, position: int) -> None:
        i = URIRef(self.minter.agenda_item(self.body, self.key, item.number))
        self.add(self.meeting, BESLUIT.behandelt, i)
        self.add(i, RDF.type, BESLUIT.Agendapunt)
        self.add(i, KG.number, Literal(item.number))
        self.add(i, SCHEMA.position, Literal(position))
        self.add(i, DCTERMS.title, da(item.title))
        section = next((s for s in self.agenda.sections if s.number == item.section), None)
        if section is not None:
            self.add(i, KG.inSection, URIRef(self.minter.agenda_section(self.body, self.key, section.number)))
            if (kind := ITEM_TYPES.get(slugify(section.title))) is not None:
                self.add(i, KG.itemType, URIRef(self.minter.concept("agenda-item-type", kind)))
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
        if (part := item.parts.get("indstilling")) is not None:
            self._recommendations(item, i, part)
        if (part := item.parts.get("bilag")) is not None:
            self._attachments(item, i, part)
        self._footnotes(item, i)
        self._board(item, i)
        self._mentions(item, i)

    def _see_also(self, subject: URIRef, link: str, line: int) -> None:
        if _URL.match(link):
            self.add(subject, RDFS.seeAlso, URIRef(link))
        else:
            self.agenda.warn(line, f"'{link}' is not a web address kg can link to; kept as text only")

    def _addressee(self, who: str, line: int, item: Item) -> URIRef | None:
        if " ".join(who.split()).casefold() in {self.body_name.casefold(), self.body.casefold()}:
            return self.body_iri
        found = self.known.organisation(who)
        if found is None:
            self.agenda.warn(line, f"item {item.number}: the recommendation is addressed to '{who}', "
                                   "which is neither this agenda's body nor a known organisation")
        return found

    def _recommendations(self, item: Item, i: URIRef, part: Part) -> None:
        addressee: URIRef | None = None
        ordinal = 0
        content = part.content()
        for block in content:
            if block.kind in {"para", "heading"} and (lead := _LEAD_IN.search(block.text)):
                addressee = self._addressee(lead.group("who"), block.line, item)
                continue
            if block.kind not in {"bullet", "number"}:
                continue
            ordinal += 1
            r = URIRef(self.minter.recommendation(self.body, self.key, item.number, ordinal))
            self.add(i, KG.hasRecommendation, r)
            self.add(r, RDF.type, KG.Recommendation)
            self.add(r, SCHEMA.position, Literal(ordinal))
            self.add(r, RDFS.label, da(f"Indstilling {ordinal} til punkt {item.number}"))
            self.add(r, RDF.value, da(block.text))
            if (kind := recommendation_kind(block.text)) is not None:
                self.add(r, KG.recommendationKind, URIRef(self.minter.concept("recommendation-kind", kind)))
            else:
                self.agenda.warn(block.line, f"item {item.number}: recommendation {ordinal} "
                                             f"'{block.text[:50]}' has no known kind (drøfter, tager … til "
                                             "efterretning, giver input, …)")
            if addressee is not None:
                self.add(r, KG.addressedTo, addressee)
        if content and ordinal == 0:
            self.agenda.warn(part.line, f"item {item.number}: the recommendation (indstilling) has no bullet "
                                        "points, so no proposed resolutions were read from it")

    def _attachments(self, item: Item, i: URIRef, part: Part) -> None:
        for ordinal, block in enumerate(part.content(), start=1):
            a = URIRef(self.minter.attachment(self.body, self.key, item.number, ordinal))
            self.add(i, KG.hasAttachment, a)
            self.add(a, RDF.type, FOAF.Document)
            self.add(a, RDF.type, KG.Attachment)
            self.add(a, SCHEMA.position, Literal(ordinal))
            self.add(a, DCTERMS.title, da(block.text))
            if days := full_dates(block.text):
                self.add(a, DCTERMS.date, Literal(days[0][0].isoformat(), datatype=XSD.date))
            elif month := month_year(block.text):
                self.add(a, DCTERMS.date, Literal(f"{month[0]:04d}-{month[1]:02d}", datatype=XSD.gYearMonth))
            kind = self.known.document_type(block.text)
            if kind is None and block.links and self.known.document_types:
                kind = URIRef(self.minter.concept("document-type", "henvisning"))
            if kind is not None:
                self.add(a, DCTERMS.type, kind)
            for creator in self._creators(block.text):
                self.add(a, DCTERMS.creator, creator)
            for link in block.links:
                if _URL.match(link):
                    self.add(a, FOAF.page, URIRef(link))
                else:
                    self._see_also(a, link, block.line)

    def _creators(self, title: str) -> list[URIRef]:
        """Organisations a title cites as its author ("…, KOMBIT, november 2023", "KOMBIT strategi …")."""
        found = [self.known.organisation(segment) for segment in title.split(",")[1:]]
        words = title.split()
        for i in range(1, len(words)):
            if self.known.document_type(words[i]) is not None:
                found.append(self.known.organisation(" ".join(words[:i])))
                break
        return sorted({f for f in found if f is not None})

    def _footnotes(self, item: Item, i: URIRef) -> None:
        labels = {f.label for f in item.footnotes}
        for block in (b for part in item.parts.values() for b in part.blocks):
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

    # -- board reports ------------------------------------------------------------------------
    def _board(self, item: Item, i: URIRef) -> None:
        meetings = read_board_report(item, self.agenda.warn)
        for stated in full_dates(item.title):
            if meetings and not any(m.day == stated[0] for m in meetings):
                self.agenda.warn(item.line, f"item {item.number}: the title names a meeting on "
                                            f"{stated[0].isoformat()}, but the item has no report of it")
        for board in meetings:
            self._board_meeting(item, i, board)

    def _board_slug(self, item: Item, written: str) -> tuple[URIRef, str, str]:
        """The reporting body: "Arkitekturboards" is the genitive of the body called Arkitekturboard."""
        candidates = [written]
        if written.endswith("s"):
            candidates.insert(0, written[:-1])
        for name in candidates:
            if (found := self.known.organisation(name)) is not None:
                prefix = self.minter.org("")
                slug = str(found)[len(prefix):] if str(found).startswith(prefix) else slugify(name)
                return found, slug, name
        text = " ".join(b.text for b in item.blocks())
        name = next((c for c in candidates if re.search(rf"(?<!\w){re.escape(c)}(?!\w)", text)), written)
        return URIRef(self.minter.org(slugify(name))), slugify(name), name

    def _definite(self, item: Item, name: str) -> str:
        """The body's name in the definite form the item's text uses ("Arkitekturboardet"), else as is."""
        text = " ".join(b.text for b in item.blocks())
        match = re.search(rf"(?<!\w){re.escape(name)}(?:et|en)(?!\w)", text)
        return match.group(0) if match else name

    def _board_meeting(self, item: Item, i: URIRef, board: BoardMeeting) -> None:
        org, slug, name = self._board_slug(item, board.body)
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
            self.add(d, RDF.type, BESLUIT.Besluit)
            self.add(d, SCHEMA.position, Literal(proposal.position))
            self.add(d, RDFS.label, da(f"{name} {when}, {proposal.position}: {proposal.title}"))
            self.add(d, KG.decidedAt, m)
            self.add(d, KG.proposalTitle, da(proposal.title))
            if proposal.outcome is not None:
                self.add(d, KG.outcome, URIRef(self.minter.concept("decision-outcome", proposal.outcome)))
            for text in proposal.statements:
                self.add(d, KG.statement, da(text))
            for text in proposal.remarks:
                self.add(d, KG.remark, da(text))
            product = self.known.product(proposal.title)
            if product is not None:
                self.add(d, KG.approves, product)
            else:
                self.outcome.unmatched_products.append(proposal.title)
                if self.known.given:
                    self.agenda.warn(proposal.line, f"item {item.number}: no catalogue product has the title "
                                                    f"'{proposal.title}'; the decision is not linked to one")

    # -- mentions -----------------------------------------------------------------------------
    def _mentions(self, item: Item, i: URIRef) -> None:
        texts = [item.title]
        for part in item.parts.values():
            for block in part.content():
                if part.key == "indstilling" and _LEAD_IN.search(block.text):
                    continue
                texts.append(block.text)
        text = "\n".join(texts)
        found, spans = self.known.mentions(text)
        for iri in sorted(found):
            self.add(i, KG.mentions, iri)
        if self.known.given:
            self.unmatched.update(self.known.unmatched_abbreviations(text, spans))


def build_graph(agenda: Agenda, minter: Minter, body: str, known: KnownIndex) -> Outcome:
    """The agenda's graph and what could not be linked."""
    return Builder(agenda, minter, body, known).build()
