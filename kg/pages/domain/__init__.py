"""Pages shaped for the domain: the sections a meeting, an item, a case, a decision, a product,
a dataset, a concept scheme, a concept or an agent shows on top of the generic page.

Each section is one query from ``kg/queries/browse/`` with the page's IRIs bound first
(``VALUES``), so its cost does not grow with the store.  Sections hold :class:`Term`
objects (IRI + label in the reader's language) and plain strings; the templates lay
them out.  A section that finds nothing is left out, so pages show what exists and
degrade gracefully while parts of the graph are still being loaded.

One module a subject, importing one way: :mod:`.values` (reading values), :mod:`.agenda`,
:mod:`.decisions` (which shapes its paragraphs as the agenda's), :mod:`.quality`, :mod:`.concepts`,
and :mod:`.sections`, which puts each kind of page together from them.
"""

from __future__ import annotations

from kg.namespaces import BESLUIT, DCAT, FOAF, KG, ORG, OWL, SKOS
from kg.pages.domain.decisions import Decision, meeting_decisions
from kg.pages.domain.quality import SEVERITIES
from kg.pages.domain.sections import add_sections

__all__ = ["KINDS", "SEVERITIES", "Decision", "add_sections", "kind_of", "meeting_decisions"]

#: The page kind of each type; the first type of a resource found here decides its page.
KINDS: tuple[tuple[str, str], ...] = (
    (str(BESLUIT.Zitting), "meeting"), (str(BESLUIT.Agendapunt), "item"), (str(KG.Case), "case"),
    (str(BESLUIT.Besluit), "decision"), (str(KG.ArchitectureProduct), "product"),
    (str(DCAT.Dataset), "dataset"), (str(DCAT.DataService), "dataset"),
    (str(SKOS.ConceptScheme), "scheme"), (str(SKOS.Concept), "concept"),
    (str(KG.GoverningBody), "organisation"), (str(ORG.Organization), "organisation"),
    (str(FOAF.Organization), "organisation"), (str(FOAF.Person), "person"), (str(OWL.Ontology), "ontology"),
)


def kind_of(types: list[str]) -> str:
    present = set(types)
    return next((kind for cls, kind in KINDS if cls in present), "resource")
