"""The build of the catalogue's pages and item documents: a step of the pipeline (see the package's
docstring for what is stored and why)."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox

from kg.catalog.stored import (
    HEADER_KEY,
    HERE,
    ITEMS_TABLE,
    MODIFIED_KEY,
    PAGES_KEY,
    canonical_blank_nodes,
    etag_of,
    hydra_triples,
    latest_load,
    page_members,
    page_of,
    parse_ntriples,
    put_encoded,
    serialize,
    sort_key,
    stored_body,
    stored_value,
    unpublished_graphs,
)
from kg.formats import FORMATS
from kg.namespaces import XSD
from kg.publication import Batch, Publication
from kg.queries import iri, render
from kg.store.base import Store

#: Above this share of all items, a change rebuilds the whole catalogue (cheaper than finding them).
FULL_SHARE = 0.3
_CHUNK = 500


# -- the build (a pipeline step) ------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """What :func:`publish_catalogue` did: items in the catalogue, documents and pages rewritten."""

    items: int
    documents: int
    pages: int
    full: bool


def _items(store: Store) -> dict[str, str]:
    """Every item of the catalogue with its sort key (its record's modification, else its own)."""
    rows = store.select(render("catalog/items", unpublished=unpublished_graphs(store.base_iri)))
    return {str(r["item"]): sort_key(str(r.get("recmod") or ""), str(r.get("dsmod") or "")) for r in rows}


def _canonical_ntriples(lines: Iterable[str]) -> bytes:
    """Sorted, de-duplicated N-Triples lines, blank nodes named from their content."""
    text = "".join(sorted(set(lines)))
    if "_:" in text:  # the same data, the same bytes: blank node labels from content
        relabelled = canonical_blank_nodes(parse_ntriples(text.encode("utf-8")))
        named = ox.serialize(relabelled, format=ox.RdfFormat.N_TRIPLES)
        text = "".join(sorted(set((named or b"").decode("utf-8").splitlines(keepends=True))))
    return text.encode("utf-8")


def _item_documents(store: Store, items: list[str]) -> dict[str, bytes]:
    """Each item's document as canonical N-Triples, from one query per chunk of items.

    The query answers rows of (item, s, p, o) as TSV, whose terms are N-Triples terms (but for
    Turtle's short numbers, :func:`_nt_term`), so the document is put together from text without
    parsing it into objects and back.  Chunks run on two threads: the engine releases the GIL.
    """
    unpublished = unpublished_graphs(store.base_iri)

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
    data = store.execute(render("catalog/header", unpublished=unpublished_graphs(store.base_iri)),
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
        db.execute(ITEMS_TABLE)
        previous_last = int(stored_value(db, PAGES_KEY) or 0)
        stored_header = stored_body(db, HEADER_KEY)
        places = _place(db, found)
        full = (touched is None or previous_last == 0 or stored_header != header
                or len(touched) > FULL_SHARE * max(len(found), 1))
        changed = set(found) if full else places.added | _affected(store, touched or set(), set(found))
        documents = _item_documents(store, sorted(changed))
        for item, body in documents.items():
            batch.put("item:" + item, body, FORMATS["nt"].media_type, etag_of(body), found.get(item) or None)
        gone = [row[0] for row in db.execute("SELECT key FROM documents WHERE key LIKE 'item:%'")
                if row[0][5:] not in found] if full or places.freed else []
        for key in gone:
            batch.delete(key)
        batch.put(HEADER_KEY, header, FORMATS["nt"].media_type, etag_of(header), None)

        last = max(1, page_of(max(places.positions.values(), default=0)))
        pages = set(range(1, last + 1)) if full else (
            {page_of(places.positions[i]) for i in changed} | {page_of(p) for p in places.freed}
            | {1, last, previous_last})
        for n in range(last + 1, previous_last + 1):  # the catalogue shrank: pages past its end go
            batch.delete_prefix(f"page:{n}:")
        pages = {n for n in pages if 1 <= n <= last}
        members = page_members(places.positions)
        for n in sorted(pages):
            _store_page(batch, n, [header, *(stored_body(db, "item:" + i) for i in members.get(n, []))],
                        last, len(places.positions), modified, store.base_iri.rstrip("/"))
        batch.set_value(PAGES_KEY, last)
        batch.set_value(MODIFIED_KEY, modified)
    return Built(len(found), len(documents), len(pages), full)


def _affected(store: Store, touched: set[str], items: set[str]) -> set[str]:
    """The items whose documents can show one of the touched IRIs (``catalog/affected-items.rq``)."""
    ordered = sorted(touched)
    found: set[str] = set()
    for start in range(0, len(ordered), _CHUNK):
        block = " ".join(iri(i) for i in ordered[start:start + _CHUNK])
        found |= {str(r["item"]) for r in store.select(render("catalog/affected-items", resources=block))}
    return found & items


def _store_page(batch: Batch, n: int, parts: list[bytes], last: int, total: int,
                modified: str | None, base_iri: str) -> None:
    """Page ``n`` of the default size, in every format; compressed too, as served at kg's own address
    (``<base>/catalog`` and ``<base>/catalog.<ext>``), so a harvest there costs no compression."""
    triples = parse_ntriples(b"".join(parts) + hydra_triples(n, last, total, HERE))
    for fmt in FORMATS.values():
        body = serialize(triples, fmt)
        key = f"page:{n}:{fmt.extension}"
        batch.put(key, body, fmt.media_type, etag_of(body), modified)
        for here in (f"{base_iri}/catalog", f"{base_iri}/catalog.{fmt.extension}"):
            put_encoded(batch, key, body, fmt, here, modified)
