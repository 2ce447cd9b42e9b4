"""Search across labels and text: a SQLite FTS5 index built at load time, beside the store.

``FILTER(CONTAINS(...))`` over a million triples costs half a second or more per
request; an inverted index answers in milliseconds.  So the work happens when data
changes: :func:`refresh` reads every label, name and text once
(``kg/queries/search/documents.rq``) and writes one FTS5 row per resource, with
Danish and English labels, names (alternative labels, notations, identifiers, case
numbers), body text and the resource's kind for facets.  Requests only query it.

* **Ranked** with BM25, labels weighing most, then names, then text.
* **Safe to query**: the user's words become quoted prefix terms, never FTS syntax.
* **Highlighted safely**: FTS5 marks hits with private-use characters, which are
  split into ``(text, is_hit)`` segments; templates escape the text and wrap hits
  in ``<mark>``, so data can never inject markup.
* **Built by the pipeline, read by requests**: :func:`refresh` is a step of the
  derivation pipeline (:mod:`kg.derive`) and writes the index into the publication
  (:mod:`kg.publication`) in one transaction, so readers see the old index or the new
  one, never half of one; requests only query it.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Literal

from kg.config import Settings
from kg.namespaces import BESLUIT, DCAT, DCTERMS, FOAF, KG, MDL, ORG, OWL, RDFS, SCHEMA, SKOS
from kg.publication import Publication
from kg.queries import get_query, iri, render
from kg.store.base import Store

HIT_START, HIT_END = "\ue000", "\ue001"
#: Facet kinds by class; the first class of a resource found here decides its kind.
KINDS: tuple[tuple[str, str], ...] = tuple((str(c), k) for c, k in (
    (BESLUIT.Zitting, "meeting"), (BESLUIT.Agendapunt, "item"), (KG.Case, "case"),
    (BESLUIT.Besluit, "decision"),
    (KG.ArchitectureProduct, "product"), (DCAT.Dataset, "dataset"), (DCAT.DataService, "dataset"),
    (SKOS.ConceptScheme, "scheme"), (SKOS.Concept, "concept"), (KG.GoverningBody, "organisation"),
    (ORG.Organization, "organisation"), (FOAF.Organization, "organisation"), (FOAF.Person, "person"),
    (OWL.Ontology, "ontology"), (OWL.Class, "term"), (OWL.ObjectProperty, "term"),
    (OWL.DatatypeProperty, "term"), (KG.Recommendation, "recommendation"), (FOAF.Document, "document"),
))
KIND_NAMES = (*dict.fromkeys(k for _, k in KINDS), "other")
_LABELS = {str(p): n for n, p in enumerate((SKOS.prefLabel, RDFS.label, DCTERMS.title, FOAF.name, SCHEMA.name,
                                            KG.proposalTitle))}
_NAMES = frozenset(str(p) for p in (SKOS.altLabel, MDL.deprecatedLabel, SKOS.hiddenLabel, SKOS.notation,
                                    DCTERMS.identifier, KG.number, DCAT.keyword))
_MAX_TERMS = 8
#: How much each kind's BM25 score counts (bm25 is negative: a larger weight ranks higher).  A
#: reviewer searching "ladepunkt" means the concept before the model's class of the same name, and
#: "CPR" the council's item about it before the many terms of the CPR concept list that mention it.
KIND_WEIGHTS = {"meeting": 2.0, "item": 2.0, "decision": 1.8, "case": 1.8, "product": 1.8, "dataset": 1.8,
                "scheme": 1.6, "concept": 1.5, "organisation": 1.4, "person": 1.4, "recommendation": 1.2,
                "document": 1.2, "ontology": 1.0, "term": 1.0, "other": 0.8}
_KIND_WEIGHT = "(CASE kind " + " ".join(f"WHEN '{k}' THEN {w}" for k, w in KIND_WEIGHTS.items()) \
    + " ELSE 1.0 END)"
#: Above this many matches, ranking and exact facet counts would read them all; see SearchIndex.search.
RANK_LIMIT = 2000


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str
    label: list[tuple[str, bool]]          # segments of the label, hits marked
    snippet: list[tuple[str, bool]]        # segments of the best matching text
    fallback: bool                         # the label is not in the asked language
    snippet_fallback: bool = False         # the snippet is from the text in the other language


@dataclass
class SearchResult:
    query: str
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, int | None] = field(default_factory=dict)   # None: not counted (many matches)
    total: int = 0
    kind: str | None = None


def segments(marked: str) -> list[tuple[str, bool]]:
    """Split FTS5 output marked with the private-use hit markers into ``(text, is_hit)`` parts."""
    out: list[tuple[str, bool]] = []
    for part in re.split(f"({HIT_START}.*?{HIT_END})", marked):
        if not part:
            continue
        if part.startswith(HIT_START) and part.endswith(HIT_END):
            out.append((part[1:-1], True))
        else:
            out.append((part.replace(HIT_START, "").replace(HIT_END, ""), False))
    return out


def match_expression(text: str) -> str:
    """The user's words as an FTS5 expression: every word must occur, as a word or a word's start."""
    words = re.findall(r"\w+", text.lower())[:_MAX_TERMS]
    return " ".join(f'"{w}"*' for w in words)


class SearchIndex:
    """The index in the publication: queried by requests, rewritten by :func:`refresh`."""

    def __init__(self, publication: Publication) -> None:
        self.publication = publication

    def search(self, text: str, lang: str, kind: str | None = None, limit: int = 20,
               offset: int = 0) -> SearchResult:
        """Ranked hits (labels in ``lang`` where there is one) and the count per kind.

        A label equal to the query comes first; then BM25 with labels weighing 10, names 5, text 1.
        Ranking and exact facet counts read every match, so for words that occur in thousands of
        documents ("kommune" in every description) the work is bounded: hits in labels and names are
        ranked and come first, hits only in text follow in index order, and facets come from the
        first :data:`RANK_LIMIT` matches (counts then omitted).
        """
        result = SearchResult(text, kind=kind)
        expression = match_expression(text)
        if not expression:
            return result
        names = f"{{label_da label_en names}} : ({expression})"
        if kind:  # the kind is also an indexed token, so filtering by it never reads the documents
            expression_all, expression = expression, f'({expression}) AND kindtoken : "k{kind}"'
            names = f'({names}) AND kindtoken : "k{kind}"'
        else:
            expression_all = expression
        try:
            with self.publication.connection() as db:
                rows = _Lookup(db).run(result, text, lang, kind, limit, offset, expression, expression_all,
                                       names)
        except (sqlite3.OperationalError, FileNotFoundError):  # nothing indexed yet
            return result
        for iri_, kind_, label, other, body, other_body, names_ in rows:
            shown = label or other or iri_
            # One language per hit: the text in the reader's language; the other language's text only
            # when the words are found there alone (the page marks it); else the names that matched.
            snippet, snippet_fallback = body, False
            if HIT_START not in body:
                if HIT_START in names_:
                    snippet = names_
                elif HIT_START in other_body:
                    snippet, snippet_fallback = other_body, True
                elif not body:
                    snippet, snippet_fallback = other_body, bool(other_body)
            result.hits.append(Hit(iri_, kind_, segments(shown), segments(snippet),
                                   fallback=not label and bool(other), snippet_fallback=snippet_fallback))
        return result


Row = tuple[str, str, str, str, str, str, str]


class _Lookup:
    """The queries of one search, on one connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def run(self, result: SearchResult, text: str, lang: str, kind: str | None, limit: int, offset: int,
            expression: str, expression_all: str, names: str) -> list[Row]:
        total = self.count(expression)
        result.total = total
        if self.count(expression_all) <= RANK_LIMIT:
            facets = self.db.execute("SELECT kind, count(*) FROM search_docs WHERE search_docs MATCH ? "
                                     "GROUP BY kind", (expression_all,)).fetchall()
            result.facets = dict(sorted(facets, key=lambda kn: (-kn[1], kn[0])))
        else:
            sample = self.db.execute("SELECT DISTINCT kind FROM (SELECT kind FROM search_docs "
                                     "WHERE search_docs MATCH ? LIMIT ?)",
                                     (expression_all, RANK_LIMIT)).fetchall()
            result.facets = {k: None for (k,) in sorted(sample)}
            if kind and kind not in result.facets:
                result.facets[kind] = None
        if total <= RANK_LIMIT:
            return self.page(expression, text, lang, limit, offset, ranked=True)
        in_names = self.count(names)
        rows: list[Row] = []
        if offset < in_names:
            rows = self.page(names, text, lang, limit, offset, ranked=in_names <= RANK_LIMIT)
        if len(rows) < limit:
            rest = f"({expression}) NOT ({names})"  # text-only hits
            rows += self.page(rest, text, lang, limit - len(rows), max(0, offset - in_names), ranked=False)
        return rows

    def count(self, expression: str) -> int:
        row = self.db.execute("SELECT count(*) FROM search_docs WHERE search_docs MATCH ?",
                              [expression]).fetchone()
        return int(row[0])

    def page(self, expression: str, text: str, lang: str, limit: int, offset: int, ranked: bool) -> list[Row]:
        label_col = 2 if lang == "da" else 3
        other_col = 5 - label_col
        body_col = 5 if lang == "da" else 6
        other_body = 11 - body_col
        order = ("ORDER BY (label_da = ? COLLATE NOCASE OR label_en = ? COLLATE NOCASE) DESC, "
                 f"bm25(search_docs, 0, 0, 10.0, 10.0, 5.0, 1.0, 1.0, 0) * {_KIND_WEIGHT}") if ranked else ""
        params: list[object] = [HIT_START, HIT_END] * 5 + [expression]
        params += [text.strip()] * 2 if ranked else []
        rows = self.db.execute(
            f"SELECT iri, kind, highlight(search_docs, {label_col}, ?, ?), "
            f"highlight(search_docs, {other_col}, ?, ?), "
            f"snippet(search_docs, {body_col}, ?, ?, '…', 16), "
            f"snippet(search_docs, {other_body}, ?, ?, '…', 16), "
            f"snippet(search_docs, 4, ?, ?, '…', 12) "
            f"FROM search_docs WHERE search_docs MATCH ? {order} LIMIT ? OFFSET ?",
            [*params, limit, offset]).fetchall()
        return rows  # type: ignore[no-any-return]


def _create(db: sqlite3.Connection) -> None:
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS search_docs USING fts5(iri UNINDEXED, kind UNINDEXED, "
               "label_da, label_en, names, body_da, body_en, kindtoken, "
               "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')")


def collect(store: Store) -> list[tuple[str, str, str, str, str, str, str]]:
    """One document per resource: (iri, kind, Danish label, English label, names, Danish text, English text).

    Texts are kept apart by language so a hit's snippet is in the reader's language; a text with
    no language tag goes to both."""
    labels: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    names: dict[str, list[str]] = defaultdict(list)
    body: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"da": [], "en": []})
    for row in store.select(get_query("search/documents")):
        s, p, o = str(row["s"]), str(row["p"]), row["o"]
        text = str(o)
        lang = (o.language or "").split("-")[0] if isinstance(o, Literal) else ""
        if p in _LABELS:
            rank = _LABELS[p]
            for key in ([lang] if lang in ("da", "en") else ["da", "en"]):
                best = labels[s].get(key)
                # an untagged label stands in for both languages, but a tagged one wins
                score = rank + (0 if lang else 10)
                if best is None or score < best[0]:
                    labels[s][key] = (score, text)
            if p == str(KG.proposalTitle):
                _add_text(body[s], lang, text)
        elif p in _NAMES:
            names[s].append(text)
        else:
            _add_text(body[s], lang, text)
    for row in store.select(get_query("search/item-cases")):
        names[str(row["s"])].append(str(row["id"]))
    kinds: dict[str, str] = {}
    rank = {c: n for n, (c, _) in enumerate(KINDS)}
    classes = " ".join(iri(c) for c, _ in KINDS)
    best: dict[str, int] = {}
    for row in store.select(render("search/document-types", classes=classes)):
        s, t = str(row["s"]), str(row["t"])
        if s not in best or rank[t] < best[s]:
            best[s], kinds[s] = rank[t], dict(KINDS)[t]
    docs = []
    for s in set(labels) | set(names) | set(body):
        da = labels[s].get("da", (0, ""))[1]
        en = labels[s].get("en", (0, ""))[1]
        texts = body.get(s, {"da": [], "en": []})
        docs.append((s, kinds.get(s, "other"), da, en, " · ".join(dict.fromkeys(names[s])),
                     "\n".join(dict.fromkeys(texts["da"]))[:20000],
                     "\n".join(dict.fromkeys(texts["en"]))[:20000]))
    return sorted(docs)


def _add_text(texts: dict[str, list[str]], lang: str, text: str) -> None:
    """A text under its language; an untagged one (or in a third language) under both."""
    for key in ([lang] if lang in ("da", "en") else ["da", "en"]):
        texts[key].append(text)


def refresh(store: Store, settings: Settings, publication: Publication) -> int:
    """Rebuild the index from the store, in one transaction of the publication; returns the documents."""
    docs = collect(store)
    with publication.writing() as batch:
        db = batch.db
        db.execute("DROP TABLE IF EXISTS search_docs")  # its columns may be an earlier layout's
        _create(db)
        db.executemany("INSERT INTO search_docs (iri, kind, label_da, label_en, names, body_da, body_en, "
                       "kindtoken) VALUES (?, ?, ?, ?, ?, ?, ?, 'k' || ?2)", docs)
    with publication.connection() as db:
        db.execute("INSERT INTO search_docs(search_docs) VALUES ('optimize')")
    return len(docs)


__all__ = ["KIND_NAMES", "Hit", "SearchIndex", "SearchResult", "match_expression", "refresh", "segments"]
