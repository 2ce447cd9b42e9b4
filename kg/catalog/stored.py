"""The catalogue as stored: what the build and the requests share and must not drift apart on (the
byte format of a document, the keys in the publication, the paging rule, the Hydra links, the ETags)."""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import pyoxigraph as ox

from kg import graphs
from kg.formats import DocumentFormat
from kg.iris import Minter
from kg.namespaces import HYDRA, PREFIXES, RDF, XSD
from kg.publication import Batch
from kg.queries import iri
from kg.store.base import Store
from kg.store.terms import OX_FORMATS

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000
#: Where a stored page names the collection; each request puts its own address in its place.
HERE = "urn:x-kg:collection"


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


def unpublished_graphs(base_iri: str) -> str:
    """The graphs a harvester does not see, as a SPARQL list for ``FILTER(?g NOT IN (...))``.

    The queries exclude these few graphs rather than list the published ones: a default graph of N
    listed graphs costs Oxigraph N index lookups per triple pattern.
    """
    names = [Minter(base_iri).meta_graph(), *(graphs.derived_graph(base_iri, n)
                                          for n in ("inferred", "validation", "void"))]
    return ", ".join(iri(n) for n in names)


def bookkeeping_graphs(base_iri: str) -> list[str]:
    """kg's own graphs (PROV, validation, quality, VoID): not counted by VoID, which describes the data."""
    own = ("validation", "quality", "void")
    return [Minter(base_iri).meta_graph(), *(graphs.derived_graph(base_iri, n) for n in own)]


def bookkeeping(base_iri: str) -> str:
    """:func:`bookkeeping_graphs` as a SPARQL list."""
    return ", ".join(iri(n) for n in bookkeeping_graphs(base_iri))


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


def sort_key(*candidates: str | None) -> str:
    for candidate in candidates:
        if candidate:
            try:
                return parse_instant(candidate)
            except ValueError:
                continue
    return ""


def http_date(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(parse_instant(stamp).replace("Z", "+00:00"))
    except ValueError:
        return None


# -- serialisation ----------------------------------------------------------------------------

def canonical_blank_nodes(triples: list[ox.Triple]) -> list[ox.Triple]:
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
    unique = canonical_blank_nodes(list(set(triples)))
    unique.sort(key=str)  # a triple's N-Triples line: subject, then predicate, then object
    prefixes = PREFIXES if fmt.syntax in ("turtle", "rdfxml") else None
    return ox.serialize(unique, format=OX_FORMATS[fmt.syntax], prefixes=prefixes) or b""


def parse_ntriples(data: bytes) -> list[ox.Triple]:
    return list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))  # type: ignore[arg-type]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


#: The content codings pages and the VoID description are stored in besides their identity form, with
#: fixed settings and no timestamp (the same bytes give the same result): gzip, which every harvester
#: asks for (CKAN, piveau, Comunica).  Brotli would double the step's compression work for clients that
#: are mostly browsers; they get it compressed on the fly.
_ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": lambda body: gzip.compress(body, compresslevel=6, mtime=0),
}
STORED_ENCODINGS = tuple(_ENCODERS)


def encoded_key(key: str, here: str, encoding: str) -> str:
    """Where the encoded form of a stored document is kept, as served at the address ``here``."""
    return f"{key}:{hashlib.sha256(here.encode()).hexdigest()[:12]}:{encoding}"


def put_encoded(batch: Batch, key: str, body: bytes, fmt: DocumentFormat, here: str,
                 modified: str | None) -> None:
    """The document as served at ``here``, in every stored encoding; its ETag is the identity form's."""
    served = as_served(body, here)
    for encoding in STORED_ENCODINGS:
        batch.put(encoded_key(key, here, encoding), _ENCODERS[encoding](served), fmt.media_type,
                  etag_of(served), modified)


ITEMS_TABLE = """CREATE TABLE IF NOT EXISTS catalogue_items (
    iri TEXT PRIMARY KEY, position INTEGER NOT NULL UNIQUE, sortkey TEXT NOT NULL)"""
#: Publication keys: the header every page starts with, the page count, when the sources last changed.
HEADER_KEY, PAGES_KEY, MODIFIED_KEY = "catalogue:header", "catalogue:pages", "catalogue:modified"


def page_of(position: int) -> int:
    return max(1, math.ceil(position / DEFAULT_PER_PAGE))


def page_members(positions: dict[str, int]) -> dict[int, list[str]]:
    """The items of every stored page, in position order."""
    pages: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for item, pos in positions.items():
        pages[page_of(pos)].append((pos, item))
    return {n: [i for _, i in sorted(members)] for n, members in pages.items()}


def stored_value(db: sqlite3.Connection, key: str) -> object:
    row = db.execute("SELECT value FROM meta WHERE key = ?", ("v:" + key,)).fetchone()
    return None if row is None else json.loads(row[0])


def stored_body(db: sqlite3.Connection, key: str) -> bytes:
    row = db.execute("SELECT body FROM documents WHERE key = ?", (key,)).fetchone()
    return bytes(row[0]) if row else b""


def hydra_triples(n: int, last: int, total: int, collection: str, per_page: int = DEFAULT_PER_PAGE,
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


def as_served(stored: bytes, here: str) -> bytes:
    return stored.replace(HERE.encode("ascii"), here.encode("ascii"))
