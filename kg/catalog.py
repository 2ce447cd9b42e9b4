"""The DCAT-AP-DK catalogue harvesters page through: built by the pipeline, served as stored bytes.

(Some 800 lines: building the pages and serving them share one byte format, one key scheme in
the publication and one paging rule, which must not drift apart; the module keeps them together.)

Harvesters are unforgiving (one unparseable page or one failing ``next`` link and CKAN imports
nothing) and compare datasets by hashing them, so pages must be cheap, stable and byte-for-byte
deterministic.  Everything is made at load time (:func:`publish_catalogue`, a step of
:mod:`kg.derive`) and a request looks stored bytes up (:func:`page`, :func:`item_document`):

* **Items keep their place.**  Every dataset and data service has a position, given when it first
  appears and kept while it exists (``catalogue_items`` in the publication).  Page *n* holds
  positions ``(n-1)·100+1 … n·100``; a changed dataset changes only its own page, a new one the
  last page, a removed one leaves a gap.  Each item is on exactly one page.
* **Item documents** (``/id/dataset/x.ttl``): each item's description, with its quality in brief
  (score and rating), stored as canonical N-Triples (sorted, blank nodes named from their content).
* **Pages** of the default size are stored in every served format, with their ETag; the links
  between pages name the collection by a placeholder that the request's own address replaces, so a
  harvester follows links on the host it reached kg by.  ``hydra:totalItems`` and ``hydra:last`` are
  on the first page only, so a new dataset does not rewrite every page.
* Pages of another size, and ``modified_since``, are put together on request from the stored item
  documents (no store query).

Only what changed is made again: the items the change can show on (``catalog/affected-items.rq``)
and the pages they are on.  The web layer (``webapp/catalog.py``) only calls the functions here.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import re
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import urlencode

import pyoxigraph as ox

from kg import graphs
from kg.config import Settings
from kg.formats import FORMATS, DocumentFormat
from kg.namespaces import DCTERMS, HYDRA, PREFIXES, RDF, VOID, XSD
from kg.publication import Batch, Publication
from kg.queries import iri, literal, render
from kg.store.base import Store
from kg.store.terms import OX_FORMATS

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000
#: Where a stored page names the collection; each request puts its own address in its place.
HERE = "urn:x-kg:collection"
#: Above this share of all items, a change rebuilds the whole catalogue (cheaper than finding them).
FULL_SHARE = 0.3
_CHUNK = 500


class CatalogError(ValueError):
    """A request the catalogue cannot answer; ``status`` is the HTTP status to give."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status



@dataclass(frozen=True)
class Document:
    """Serialised RDF with what HTTP caching needs."""

    body: bytes
    format: DocumentFormat
    etag: str
    last_modified: datetime | None
    #: The content coding ``body`` is in (``br``, ``gzip``), None for the identity form.
    encoding: str | None = None

    @property
    def content_type(self) -> str:
        return self.format.content_type


@dataclass(frozen=True)
class Paging:
    """Where a page sits in the (possibly filtered) catalogue."""

    page: int
    per_page: int
    total: int
    last: int


# -- names ------------------------------------------------------------------------------------

def void_graph(base_iri: str) -> str:
    return graphs.derived_graph(base_iri, "void")


def void_dataset(base_iri: str) -> str:
    """The IRI of the VoID description of kg's whole dataset."""
    return base_iri.rstrip("/") + "/.well-known/void#kg"


def _unpublished(base_iri: str) -> str:
    """The graphs a harvester does not see, as a SPARQL list for ``FILTER(?g NOT IN (...))``.

    The queries exclude these few graphs rather than list the published ones: a default graph of N
    listed graphs costs Oxigraph N index lookups per triple pattern.
    """
    names = [f"{base_iri}/graph/meta", *(graphs.derived_graph(base_iri, n)
                                          for n in ("inferred", "validation", "void"))]
    return ", ".join(iri(n) for n in names)


def _bookkeeping_graphs(base_iri: str) -> list[str]:
    """kg's own graphs (PROV, validation, quality, VoID): not counted by VoID, which describes the data."""
    own = ("validation", "quality", "void")
    return [f"{base_iri}/graph/meta", *(graphs.derived_graph(base_iri, n) for n in own)]


def _bookkeeping(base_iri: str) -> str:
    """:func:`_bookkeeping_graphs` as a SPARQL list."""
    return ", ".join(iri(n) for n in _bookkeeping_graphs(base_iri))


def latest_load(store: Store) -> str | None:
    """When the sources last changed (the newest load time of an asserted graph)."""
    stamps = [g.loaded_at for g in store.graphs()
              if g.loaded_at and graphs.kind_of(g.name, store.base_iri) == "asserted"]
    return max(stamps) if stamps else None


# -- sort keys and dates ----------------------------------------------------------------------

def parse_instant(text: str) -> str:
    """An ISO 8601 date or date-time as a sortable UTC key ``YYYY-MM-DDTHH:MM:SSZ``.

    Dates count from midnight UTC; date-times without a zone are taken as UTC.  Raises
    ``ValueError`` for anything else.
    """
    text = text.strip()
    if not text:
        raise ValueError("empty date")
    value = datetime.fromisoformat(text.replace("z", "Z"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sort_key(*candidates: str | None) -> str:
    for candidate in candidates:
        if candidate:
            try:
                return parse_instant(candidate)
            except ValueError:
                continue
    return ""


def _http_date(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(parse_instant(stamp).replace("Z", "+00:00"))
    except ValueError:
        return None


# -- serialisation ----------------------------------------------------------------------------

def _canonical_blank_nodes(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Relabel blank nodes from their content, so a reload of the same data gives the same bytes.

    A blank node's label is a hash of its outgoing triples (blank objects by their own hashes,
    computed to a fixed depth) and of the triples pointing at it.  Enough for the tree-shaped blank
    nodes of DCAT (contact points, periods, checksums); it is not the full RDF canonicalisation.
    RDFC-1.0 (``pyoxigraph.Dataset.canonicalize``) is not used on purpose: it numbers a document's
    blank nodes from ``c14n0``, so the item documents a page concatenates would share labels and
    their blank nodes would merge; labels from content differ wherever the content does.
    """
    blanks = {t.subject for t in triples if isinstance(t.subject, ox.BlankNode)} | {
        t.object for t in triples if isinstance(t.object, ox.BlankNode)}
    if not blanks:
        return triples
    out: dict[object, list[tuple[str, object]]] = {b: [] for b in blanks}
    into: dict[object, list[str]] = {b: [] for b in blanks}
    for t in triples:
        if t.subject in out:
            out[t.subject].append((str(t.predicate), t.object))
        if t.object in into and not isinstance(t.subject, ox.BlankNode):
            into[t.object].append(f"{t.subject} {t.predicate}")
    labels = {b: "" for b in blanks}
    for _ in range(3):
        labels = {
            b: hashlib.sha256("\n".join(sorted(
                [f"> {p} {labels.get(o, o)}" for p, o in out[b]] +
                [f"< {s}" for s in into[b]])).encode()).hexdigest()
            for b in blanks
        }
    seen: dict[str, int] = {}
    names: dict[object, ox.BlankNode] = {}
    for b in sorted(blanks, key=lambda x: (labels[x], str(x))):
        label = labels[b][:16]
        seen[label] = seen.get(label, 0) + 1
        names[b] = ox.BlankNode(f"b{label}" + (f"x{seen[label]}" if seen[label] > 1 else ""))

    def swap(term: object) -> object:
        return names.get(term, term)

    return [ox.Triple(swap(t.subject), t.predicate, swap(t.object)) for t in triples]  # type: ignore[arg-type]


def serialize(triples: Iterable[ox.Triple], fmt: DocumentFormat) -> bytes:
    """Deterministic bytes: blank nodes relabelled, triples de-duplicated and sorted."""
    unique = _canonical_blank_nodes(list(set(triples)))
    unique.sort(key=str)  # a triple's N-Triples line: subject, then predicate, then object
    prefixes = PREFIXES if fmt.syntax in ("turtle", "rdfxml") else None
    return ox.serialize(unique, format=OX_FORMATS[fmt.syntax], prefixes=prefixes) or b""


def _parse(data: bytes) -> list[ox.Triple]:
    return list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))  # type: ignore[arg-type]


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


#: The content codings pages and the VoID description are stored in besides their identity form, with
#: fixed settings and no timestamp (the same bytes give the same result): gzip, which every harvester
#: asks for (CKAN, piveau, Comunica).  Brotli would double the step's compression work for clients that
#: are mostly browsers; they get it compressed on the fly.
_ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": lambda body: gzip.compress(body, compresslevel=6, mtime=0),
}
STORED_ENCODINGS = tuple(_ENCODERS)


def _encoded_key(key: str, here: str, encoding: str) -> str:
    """Where the encoded form of a stored document is kept, as served at the address ``here``."""
    return f"{key}:{hashlib.sha256(here.encode()).hexdigest()[:12]}:{encoding}"


def _put_encoded(batch: Batch, key: str, body: bytes, fmt: DocumentFormat, here: str,
                 modified: str | None) -> None:
    """The document as served at ``here``, in every stored encoding; its ETag is the identity form's."""
    served = _served(body, here)
    for encoding in STORED_ENCODINGS:
        batch.put(_encoded_key(key, here, encoding), _ENCODERS[encoding](served), fmt.media_type,
                  _etag(served), modified)


# -- the build (a pipeline step) ------------------------------------------------------------------

_TABLE = """CREATE TABLE IF NOT EXISTS catalogue_items (
    iri TEXT PRIMARY KEY, position INTEGER NOT NULL UNIQUE, sortkey TEXT NOT NULL)"""
#: Publication keys: the header every page starts with, the page count, when the sources last changed.
_HEADER, _PAGES, _MODIFIED = "catalogue:header", "catalogue:pages", "catalogue:modified"


@dataclass(frozen=True)
class Built:
    """What :func:`publish_catalogue` did: items in the catalogue, documents and pages rewritten."""

    items: int
    documents: int
    pages: int
    full: bool


def _items(store: Store) -> dict[str, str]:
    """Every item of the catalogue with its sort key (its record's modification, else its own)."""
    rows = store.select(render("catalog/items", unpublished=_unpublished(store.base_iri)))
    return {str(r["item"]): _sort_key(str(r.get("recmod") or ""), str(r.get("dsmod") or "")) for r in rows}


def _canonical_ntriples(lines: Iterable[str]) -> bytes:
    """Sorted, de-duplicated N-Triples lines, blank nodes named from their content."""
    text = "".join(sorted(set(lines)))
    if "_:" in text:  # the same data, the same bytes: blank node labels from content
        relabelled = _canonical_blank_nodes(_parse(text.encode("utf-8")))
        named = ox.serialize(relabelled, format=ox.RdfFormat.N_TRIPLES)
        text = "".join(sorted(set((named or b"").decode("utf-8").splitlines(keepends=True))))
    return text.encode("utf-8")


def _item_documents(store: Store, items: list[str]) -> dict[str, bytes]:
    """Each item's document as canonical N-Triples, from one query per chunk of items.

    The query answers rows of (item, s, p, o) as TSV, whose terms are N-Triples terms (but for
    Turtle's short numbers, :func:`_nt_term`), so the document is put together from text without
    parsing it into objects and back.  Chunks run on two threads: the engine releases the GIL.
    """
    unpublished = _unpublished(store.base_iri)

    def rows(chunk: list[str]) -> str:
        query = render("catalog/item-triples", items=" ".join(iri(i) for i in chunk), unpublished=unpublished)
        return store.execute(query, max_rows=None).serialize("text/tab-separated-values").decode("utf-8")

    found: dict[str, list[str]] = defaultdict(list)
    chunks = [items[start:start + _CHUNK] for start in range(0, len(items), _CHUNK)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for data in pool.map(rows, chunks):
            for line in data.split("\n")[1:]:
                if line:
                    item, s, p, o = line.split("\t", 3)
                    found[item[1:-1]].append(f"{s} {p} {_nt_term(o)} .\n")
    return {item: _canonical_ntriples(found.get(item, [])) for item in items}


def _nt_term(term: str) -> str:
    """A TSV result term as N-Triples: TSV may write numbers and booleans in Turtle's short form."""
    if term[0] in '<"_':
        return term
    if term in ("true", "false"):
        return f'"{term}"^^<{XSD.boolean}>'
    kind = XSD.double if "e" in term or "E" in term else XSD.decimal if "." in term else XSD.integer
    return f'"{term}"^^<{kind}>'


def _header(store: Store) -> bytes:
    """What every page starts with: the catalogues' own description (``catalog/header.rq``)."""
    data = store.execute(render("catalog/header", unpublished=_unpublished(store.base_iri)),
                         max_rows=None).serialize("application/n-triples")
    return _canonical_ntriples(data.decode("utf-8").splitlines(keepends=True))


@dataclass
class _Places:
    """The positions of the items after a change, and what the change did to them."""

    positions: dict[str, int]
    added: set[str]
    freed: set[int]  # positions of items that are gone


def _place(db: sqlite3.Connection, found: dict[str, str]) -> _Places:
    """Keep each known item's position and give new items the next ones (by sort key, then IRI).

    Positions never move, so a change rewrites the page of what changed and not every page after
    it; a removed item leaves a gap on its page.
    """
    rows = db.execute("SELECT iri, position, sortkey FROM catalogue_items")
    known = {row[0]: (row[1], row[2]) for row in rows}
    gone = set(known) - set(found)
    freed = {known[g][0] for g in gone}
    db.executemany("DELETE FROM catalogue_items WHERE iri = ?", [(g,) for g in gone])
    added = sorted(set(found) - set(known), key=lambda i: (found[i], i))
    nxt = max((pos for pos, _ in known.values()), default=0) + 1
    positions = {i: known[i][0] for i in found if i in known}
    for item in added:
        positions[item] = nxt
        nxt += 1
    db.executemany("INSERT OR REPLACE INTO catalogue_items VALUES (?, ?, ?)",
                   [(i, positions[i], found[i]) for i in found if i not in known or known[i][1] != found[i]])
    return _Places(positions, set(added), freed)


def publish_catalogue(store: Store, publication: Publication, touched: set[str] | None) -> Built:
    """Bring the stored catalogue up to date with a change (a step of :mod:`kg.derive`).

    ``touched``: the IRIs the change touched in what the catalogue reads (None: everything).  Only
    the items whose documents can show one of them are described again, and only their pages, the
    first page (the totals) and the last (new items) are written again.  Everything happens in one
    transaction of the publication: a harvester sees the old catalogue or the new one.
    """
    found = _items(store)
    header = _header(store)
    modified = latest_load(store)
    with publication.writing() as batch:
        db = batch.db
        db.execute(_TABLE)
        previous_last = int(_value(db, _PAGES) or 0)
        stored_header = _stored(db, _HEADER)
        places = _place(db, found)
        full = (touched is None or previous_last == 0 or stored_header != header
                or len(touched) > FULL_SHARE * max(len(found), 1))
        changed = set(found) if full else places.added | _affected(store, touched or set(), set(found))
        documents = _item_documents(store, sorted(changed))
        for item, body in documents.items():
            batch.put("item:" + item, body, FORMATS["nt"].media_type, _etag(body), found.get(item) or None)
        gone = [row[0] for row in db.execute("SELECT key FROM documents WHERE key LIKE 'item:%'")
                if row[0][5:] not in found] if full or places.freed else []
        for key in gone:
            batch.delete(key)
        batch.put(_HEADER, header, FORMATS["nt"].media_type, _etag(header), None)

        last = max(1, _page_of(max(places.positions.values(), default=0)))
        pages = set(range(1, last + 1)) if full else (
            {_page_of(places.positions[i]) for i in changed} | {_page_of(p) for p in places.freed}
            | {1, last, previous_last})
        for n in range(last + 1, previous_last + 1):  # the catalogue shrank: pages past its end go
            batch.delete_prefix(f"page:{n}:")
        pages = {n for n in pages if 1 <= n <= last}
        members = _page_members(places.positions)
        for n in sorted(pages):
            _store_page(batch, n, [header, *(_stored(db, "item:" + i) for i in members.get(n, []))],
                        last, len(places.positions), modified, store.base_iri.rstrip("/"))
        batch.set_value(_PAGES, last)
        batch.set_value(_MODIFIED, modified)
    return Built(len(found), len(documents), len(pages), full)


def _page_of(position: int) -> int:
    return max(1, math.ceil(position / DEFAULT_PER_PAGE))


def _page_members(positions: dict[str, int]) -> dict[int, list[str]]:
    """The items of every stored page, in position order."""
    pages: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for item, pos in positions.items():
        pages[_page_of(pos)].append((pos, item))
    return {n: [i for _, i in sorted(members)] for n, members in pages.items()}


def _affected(store: Store, touched: set[str], items: set[str]) -> set[str]:
    """The items whose documents can show one of the touched IRIs (``catalog/affected-items.rq``)."""
    ordered = sorted(touched)
    found: set[str] = set()
    for start in range(0, len(ordered), _CHUNK):
        block = " ".join(iri(i) for i in ordered[start:start + _CHUNK])
        found |= {str(r["item"]) for r in store.select(render("catalog/affected-items", resources=block))}
    return found & items


def _value(db: sqlite3.Connection, key: str) -> object:
    row = db.execute("SELECT value FROM meta WHERE key = ?", ("v:" + key,)).fetchone()
    return None if row is None else json.loads(row[0])


def _stored(db: sqlite3.Connection, key: str) -> bytes:
    row = db.execute("SELECT body FROM documents WHERE key = ?", (key,)).fetchone()
    return bytes(row[0]) if row else b""


def _hydra(n: int, last: int, total: int, collection: str, per_page: int = DEFAULT_PER_PAGE,
           since: str | None = None) -> bytes:
    """A page's Hydra description as N-Triples: the collection, its view (this page, named by the
    page's own URL) and the links to the other pages.

    ``hydra:totalItems`` and ``hydra:last`` are on the first page only: they change with every new
    item, and on every page they would make every page change with it.  Both the Hydra Core terms
    (``next``, ``first``) and the older ones piveau-style harvesters read (``nextPage``) are given.
    """
    def url(k: int) -> str:
        params = [("page", str(k))]
        if per_page != DEFAULT_PER_PAGE:
            params.append(("per_page", str(per_page)))
        if since:
            params.append(("modified_since", since))
        return f"<{collection}?{urlencode(params)}>"

    h, integer, node, coll = str(HYDRA), f"<{XSD.integer}>", url(n), f"<{collection}>"
    lines = [f"{coll} <{RDF.type}> <{h}Collection>", f"{coll} <{h}view> {node}",
             f"{node} <{RDF.type}> <{h}PartialCollectionView>", f"{node} <{RDF.type}> <{h}PagedCollection>",
             f'{node} <{h}itemsPerPage> "{per_page}"^^{integer}',
             f"{node} <{h}first> {url(1)}", f"{node} <{h}firstPage> {url(1)}"]
    if n == 1:
        lines += [f'{coll} <{h}totalItems> "{total}"^^{integer}',
                  f'{node} <{h}totalItems> "{total}"^^{integer}',
                  f"{node} <{h}last> {url(last)}", f"{node} <{h}lastPage> {url(last)}"]
    if n < last:
        lines += [f"{node} <{h}next> {url(n + 1)}", f"{node} <{h}nextPage> {url(n + 1)}"]
    if n > 1:
        lines += [f"{node} <{h}previous> {url(n - 1)}", f"{node} <{h}previousPage> {url(n - 1)}"]
    return "".join(line + " .\n" for line in lines).encode("utf-8")


def _store_page(batch: Batch, n: int, parts: list[bytes], last: int, total: int,
                modified: str | None, base_iri: str) -> None:
    """Page ``n`` of the default size, in every format; compressed too, as served at kg's own address
    (``<base>/catalog`` and ``<base>/catalog.<ext>``), so a harvest there costs no compression."""
    triples = _parse(b"".join(parts) + _hydra(n, last, total, HERE))
    for fmt in FORMATS.values():
        body = serialize(triples, fmt)
        key = f"page:{n}:{fmt.extension}"
        batch.put(key, body, fmt.media_type, _etag(body), modified)
        for here in (f"{base_iri}/catalog", f"{base_iri}/catalog.{fmt.extension}"):
            _put_encoded(batch, key, body, fmt, here, modified)



# -- VoID --------------------------------------------------------------------------------------

def publish_void(store: Store, publication: Publication) -> None:
    """The VoID description of the whole dataset: into its graph, and for ``/.well-known/void`` into the
    publication.

    ``void:triples`` and the class partitions count what kg publishes (the sources, the links between
    them, the inferences), not its bookkeeping (PROV, validation, quality, VoID itself): the same data
    gives the same description however it got into the store.  The endpoint and the dump are named by
    kg's base IRI, its public address.
    """
    base = store.base_iri
    ds = iri(void_dataset(base))
    own = set(_bookkeeping_graphs(base))
    triples = sum(g.triples for g in store.graphs() if g.name not in own)
    lines = [
        f"{ds} {iri(str(RDF.type))} {iri(str(VOID.Dataset))} .",
        f"{ds} {iri(str(DCTERMS.title))} {literal('kg: den fælleskommunale rammearkitektur', lang='da')} .",
        f"{ds} {iri(str(VOID.sparqlEndpoint))} {iri(base + '/sparql')} .",
        f"{ds} {iri(str(VOID.dataDump))} {iri(base + '/dump.nq.gz')} .",
        f"{ds} {iri(str(VOID.uriSpace))} {literal(base + '/id/')} .",
        f"{ds} {iri(str(VOID.triples))} {literal(str(triples), str(XSD.integer))} .",
        f"{ds} {iri(str(VOID.feature))} {iri('http://www.w3.org/ns/formats/N-Quads')} .",
        f"{ds} {iri(str(DCTERMS.hasPart))} {iri(base + '/catalog')} .",
    ]
    rows = store.select(render("catalog/void-classes", unpublished=_bookkeeping(base)))
    examples_added = 0
    for row in sorted(rows, key=lambda r: str(r["class"])):
        cls = str(row["class"])
        part = iri(void_dataset(base) + "-class-" + hashlib.sha1(cls.encode()).hexdigest()[:12])
        lines += [f"{ds} {iri(str(VOID.classPartition))} {part} .",
                  f"{part} {iri(str(VOID['class']))} {iri(cls)} .",
                  f"{part} {iri(str(VOID.entities))} {literal(str(row['n']), str(XSD.integer))} ."]
        example = str(row.get("example") or "")
        if example.startswith(base + "/id/") and examples_added < 20:
            lines.append(f"{ds} {iri(str(VOID.exampleResource))} {iri(example)} .")
            examples_added += 1
    data = ("\n".join(lines) + "\n").encode("utf-8")
    store.replace_if_changed(void_graph(base), data, "kg void")
    latest = latest_load(store)
    if latest:  # when the sources last changed: in the served document, not in the stored graph
        lines.append(f"{ds} {iri(str(DCTERMS.modified))} {literal(latest, str(XSD.dateTime))} .")
    served = _parse(("\n".join(lines) + "\n").encode("utf-8"))
    with publication.writing() as batch:
        for fmt in FORMATS.values():
            body = serialize(served, fmt)
            batch.put(f"void:{fmt.extension}", body, fmt.media_type, _etag(body), latest)
            _put_encoded(batch, f"void:{fmt.extension}", body, fmt, "", latest)


# -- serving (requests) -----------------------------------------------------------------------------

#: A collection address that can stand in a served document as it is, in every format: a plain
#: http(s) URL of letters, digits and ``._~-/`` (nothing to escape in N-Triples, Turtle, RDF/XML or
#: JSON-LD).  Any other request address (odd Host headers) falls back to kg's base.
_ROOT = re.compile(r"https?://(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~\-/]*)?")


def safe_root(candidate: str, fallback: str) -> str:
    """The address to name the collection by: the request's own when it is a plain URL, else the fallback."""
    return candidate if _ROOT.fullmatch(candidate) else fallback


def _served(stored: bytes, here: str) -> bytes:
    return stored.replace(HERE.encode("ascii"), here.encode("ascii"))


def _document(body: bytes, fmt: DocumentFormat, modified: str | None) -> Document:
    return Document(body, fmt, _etag(body), _http_date(modified))


def _encoded(publication: Publication, key: str, here: str, fmt: DocumentFormat,
             encodings: Sequence[str]) -> Document | None:
    """The stored encoded form of a document as served at ``here``: the first of ``encodings`` (the
    client's, best first) that is stored; None when none is (another address, an older publication)."""
    for encoding in encodings:
        stored = publication.get(_encoded_key(key, here, encoding))
        if stored is not None:
            return Document(stored.body, fmt, stored.etag, _http_date(stored.modified), encoding)
    return None


def _unavailable() -> CatalogError:
    return CatalogError(503, "the catalogue is being prepared; try again shortly")


def check_request(page_number: int, per_page: int, modified_since: str | None) -> str | None:
    """Raise :class:`CatalogError` (400) for parameters no page can answer; the ``modified_since`` key."""
    if per_page < 1 or per_page > MAX_PER_PAGE:
        raise CatalogError(400, f"per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}")
    if page_number < 1:
        raise CatalogError(400, f"page must be 1 or more, got {page_number}")
    if modified_since is None:
        return None
    try:
        return parse_instant(modified_since)
    except ValueError:
        raise CatalogError(400, f"modified_since must be an ISO 8601 date or date-time "
                                f"(2024-01-31 or 2024-01-31T12:00:00Z), got {modified_since!r}") from None


def plan(publication: Publication, page_number: int, per_page: int = DEFAULT_PER_PAGE,
         modified_since: str | None = None) -> tuple[Paging, list[str]]:
    """Which items a page holds; raises :class:`CatalogError` for a request out of bounds."""
    since_key = check_request(page_number, per_page, modified_since)
    try:
        with publication.connection() as db:
            if _value(db, _PAGES) is None:
                raise _unavailable()
            if since_key is None and per_page == DEFAULT_PER_PAGE:
                # stored pages: positions (n-1)*100+1 .. n*100, gaps included
                last = int(_value(db, _PAGES) or 1)
                total = int(db.execute("SELECT count(*) FROM catalogue_items").fetchone()[0])
                items = [r[0] for r in db.execute(
                    "SELECT iri FROM catalogue_items WHERE position > ? AND position <= ? ORDER BY position",
                    ((page_number - 1) * per_page, page_number * per_page))]
            else:
                where, args = ("WHERE sortkey >= ?", [since_key]) if since_key else ("", [])
                total = int(db.execute(f"SELECT count(*) FROM catalogue_items {where}", args).fetchone()[0])
                last = max(1, math.ceil(total / per_page))
                items = [r[0] for r in db.execute(
                    f"SELECT iri FROM catalogue_items {where} ORDER BY position LIMIT ? OFFSET ?",
                    [*args, per_page, (page_number - 1) * per_page])]
    except (sqlite3.OperationalError, FileNotFoundError):  # nothing published yet
        raise _unavailable() from None
    if page_number > last:
        raise CatalogError(404, f"page {page_number} does not exist: the catalogue has {total} item(s) "
                                f"in {last} page(s) of {per_page}")
    return Paging(page_number, per_page, total, last), items


def page(publication: Publication, fmt: DocumentFormat, here: str, page_number: int = 1,
         per_page: int = DEFAULT_PER_PAGE, modified_since: str | None = None,
         encodings: Sequence[str] = ()) -> Document:
    """One page: stored bytes for the default size, else put together from the stored item documents.

    ``here`` is the collection's address as the client reached it (it passed :func:`safe_root`);
    pages name themselves and their neighbours by it.  ``encodings``: the content codings the client
    accepts, best first; a stored page at kg's own address comes in the first one stored.  No store
    query either way.
    """
    paging, items = plan(publication, page_number, per_page, modified_since)
    if modified_since is None and per_page == DEFAULT_PER_PAGE:
        key = f"page:{page_number}:{fmt.extension}"
        encoded = _encoded(publication, key, here, fmt, encodings)
        if encoded is not None:
            return encoded
        stored = publication.get(key)
        if stored is None:
            raise _unavailable()
        return _document(_served(stored.body, here), fmt, stored.modified)
    with publication.connection() as db:
        parts = [_stored(db, _HEADER), *(_stored(db, "item:" + i) for i in items)]
        modified = _value(db, _MODIFIED)
    parts.append(_hydra(paging.page, paging.last, paging.total, here, per_page, modified_since))
    return _document(serialize(_parse(b"".join(parts)), fmt), fmt, str(modified) if modified else None)


def item_document(publication: Publication, item: str, fmt: DocumentFormat) -> Document | None:
    """One dataset's (or data service's) own document: the description its page gives it."""
    stored = publication.get("item:" + item)
    if stored is None:
        return None
    body = stored.body if fmt.extension == "nt" else serialize(_parse(stored.body), fmt)
    return _document(body, fmt, stored.modified)


def void_document(publication: Publication, fmt: DocumentFormat, encodings: Sequence[str] = ()) -> Document:
    """The VoID description (``/.well-known/void``), as the pipeline stored it (in the first of the
    client's ``encodings`` stored)."""
    encoded = _encoded(publication, f"void:{fmt.extension}", "", fmt, encodings)
    if encoded is not None:
        return encoded
    stored = publication.get(f"void:{fmt.extension}")
    if stored is None:
        raise CatalogError(503, "the VoID description is being prepared; try again shortly")
    return _document(stored.body, fmt, stored.modified)


def catalogue_items(publication: Publication) -> list[str]:
    """Every item in catalogue order (for benchmarks and tests)."""
    try:
        with publication.connection() as db:
            return [r[0] for r in db.execute("SELECT iri FROM catalogue_items ORDER BY position")]
    except (sqlite3.OperationalError, FileNotFoundError):
        return []


# -- the dump --------------------------------------------------------------------------------------

def write_dump(store: Store, output: IO[bytes]) -> int:
    """Every live graph as gzipped N-Quads (``/dump.nq.gz``); returns the quad count."""
    with gzip.GzipFile(fileobj=output, mode="wb", mtime=0, compresslevel=5) as zipped:
        return store.dump(zipped, "nquads")  # type: ignore[arg-type]


def dump_folder(settings: Settings, store: Store) -> Path:
    """Where the published dump lives: beside the store (in the temporary folder for a store in memory)."""
    if settings.store == "memory":
        return Path(tempfile.gettempdir()) / f"kg-dumps-{os.getpid()}-{id(store):x}"
    folder = settings.store_path
    return folder.with_name(folder.name + "-dumps")


def publish_dump(store: Store, publication: Publication, settings: Settings) -> int:
    """Write the gzipped dump of the store's current state and publish where it is (a pipeline step)."""
    folder = dump_folder(settings, store)
    folder.mkdir(parents=True, exist_ok=True)
    # a name of its own: two pipelines over one store folder (a server and a command) never share it
    with tempfile.NamedTemporaryFile(dir=folder, prefix="kg-dump-", suffix=".partial",
                                     delete=False) as handle:
        partial = Path(handle.name)
        try:
            quads = write_dump(store, handle)
        except BaseException:
            handle.close()
            partial.unlink(missing_ok=True)
            raise
    digest = hashlib.sha256()
    with partial.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    path = folder / f"kg-dump-{digest.hexdigest()[:20]}.nq.gz"
    partial.replace(path)
    publication.set_value("dump", {"path": str(path.resolve()), "etag": path.stem, "quads": quads,
                                   "modified": latest_load(store)})
    for old in folder.glob("kg-dump-*.nq.gz"):
        if old != path:
            old.unlink(missing_ok=True)  # a download in progress keeps reading its open file
    return quads


def published_dump(publication: Publication) -> tuple[Path, str] | None:
    """The current dump's file and ETag, or None before the pipeline has written one."""
    value = publication.value("dump")
    if not isinstance(value, dict):
        return None
    path = Path(value["path"])
    return (path, str(value["etag"])) if path.is_file() else None


__all__ = [
    "DEFAULT_PER_PAGE", "FORMATS", "MAX_PER_PAGE", "Built", "CatalogError", "Document", "DocumentFormat",
    "Paging", "catalogue_items", "check_request", "item_document", "page", "parse_instant", "plan",
    "publish_catalogue", "publish_dump", "publish_void", "published_dump", "safe_root", "serialize",
    "void_document", "void_graph", "write_dump",
]
