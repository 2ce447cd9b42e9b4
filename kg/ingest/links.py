"""Links derived from what agendas and minutes say: to products, organisations, systems, people.

An agenda's graph holds only what the document says, in words: the title a board's list gives a
proposal, the prose that names systems and organisations, an attachment's title, the name of a
body a recommendation is addressed to.  Which catalogue product, organisation or system those
words denote is a question about the *rest* of the store, whose answer changes when
``data/catalog/products.ttl`` or the organisations change.  So the links are not ingested: this
module derives them from the store as it is, and the write path keeps them in their own graph
(``<base>/graph/links``, :data:`LINKS_GRAPH_PATH`), recomputed after any load that changes an
agenda, minutes, or the labels they are matched against.

The links (see :mod:`kg.ingest.agenda_known` for how words are matched, strictly):

* a board decision ``kg:approves`` the product whose title is the proposal's title, when its
  outcome approved it (``godkendt`` / ``godkendt-med-bemaerkninger``); a decision with another
  outcome (rejected, postponed, withdrawn, other, none read) has the product as ``dct:subject``;
* an item (and a minutes decision) ``kg:mentions`` the organisations, systems, standards,
  datasets, products and people its texts name (not the body that holds its own meeting, and not
  the lead-in "Sekretariatet indstiller, at …");
* an attachment gets the ``dct:type`` its title names ("Præsentation af …"), ``henvisning`` when
  it only points to a web page, and ``dct:creator`` the organisation its title cites as author;
* a recommendation with a ``kg:addresseeName`` is ``kg:addressedTo`` the organisation of that name.

What matches nothing is reported (:class:`LinkResult`), never guessed at.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from kg.ingest.agenda_known import KnownIndex
from kg.iris import Minter
from kg.namespaces import DCTERMS, KG, bind_all
from kg.queries import get_query

#: The derived graph's path under ``<base>/graph/``.
LINKS_GRAPH_PATH = "links"
APPROVING = ("/decision-outcome/godkendt", "/decision-outcome/godkendt-med-bemaerkninger")
_LEAD_IN = re.compile(r"\bindstille[rs]\b", re.IGNORECASE)


@dataclass
class LinkResult:
    """The derived link triples and what could not be linked."""

    graph: Graph
    #: Proposal titles no catalogue product has (sorted, once each).
    unmatched_products: list[str] = field(default_factory=list)
    #: Abbreviations in item texts that no known label covers (candidates for the curators).
    unmatched_mentions: list[str] = field(default_factory=list)
    #: Addressee names no organisation has.
    unmatched_addressees: list[str] = field(default_factory=list)

    def notes(self) -> list[str]:
        """One line per kind of miss, for the command line and the load report."""
        out = []
        if self.unmatched_products:
            out.append(f"products not in the catalogue: {'; '.join(self.unmatched_products)}")
        if self.unmatched_mentions:
            out.append(f"abbreviations no known resource has: {', '.join(self.unmatched_mentions)}")
        if self.unmatched_addressees:
            out.append(f"addressees no organisation has: {'; '.join(self.unmatched_addressees)}")
        return out


def links_graph(base_iri: str) -> str:
    """The IRI of the derived links graph."""
    return Minter(base_iri).graph(LINKS_GRAPH_PATH)


def _select(store: object, name: str) -> list[dict[str, object]]:
    return store.select(get_query(f"agenda/{name}"))  # type: ignore[attr-defined, no-any-return]


def _mention_text(kind: str, text: str) -> str:
    """The part of a text that may mention things: a recommendation part without its lead-ins."""
    if kind.endswith("#recommendationText"):
        return "\n\n".join(p for p in text.split("\n\n") if not _LEAD_IN.search(p))
    return text


def link_agendas(store: object) -> LinkResult:
    """Derive the links of every agenda and minutes in the store (see module doc); writes nothing."""
    from kg.ingest.agenda import known_labels

    known = KnownIndex.from_graph(known_labels(store))
    graph = bind_all(Graph())
    result = LinkResult(graph)
    _mentions(store, known, result)
    _products(store, known, result)
    _attachments(store, known, result, store.base_iri)  # type: ignore[attr-defined]
    _addressees(store, known, result)
    return result


def _mentions(store: object, known: KnownIndex, result: LinkResult) -> None:
    texts: dict[URIRef, list[str]] = defaultdict(list)
    own: dict[URIRef, set[str]] = defaultdict(set)
    for row in _select(store, "reference-texts"):
        subject = row["subject"]
        if not isinstance(subject, URIRef):
            continue
        texts[subject].append(_mention_text(str(row["kind"]), str(row["text"])))
        if row.get("body") is not None:
            own[subject].add(str(row["body"]))
    unmatched: set[str] = set()
    for subject in sorted(texts):
        text = "\n".join(dict.fromkeys(texts[subject]))
        found, spans = known.mentions(text)
        for iri in sorted(found):
            if str(iri) not in own[subject]:
                result.graph.add((subject, KG.mentions, iri))
        unmatched.update(known.unmatched_abbreviations(text, spans))
    result.unmatched_mentions = sorted(unmatched)


def _products(store: object, known: KnownIndex, result: LinkResult) -> None:
    missing: set[str] = set()
    for row in _select(store, "proposals"):
        decision, title = row["decision"], str(row["title"])
        if not isinstance(decision, URIRef):
            continue
        product = known.product(title)
        if product is None:
            missing.add(title)
            continue
        outcome = str(row.get("outcome") or "")
        predicate = KG.approves if outcome.endswith(APPROVING) else DCTERMS.subject
        result.graph.add((decision, predicate, product))
    result.unmatched_products = sorted(missing)


def _attachments(store: object, known: KnownIndex, result: LinkResult, base_iri: str) -> None:
    pointer = URIRef(Minter(base_iri).concept("document-type", "henvisning"))
    for row in _select(store, "attachments"):
        attachment, title = row["attachment"], str(row["title"])
        if not isinstance(attachment, URIRef):
            continue
        kind = known.document_type(title)
        if kind is None and row.get("page") is not None and known.document_types:
            kind = pointer
        if kind is not None:
            result.graph.add((attachment, DCTERMS.type, kind))
        for creator in _creators(known, title):
            result.graph.add((attachment, DCTERMS.creator, creator))


def _creators(known: KnownIndex, title: str) -> list[URIRef]:
    """Organisations a title cites as its author ("…, KOMBIT, november 2023", "KOMBIT strategi …")."""
    found = [known.organisation(segment) for segment in title.split(",")[1:]]
    words = title.split()
    for i in range(1, len(words)):
        if known.document_type(words[i]) is not None:
            found.append(known.organisation(" ".join(words[:i])))
            break
    return sorted({f for f in found if f is not None})


def _addressees(store: object, known: KnownIndex, result: LinkResult) -> None:
    missing: set[str] = set()
    for row in _select(store, "addressees"):
        recommendation, name = row["recommendation"], str(row["name"])
        organisation = known.organisation(name)
        if organisation is None or not isinstance(recommendation, URIRef):
            missing.add(name)
            continue
        result.graph.add((recommendation, KG.addressedTo, organisation))
    result.unmatched_addressees = sorted(missing)
