"""What the graph already knows, as labels to match agendas' and minutes' words against.

``known`` is a small rdflib graph (``kg/queries/agenda/known-labels.rq``): the
organisations, systems, standards, datasets and architecture products in the
store with their types and labels.  The derived links (:mod:`kg.ingest.links`)
ask it these questions:

* **products** by title: a board's list entry is linked to the catalogue's
  product whose title or alternative label is the same text (compared without
  case, punctuation or extra spaces).  Nothing fuzzier: a wrong link is worse
  than a reported miss.
* **mentions**: where a label occurs in an item's text as a whole word
  (``KP`` in "(KP)" but not in "KPI"), with a Danish genitive ``s`` or
  definite ending allowed after it ("KOMBITs", "Arkitekturboardet").
  Abbreviations (labels without lower-case letters: KY, KSD, DIS, SKI …) are
  matched case-sensitively, so they never match ordinary words; names are
  matched without regard to case ("digital post" is Digital Post).  People
  are matched on their full names.
* **document types**: the concepts of the document-type scheme, whose Danish
  labels an attachment title may name ("Præsentation af …", "Hørings svar …").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from kg.namespaces import BESLUIT, DCTERMS, FOAF, KG, ORG, RDF, SKOS

LABELS = (SKOS.prefLabel, SKOS.altLabel, DCTERMS.title, FOAF.name)
ORGANISATION_TYPES = {ORG.Organization, ORG.FormalOrganization, ORG.OrganizationalUnit,
                      FOAF.Organization, KG.GoverningBody, BESLUIT.Bestuursorgaan}
PRODUCT_TYPES = {KG.ArchitectureProduct}
#: Concepts of this scheme are document types, not things an item mentions.
DOCUMENT_TYPE_SCHEME = "/id/concept/document-type"
_ABBREVIATION = re.compile(r"(?<![\w-])[A-ZÆØÅ][A-ZÆØÅ0-9]{1,7}(?![\w])")


def normalise(text: str) -> str:
    """Text compared for title matching: case, punctuation and spacing do not count."""
    return " ".join(re.findall(r"\w+", text.casefold()))


@dataclass
class _Label:
    iri: URIRef
    text: str
    pattern: re.Pattern[str]


@dataclass
class KnownIndex:
    """Labels of known resources, ready for title look-ups and mention scanning."""

    labels: list[_Label] = field(default_factory=list)
    products: dict[str, set[URIRef]] = field(default_factory=dict)
    organisations: dict[str, set[URIRef]] = field(default_factory=dict)
    document_types: dict[str, URIRef] = field(default_factory=dict)
    given: bool = False

    @classmethod
    def from_graph(cls, known: Graph | None) -> KnownIndex:
        index = cls(given=known is not None)
        if known is None:
            return index
        seen: set[tuple[URIRef, str]] = set()
        for concept, scheme in known.subject_objects(SKOS.inScheme):
            if str(scheme).endswith(DOCUMENT_TYPE_SCHEME) and isinstance(concept, URIRef):
                for label in known.objects(concept, SKOS.prefLabel):
                    index.document_types[normalise(str(label)).replace(" ", "")] = concept
        for predicate in LABELS:
            for subject, label in known.subject_objects(predicate):
                if not isinstance(subject, URIRef):
                    continue
                text = " ".join(str(label).split())
                types = set(known.objects(subject, RDF.type))
                if SKOS.Concept in types:
                    continue
                if types & PRODUCT_TYPES:
                    index.products.setdefault(normalise(text), set()).add(subject)
                if types & ORGANISATION_TYPES:
                    index.organisations.setdefault(normalise(text), set()).add(subject)
                if len(text) >= 2 and (subject, text) not in seen:
                    seen.add((subject, text))
                    index.labels.append(_Label(subject, text, _pattern(text)))
        index.labels.sort(key=lambda label: (-len(label.text), label.text, str(label.iri)))
        return index

    def product(self, title: str) -> URIRef | None:
        """The one product whose title/label is this title (normalised), else None."""
        found = self.products.get(normalise(title), set())
        return next(iter(found)) if len(found) == 1 else None

    def organisation(self, name: str) -> URIRef | None:
        found = self.organisations.get(normalise(name), set())
        return next(iter(found)) if len(found) == 1 else None

    def document_type(self, title: str) -> URIRef | None:
        """The document type a title names: one word, or two written apart ("Hørings svar")."""
        words = [w for w in normalise(title).split() if w]
        for i, word in enumerate(words):
            for candidate in (word, word + words[i + 1] if i + 1 < len(words) else None):
                if candidate and candidate in self.document_types:
                    return self.document_types[candidate]
        return None

    def mentions(self, text: str) -> tuple[set[URIRef], list[tuple[int, int]]]:
        """The resources whose labels occur in the text, and where (for the unmatched report)."""
        found: set[URIRef] = set()
        spans: list[tuple[int, int]] = []
        folded = text.casefold()
        for label in self.labels:
            if label.text.casefold() not in folded:
                continue
            for match in label.pattern.finditer(text):
                found.add(label.iri)
                spans.append(match.span())
        return found, spans

    def unmatched_abbreviations(self, text: str, spans: list[tuple[int, int]]) -> set[str]:
        """Abbreviations in the text (TØK, PSRM …) that no known label covered: candidates for curators."""
        out = set()
        for match in _ABBREVIATION.finditer(text):
            if not any(start <= match.start() and match.end() <= end for start, end in spans):
                out.add(match.group(0))
        return out


def _pattern(label: str) -> re.Pattern[str]:
    abbreviation = label.upper() == label
    endings = r"(?:s|'s|’s|')?" if abbreviation or " " in label else r"(?:s|'s|’s|'|et|ets|en|ens)?"
    flags = 0 if abbreviation else re.IGNORECASE
    return re.compile(rf"(?<![\w]){re.escape(label)}{endings}(?![\w])", flags)
