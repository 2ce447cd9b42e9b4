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
* **Never stale**: the index stores a fingerprint of the graphs it was built from
  (their PROV records, cheap to read); :func:`search_index` rebuilds it when the
  store has changed (a load through the Graph Store endpoint, say).  The embedded
  store's index is a file beside the store folder, built to a temporary file and
  swapped in, so readers never see half an index.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal

from kg.config import Settings
from kg.namespaces import (
    BESLUIT,
    DCAT,
    DCTERMS,
    FOAF,
    KG,
    MDL,
    ORG,
    OWL,
    RDFS,
    SCHEMA,
    SKOS,
)
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
#: Graphs whose changes do not change what search finds.
_IGNORED = ("/graph/meta", "/graph/catalog-index", "/graph/void", "/graph/validation")
_MAX_TERMS = 8
#: The index layout; part of the fingerprint, so a file written by an older kg is rebuilt.
SCHEMA = "kg-search-2"
#: Above this many matches, ranking and exact facet counts would read them all; see SearchIndex.search.
RANK_LIMIT = 2000


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str
    label: list[tuple[str, bool]]          # segments of the label, hits marked
    snippet: list[tuple[str, bool]]        # segments of the best matching text
    fallback: bool                         # the label is not in the asked language


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


def fingerprint(store: Store) -> str:
    """A hash of the PROV records of the graphs search reads (cheap: no triple is read)."""
    skip = {store.base_iri + s for s in _IGNORED}
    digest = hashlib.sha256(SCHEMA.encode())  # an index file of an older layout counts as stale
    for info in store.graphs():
        if info.name not in skip:
            digest.update(f"{info.name}\t{info.triples}\t{info.sha256}\t{info.loaded_at}\n".encode())
    return digest.hexdigest()


class SearchIndex:
    """One FTS5 index (a file, or memory for an in-memory store), safe to share between threads."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path) if self.path else ":memory:", check_same_thread=False)
        _create(db)
        return db

    def fingerprint(self) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        return None if row is None else str(row[0])

    def rebuild(self, store: Store, print_: str | None = None) -> int:
        """Read the store's texts and replace the index with them; returns the number of documents."""
        print_ = print_ or fingerprint(store)
        docs = collect(store)
        if self.path is None:
            db = sqlite3.connect(":memory:", check_same_thread=False)
            _fill(_create(db), docs, print_)
            with self._lock:
                old, self._db = self._db, db
            old.close()
            return len(docs)
        partial = self.path.with_name(self.path.name + f".{os.getpid()}.partial")
        partial.unlink(missing_ok=True)
        db = sqlite3.connect(str(partial))
        _fill(_create(db), docs, print_)
        db.close()
        with self._lock:
            self._db.close()
            os.replace(partial, self.path)
            self._db = self._open()
        return len(docs)

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
        kind_filter = ""
        kind_args: list[object] = []
        with self._lock:
            total = self._count(expression, kind_filter, kind_args)
            result.total = total
            if self._count(expression_all, "", []) <= RANK_LIMIT:
                facets = self._db.execute("SELECT kind, count(*) FROM docs WHERE docs MATCH ? GROUP BY kind",
                                          (expression_all,)).fetchall()
                result.facets = dict(sorted(facets, key=lambda kn: (-kn[1], kn[0])))
            else:
                sample = self._db.execute(
                    "SELECT DISTINCT kind FROM (SELECT kind FROM docs WHERE docs MATCH ? LIMIT ?)",
                    (expression_all, RANK_LIMIT)).fetchall()
                result.facets = {k: None for (k,) in sorted(sample)}
                if kind and kind not in result.facets:
                    result.facets[kind] = None
            if total <= RANK_LIMIT:
                rows = self._page(expression, kind_filter, kind_args, text, lang, limit, offset, ranked=True)
            else:
                in_names = self._count(names, kind_filter, kind_args)
                ranked = in_names <= RANK_LIMIT
                rows = []
                if offset < in_names:
                    rows = self._page(names, kind_filter, kind_args, text, lang, limit, offset, ranked=ranked)
                if len(rows) < limit:
                    rest = f"({expression}) NOT ({names})"  # text-only hits
                    rows += self._page(rest, kind_filter, kind_args, text, lang, limit - len(rows),
                                       max(0, offset - in_names), ranked=False)
        for iri_, kind_, label, other, body, names_ in rows:
            shown = label or other or iri_
            snippet = body if HIT_START in body else (names_ if HIT_START in names_ else body)
            result.hits.append(Hit(iri_, kind_, segments(shown), segments(snippet),
                                   fallback=not label and bool(other)))
        return result

    def _count(self, expression: str, kind_filter: str, kind_args: list[object]) -> int:
        row = self._db.execute(f"SELECT count(*) FROM docs WHERE docs MATCH ?{kind_filter}",
                               [expression, *kind_args]).fetchone()
        return int(row[0])

    def _page(self, expression: str, kind_filter: str, kind_args: list[object], text: str, lang: str,
              limit: int, offset: int, ranked: bool) -> list[tuple[str, str, str, str, str, str]]:
        label_col = 2 if lang == "da" else 3
        other_col = 5 - label_col
        order = ("ORDER BY (label_da = ? COLLATE NOCASE OR label_en = ? COLLATE NOCASE) DESC, "
                 "bm25(docs, 0, 0, 10.0, 10.0, 5.0, 1.0, 0)") if ranked else ""
        params: list[object] = [HIT_START, HIT_END] * 4 + [expression, *kind_args]
        params += [text.strip()] * 2 if ranked else []
        rows = self._db.execute(
            f"SELECT iri, kind, highlight(docs, {label_col}, ?, ?), highlight(docs, {other_col}, ?, ?), "
            f"snippet(docs, 5, ?, ?, '…', 16), snippet(docs, 4, ?, ?, '…', 12) "
            f"FROM docs WHERE docs MATCH ?{kind_filter} {order} LIMIT ? OFFSET ?",
            [*params, limit, offset]).fetchall()
        return rows  # type: ignore[no-any-return]

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _create(db: sqlite3.Connection) -> sqlite3.Connection:
    db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(iri UNINDEXED, kind UNINDEXED, "
               "label_da, label_en, names, body, kindtoken, "
               "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')")
    return db


def _fill(db: sqlite3.Connection, docs: list[tuple[str, str, str, str, str, str]], print_: str) -> None:
    with db:
        db.execute("DELETE FROM docs")
        db.executemany("INSERT INTO docs (iri, kind, label_da, label_en, names, body, kindtoken) "
                       "VALUES (?, ?, ?, ?, ?, ?, 'k' || ?2)", docs)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (print_,))
        db.execute("INSERT INTO docs(docs) VALUES ('optimize')")


def collect(store: Store) -> list[tuple[str, str, str, str, str, str]]:
    """One document per resource: (iri, kind, Danish label, English label, names, body)."""
    labels: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    names: dict[str, list[str]] = defaultdict(list)
    body: dict[str, list[str]] = defaultdict(list)
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
                body[s].append(text)
        elif p in _NAMES:
            names[s].append(text)
        else:
            body[s].append(text)
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
        docs.append((s, kinds.get(s, "other"), da, en, " · ".join(dict.fromkeys(names[s])),
                     "\n".join(dict.fromkeys(body[s]))[:20000]))
    return sorted(docs)


_INDEXES: dict[tuple[int, str], SearchIndex] = {}
_REGISTRY_LOCK = threading.Lock()


def index_path(settings: Settings) -> Path | None:
    """Where the embedded store's index lives: a file beside the store folder (None: in memory)."""
    if settings.store != "embedded":
        return None
    folder = settings.store_path
    return folder.with_name(folder.name + "-search.sqlite")


def _registered(store: Store, settings: Settings) -> SearchIndex:
    key = (id(store), str(index_path(settings)))
    with _REGISTRY_LOCK:
        index = _INDEXES.get(key)
        if index is None:
            path = index_path(settings)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            index = _INDEXES[key] = SearchIndex(path)
        return index


def search_index(store: Store, settings: Settings) -> SearchIndex:
    """The store's search index, rebuilt first if the store has changed since it was built.

    The check reads the graphs' PROV records only, so it is cheap enough for every request;
    a rebuild happens at most once per change (normally :func:`refresh` did it at load time).
    """
    index = _registered(store, settings)
    current = fingerprint(store)
    if index.fingerprint() != current:
        with index._lock:
            if index.fingerprint() != current:
                index.rebuild(store, current)
    return index


def refresh(store: Store, settings: Settings) -> int:
    """Rebuild the index now (after a load); returns the number of documents indexed."""
    return _registered(store, settings).rebuild(store)


__all__ = ["KIND_NAMES", "Hit", "SearchIndex", "SearchResult", "match_expression", "refresh", "search_index",
           "segments"]
