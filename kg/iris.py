"""Minting kg's IRIs from natural keys.

Re-ingesting a source must give the same IRIs, so every IRI is a function of the
thing's natural key (body and date, item number, case number, a slug of a
title).  The curated RDF in ``data/`` writes the same IRIs relative to the base
(``<id/case/SAG-2022-04763>``), so both meet in one graph.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

_TRANSLIT = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa", "ß": "ss"})


def slugify(text: str) -> str:
    """A lower-case ASCII slug: Danish letters transliterated (æ→ae, ø→oe, å→aa)."""
    text = text.translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return text or "x"


class Minter:
    """Mints IRIs under one base; the paths are the ones the architecture fixes."""

    def __init__(self, base_iri: str) -> None:
        self.base = base_iri.rstrip("/")

    def _id(self, *parts: str) -> str:
        return self.base + "/id/" + "/".join(parts)

    def meeting(self, body: str, date: str) -> str:
        """``date`` as ``yyyy-mm-dd``."""
        return self._id("meeting", body, date)

    def agenda_item(self, body: str, date: str, number: str) -> str:
        return self._id("agenda-item", body, date, number)

    def agenda_section(self, body: str, date: str, number: str) -> str:
        """A section of the agenda (1 Siden sidst, 2 Drøftelsessager, …)."""
        return self._id("agenda-section", body, date, number)

    def treatment(self, body: str, date: str, number: str) -> str:
        """The treatment (besluit:BehandelingVanAgendapunt) of an item."""
        return self._id("treatment", body, date, number)

    def recommendation(self, body: str, date: str, number: str, ordinal: int) -> str:
        return self._id("recommendation", body, date, number, str(ordinal))

    def attachment(self, body: str, date: str, number: str, ordinal: int) -> str:
        return self._id("document", body, date, number, str(ordinal))

    def decision(self, body: str, date: str, ordinal: int) -> str:
        """A body's decision at a meeting; ``ordinal``: the subject's place in its numbered list."""
        return self._id("decision", body, date, str(ordinal))

    def item_decision(self, body: str, date: str, number: str) -> str:
        """The decision a body's minutes record on one of its own agenda items."""
        return self._id("decision", body, date, "item", number)

    @staticmethod
    def paragraph(owner: str, kind: str, ordinal: int) -> str:
        """One paragraph of a decision's remarks or statement: ``{decision}/remark/2``."""
        return f"{owner}/{kind}/{ordinal}"

    def case(self, case_number: str) -> str:
        return self._id("case", case_number.strip().upper())

    def product(self, slug: str) -> str:
        return self._id("product", slug)

    def dataset(self, slug: str) -> str:
        return self._id("dataset", slug)

    def service(self, slug: str) -> str:
        return self._id("service", slug)

    def distribution(self, owner_slug: str, slug: str) -> str:
        return self._id("distribution", owner_slug, slug)

    def record(self, slug: str) -> str:
        return self._id("record", slug)

    def concept(self, scheme: str, slug: str) -> str:
        return self._id("concept", scheme, slug)

    def scheme(self, scheme: str) -> str:
        return self._id("concept", scheme)

    def scheme_version(self, scheme: str, number: int) -> str:
        """A recorded version of a concept scheme (outside ``id/concept/`` so no concept slug can clash)."""
        return self._id("concept-version", scheme, str(number))

    def org(self, slug: str) -> str:
        return self._id("org", slug)

    def person(self, name: str) -> str:
        return self._id("person", slugify(name))

    def system(self, slug: str) -> str:
        return self._id("system", slug)

    def graph(self, relative_path: str) -> str:
        """The named graph of a source file, from its path relative to the data folder."""
        path = PurePosixPath(relative_path)
        clean = "/".join(slugify(p) if p not in {".", ".."} else "x" for p in path.with_suffix("").parts)
        return f"{self.base}/graph/{clean}"

    def meta_graph(self) -> str:
        """The graph holding one PROV record per loaded graph."""
        return f"{self.base}/graph/meta"

    def inferred_graph(self) -> str:
        return f"{self.base}/graph/inferred"

    def quality_graph(self) -> str:
        return f"{self.base}/graph/quality"

    def validation_graph(self) -> str:
        return f"{self.base}/graph/validation"

    def void_graph(self) -> str:
        return f"{self.base}/graph/void"

    def staging_graph(self, graph: str, token: str) -> str:
        """A private graph a load fills before it is switched in; never queried."""
        return f"{self.base}/graph/staging/{token}?for={graph}"
