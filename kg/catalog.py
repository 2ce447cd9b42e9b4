"""The DCAT-AP-DK catalogue view that harvesters page through.

Harvesters are unforgiving (one unparseable page or one failing ``next`` link and
CKAN imports nothing), and they compare datasets by hashing them, so a page must be
cheap, stable and byte-for-byte deterministic.  Hence:

* **A page index built at load time.**  :func:`refresh_index` writes a small derived
  graph (``<base>/graph/catalog-index``) that numbers every dataset and data service
  1..N in the order of its record's ``dct:modified`` (then its IRI).  A page is then
  two queries: one binds the page's positions with ``VALUES`` and reads their item
  IRIs, one CONSTRUCT (``catalog/page.rq``) describes those items with their IRIs
  bound first.  No ``ORDER BY``/``OFFSET`` over the catalogue per request, and request
  memory does not grow with the catalogue.  Because the order is by modification,
  ``modified_since`` selects a contiguous tail of the index, found by binary search.
* **Oxigraph serialises.**  Triples are sorted and blank nodes relabelled from their
  content before ``pyoxigraph.serialize`` writes them, so the same data gives the same
  bytes in every format, and the ETag can be a hash of the bytes.
* **The index heals itself.**  It records a fingerprint of the graphs it was built
  from; :func:`ensure_index` rebuilds it when the store has changed under it (a load
  through the server's Graph Store endpoint, say), so a stale index is never served.

The web layer (``webapp/catalog.py``) only calls the functions here and gets bytes
back: it never touches pyoxigraph.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg import graphs
from kg.config import Settings
from kg.iris import Minter
from kg.namespaces import DCTERMS, HYDRA, KG, PREFIXES, RDF, VOID, XSD
from kg.publication import Publication
from kg.queries import iri, render
from kg.store.base import Store

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000
#: Graphs whose triples are not published in the catalogue (derived or administrative).
_UNPUBLISHED = ("/graph/meta", "/graph/inferred", "/graph/validation", "/graph/catalog-index",
                "/graph/void")
#: Graphs that do not change what the index holds (so they are left out of its fingerprint).
_NOT_INDEXED = ("/graph/meta", "/graph/catalog-index", "/graph/void", "/graph/quality",
                "/graph/validation")


class CatalogError(ValueError):
    """A request the catalogue cannot answer; ``status`` is the HTTP status to give."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Format:
    """One serialisation the catalogue is served in."""

    extension: str
    media_type: str
    rdf_format: ox.RdfFormat

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


#: Formats by file extension; Turtle first, because it is the answer when there is no Accept header.
FORMATS: dict[str, Format] = {
    "ttl": Format("ttl", "text/turtle", ox.RdfFormat.TURTLE),
    "rdf": Format("rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    "jsonld": Format("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
    "nt": Format("nt", "application/n-triples", ox.RdfFormat.N_TRIPLES),
}
#: Media types a client may ask for, and the format each one gets.
MEDIA_TYPES: dict[str, Format] = {f.media_type: f for f in FORMATS.values()} | {
    "application/x-turtle": FORMATS["ttl"], "application/json": FORMATS["jsonld"],
    "application/xml": FORMATS["rdf"], "text/plain": FORMATS["nt"],
}


@dataclass(frozen=True)
class IndexInfo:
    """What the page index knows: how many items, built from which state of the store."""

    total: int
    fingerprint: str
    built: str


@dataclass(frozen=True)
class Document:
    """Serialised RDF with what HTTP caching needs."""

    body: bytes
    format: Format
    etag: str
    last_modified: datetime | None

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


# -- graph names ------------------------------------------------------------------------------

def index_graph(base_iri: str) -> str:
    return Minter(base_iri).catalog_index_graph()


def void_graph(base_iri: str) -> str:
    return Minter(base_iri).void_graph()


def void_dataset(base_iri: str) -> str:
    """The IRI of the VoID description of kg's whole dataset."""
    return base_iri.rstrip("/") + "/.well-known/void#kg"


def _unpublished(base_iri: str) -> str:
    """The graphs a catalogue page must not read, as a SPARQL list for ``FILTER(?g NOT IN (...))``.

    Pages exclude these few graphs rather than list the published ones: a default graph of N
    listed graphs costs Oxigraph N index lookups per triple pattern (see ``catalog/page.rq``).
    """
    return ", ".join(iri(base_iri + suffix) for suffix in _UNPUBLISHED)


def _bookkeeping(base_iri: str) -> str:
    """kg's own graphs (PROV, validation, quality, the index, VoID) as a SPARQL list: not counted by VoID."""
    names = [f"{base_iri}/graph/meta", *(graphs.derived_graph(base_iri, n)
                                          for n in ("validation", "quality", "catalog-index", "void"))]
    return ", ".join(iri(n) for n in names)


def fingerprint(store: Store) -> tuple[str, str | None]:
    """A hash of the state of the graphs the index is built from, and their latest load time.

    Cheap (it reads the PROV records only), so it can be checked on every request.
    """
    skip = {store.base_iri + suffix for suffix in _NOT_INDEXED}
    digest = hashlib.sha256()
    latest: str | None = None
    for info in store.graphs():
        if info.loaded_at and (latest is None or info.loaded_at > latest):
            latest = info.loaded_at
        if info.name in skip:
            continue
        digest.update(f"{info.name}\t{info.triples}\t{info.sha256}\t{info.loaded_at}\n".encode())
    return digest.hexdigest(), latest


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


# -- the index ------------------------------------------------------------------------------

def _nt(term: str) -> str:
    return f"<{term}>"


def _lit(value: str, datatype: str | None = None) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"' + (f"^^<{datatype}>" if datatype else "")


def _position(index: str, n: int) -> str:
    return f"{index}/position/{n}"


def refresh_index(store: Store) -> IndexInfo:
    """Rebuild the page index and the VoID description from the store's current content.

    Load-time work: one pass over the items (sorted here, once) and one over the classes.
    """
    base = store.base_iri
    index = index_graph(base)
    rows = store.select(render("catalog/items", unpublished=_unpublished(base)))
    items = sorted(
        ((_sort_key(str(r.get("recmod") or ""), str(r.get("dsmod") or "")), str(r["item"])) for r in rows),
    )
    lines = [
        f"{_nt(index)} {_nt(str(RDF.type))} {_nt(str(KG.CatalogIndex))} .",
        f"{_nt(index)} {_nt(str(KG.totalItems))} {_lit(str(len(items)), str(XSD.integer))} .",
    ]
    for n, (key, item) in enumerate(items, start=1):
        pos = _nt(_position(index, n))
        lines.append(f"{pos} {_nt(str(KG.catalogItem))} {_nt(item)} .")
        lines.append(f"{pos} {_nt(str(KG.sortKey))} {_lit(key)} .")
    headers: dict[str, list[str]] = {}
    for row in store.select(render("catalog/catalog-headers", unpublished=_unpublished(base))):
        headers.setdefault(str(row["catalog"]), []).append(str(row["p"]))
    for k, (catalog, predicates) in enumerate(sorted(headers.items()), start=1):
        node = _nt(f"{index}/catalog/{k}")
        lines.append(f"{node} {_nt(str(KG.catalogResource))} {_nt(catalog)} .")
        lines.extend(f"{node} {_nt(str(KG.headerPredicate))} {_nt(p)} ." for p in sorted(predicates))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    store.replace_if_changed(index, data, "kg catalog index")
    _write_void(store)
    info = IndexInfo(len(items), store.version(), "")
    _CACHE[_cache_key(store)] = info
    return info


def _write_void(store: Store) -> None:
    """The VoID description of the whole dataset: endpoints, dumps, size, class partitions."""
    base = store.base_iri
    ds = _nt(void_dataset(base))
    triples = sum(g.triples for g in store.graphs()
                  if g.name not in {index_graph(base), void_graph(base), base + "/graph/meta"})
    lines = [
        f"{ds} {_nt(str(RDF.type))} {_nt(str(VOID.Dataset))} .",
        f"{ds} {_nt(str(DCTERMS.title))} {_lit('kg: den fælleskommunale rammearkitektur')}@da .",
        f"{ds} {_nt(str(VOID.sparqlEndpoint))} {_nt(base + '/sparql')} .",
        f"{ds} {_nt(str(VOID.dataDump))} {_nt(base + '/dump.nq.gz')} .",
        f"{ds} {_nt(str(VOID.uriSpace))} {_lit(base + '/id/')} .",
        f"{ds} {_nt(str(VOID.triples))} {_lit(str(triples), str(XSD.integer))} .",
        f"{ds} {_nt(str(VOID.feature))} {_nt('http://www.w3.org/ns/formats/N-Quads')} .",
        f"{ds} {_nt(str(DCTERMS.hasPart))} {_nt(base + '/catalog')} .",
    ]
    rows = store.select(render("catalog/void-classes", unpublished=_bookkeeping(base)))
    examples_added = 0
    for row in sorted(rows, key=lambda r: str(r["class"])):
        cls = str(row["class"])
        part = _nt(void_dataset(base) + "-class-" + hashlib.sha1(cls.encode()).hexdigest()[:12])
        lines += [f"{ds} {_nt(str(VOID.classPartition))} {part} .",
                  f"{part} {_nt(str(VOID['class']))} {_nt(cls)} .",
                  f"{part} {_nt(str(VOID.entities))} {_lit(str(row['n']), str(XSD.integer))} ."]
        example = str(row.get("example") or "")
        if example.startswith(base + "/id/") and examples_added < 20:
            lines.append(f"{ds} {_nt(str(VOID.exampleResource))} {_nt(example)} .")
            examples_added += 1
    data = ("\n".join(lines) + "\n").encode("utf-8")
    store.replace_if_changed(void_graph(base), data, "kg void")


_CACHE: dict[tuple[int, str], IndexInfo] = {}
_LOCK = threading.Lock()


def _cache_key(store: Store) -> tuple[int, str]:
    return id(store), store.base_iri


def index_info(store: Store) -> IndexInfo | None:
    """The index as stored, or None when there is none."""
    rows = store.select(render("catalog/index-info", index=iri(index_graph(store.base_iri))))
    if not rows:
        return None
    row = rows[0]
    return IndexInfo(int(str(row["total"])), store.version(), "")


def ensure_index(store: Store) -> tuple[IndexInfo, str | None]:
    """The index the pipeline built and the store's last load (requests never build it).

    Raises :class:`CatalogError` (503) before the pipeline has built one.
    """
    current = store.version()
    _, latest = fingerprint(store)
    cached = _CACHE.get(_cache_key(store))
    if cached is not None and cached.fingerprint == current:
        return cached, latest
    info = index_info(store)
    if info is None:
        raise CatalogError(503, "the catalogue is being prepared; try again shortly")
    with _LOCK:
        _CACHE[_cache_key(store)] = info
    return info, latest


# -- serialisation ----------------------------------------------------------------------------

def _canonical_blank_nodes(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Relabel blank nodes from their content, so a reload of the same data gives the same bytes.

    A blank node's label is a hash of its outgoing triples (blank objects by their own
    hashes, computed to a fixed depth) and of the triples pointing at it.  Enough for the
    tree-shaped blank nodes of DCAT (contact points, periods, checksums); it is not the
    full RDF canonicalisation algorithm.
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


def serialize(triples: Iterable[ox.Triple], fmt: Format) -> bytes:
    """Deterministic bytes: blank nodes relabelled, triples de-duplicated and sorted."""
    unique = _canonical_blank_nodes(list(set(triples)))
    unique.sort(key=str)  # a triple's N-Triples line: subject, then predicate, then object
    prefixes = PREFIXES if fmt.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return ox.serialize(unique, format=fmt.rdf_format, prefixes=prefixes) or b""


def _document(triples: list[ox.Triple], fmt: Format, last_modified: str | None) -> Document:
    body = serialize(triples, fmt)
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    return Document(body, fmt, etag, _http_date(last_modified))


def _construct(store: Store, items: list[str]) -> list[ox.Triple]:
    """The page query, answered as N-Triples by the store and parsed by Oxigraph.

    One store call, whose dataset and query text do not depend on how many graphs the store
    holds, so a page costs about the same beside data/'s graphs as alone.
    """
    base = store.base_iri
    # An empty VALUES (a page of an empty catalogue) made Virtuoso's cost estimator refuse the query
    # ("estimated execution time 29462 (sec)"); one IRI that names nothing gives the same answer.
    query = render("catalog/page", items=" ".join(iri(i) for i in items) or iri("urn:x-kg:no-item"),
                   index=iri(index_graph(base)), unpublished=_unpublished(base))
    # The store's whole dataset (no graph list): the query keeps to the published graphs itself.
    result = store.execute(query)
    data = result.serialize("application/n-triples")
    return [t for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]  # type: ignore[misc]


# -- pages ------------------------------------------------------------------------------------

def _items_at(store: Store, positions: range) -> list[tuple[int, str, str]]:
    if not positions:
        return []
    index = index_graph(store.base_iri)
    values = " ".join(f"({iri(_position(index, n))} {n})" for n in positions)
    rows = store.select(render("catalog/positions", positions=values, index=iri(index)))
    return sorted((int(str(r["n"])), str(r["item"]), str(r["key"])) for r in rows)


def first_position_since(store: Store, total: int, since_key: str) -> int:
    """The first index position whose sort key is at or after ``since_key`` (total+1 if none).

    Binary search with one point query per step: about 17 lookups for 100k items.
    """
    low, high = 1, total + 1
    while low < high:
        mid = (low + high) // 2
        rows = _items_at(store, range(mid, mid + 1))
        key = rows[0][2] if rows else ""
        if key >= since_key:
            high = mid
        else:
            low = mid + 1
    return low


def plan_page(store: Store, page: int, per_page: int, modified_since: str | None
              ) -> tuple[Paging, list[str], str | None]:
    """Which items a page holds; raises :class:`CatalogError` for a request out of bounds."""
    if per_page < 1 or per_page > MAX_PER_PAGE:
        raise CatalogError(400, f"per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}")
    if page < 1:
        raise CatalogError(400, f"page must be 1 or more, got {page}")
    since_key = None
    if modified_since is not None:
        try:
            since_key = parse_instant(modified_since)
        except ValueError:
            raise CatalogError(400, f"modified_since must be an ISO 8601 date or date-time "
                                    f"(2024-01-31 or 2024-01-31T12:00:00Z), got {modified_since!r}") from None
    info, latest = ensure_index(store)
    start = first_position_since(store, info.total, since_key) if since_key else 1
    total = info.total - start + 1
    last = max(1, math.ceil(total / per_page))
    if page > last:
        raise CatalogError(404, f"page {page} does not exist: the catalogue has {total} item(s) "
                                f"in {last} page(s) of {per_page}")
    first = start + (page - 1) * per_page
    rows = _items_at(store, range(first, min(first + per_page, info.total + 1)))
    return Paging(page, per_page, total, last), [item for _, item, _ in rows], latest


def _hydra(page_url: Callable[[int], str], paging: Paging) -> list[ox.Triple]:
    node = ox.NamedNode(page_url(paging.page))

    def link(p: str, n: int) -> ox.Triple:
        return ox.Triple(node, ox.NamedNode(str(HYDRA[p])), ox.NamedNode(page_url(n)))

    integer = ox.NamedNode(str(XSD.integer))
    out = [
        ox.Triple(node, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(HYDRA.PartialCollectionView))),
        ox.Triple(node, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(HYDRA.PagedCollection))),
        ox.Triple(node, ox.NamedNode(str(HYDRA.totalItems)), ox.Literal(str(paging.total), datatype=integer)),
        ox.Triple(node, ox.NamedNode(str(HYDRA.itemsPerPage)), ox.Literal(str(paging.per_page),
                                                                          datatype=integer)),
        link("first", 1), link("last", paging.last), link("firstPage", 1), link("lastPage", paging.last),
    ]
    if paging.page < paging.last:
        out += [link("next", paging.page + 1), link("nextPage", paging.page + 1)]
    if paging.page > 1:
        out += [link("previous", paging.page - 1), link("previousPage", paging.page - 1)]
    return out


def catalog_page(store: Store, fmt: Format, page_url: Callable[[int], str], page: int = 1,
                 per_page: int = DEFAULT_PER_PAGE, modified_since: str | None = None) -> Document:
    """One page of the catalogue, serialised; ``page_url(n)`` is the IRI of page n for Hydra links."""
    paging, items, latest = plan_page(store, page, per_page, modified_since)
    triples = _construct(store, items) + _hydra(page_url, paging)
    return _document(triples, fmt, latest)


def item_document(store: Store, item: str, fmt: Format) -> Document | None:
    """One dataset's (or data service's) own document: the same description a page gives it."""
    _, latest = fingerprint(store)
    query = render("catalog/is-item", item=iri(item))
    if not store.ask(query):
        return None
    ensure_index(store)
    return _document(_construct(store, [item]), fmt, latest)


def void_document(store: Store, fmt: Format) -> Document:
    """The VoID description (``/.well-known/void``)."""
    _, latest = ensure_index(store)
    result = store.execute(render("catalog/void", graph=iri(void_graph(store.base_iri))))
    triples = list(ox.parse(result.serialize("application/n-triples"), format=ox.RdfFormat.N_TRIPLES))
    if latest:  # when the sources last changed (kept out of the stored graph, which depends on content only)
        triples.append(ox.Triple(ox.NamedNode(void_dataset(store.base_iri)),
                                 ox.NamedNode(str(DCTERMS.modified)),
                                 ox.Literal(latest, datatype=ox.NamedNode(str(XSD.dateTime)))))
    return _document(triples, fmt, latest)  # type: ignore[arg-type]


def write_dump(store: Store, output: IO[bytes]) -> int:
    """Every live graph as gzipped N-Quads (``/dump.nq.gz``); returns the quad count."""
    with gzip.GzipFile(fileobj=output, mode="wb", mtime=0) as zipped:
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
    partial = folder / f"kg-dump-{os.getpid()}.partial"
    digest = hashlib.sha256()
    with partial.open("wb") as handle:
        quads = write_dump(store, handle)
    with partial.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    path = folder / f"kg-dump-{digest.hexdigest()[:20]}.nq.gz"
    partial.replace(path)
    _, latest = fingerprint(store)
    publication.set_value("dump", {"path": str(path.resolve()), "etag": path.stem, "quads": quads,
                                   "modified": latest})
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


def iter_pages(store: Store, fmt: Format, page_url: Callable[[int], str],
               per_page: int = DEFAULT_PER_PAGE) -> Iterator[Document]:
    """Every page in order (for benchmarks and exports)."""
    first = catalog_page(store, fmt, page_url, 1, per_page)
    yield first
    info, _ = ensure_index(store)
    for n in range(2, max(1, math.ceil(info.total / per_page)) + 1):
        yield catalog_page(store, fmt, page_url, n, per_page)


__all__ = [
    "DEFAULT_PER_PAGE", "FORMATS", "MAX_PER_PAGE", "MEDIA_TYPES", "CatalogError", "Document", "Format",
    "IndexInfo", "Paging", "catalog_page", "ensure_index", "fingerprint", "index_graph",
    "item_document", "iter_pages", "parse_instant", "publish_dump", "published_dump", "refresh_index",
    "serialize", "void_document",
    "void_graph", "write_dump",
]
