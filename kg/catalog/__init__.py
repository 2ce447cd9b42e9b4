"""The DCAT-AP-DK catalogue harvesters page through: built by the pipeline, served as stored bytes.

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

One module a job: :mod:`.stored` is what the build and the requests share (the byte format, the keys,
the paging rule), :mod:`.build` the pages and item documents, :mod:`.void` the VoID description,
:mod:`.serve` the answers to requests, :mod:`.dump` the dump.
"""

from __future__ import annotations

from kg.catalog.build import Built, publish_catalogue
from kg.catalog.dump import dump_folder, publish_dump, published_dump, write_dump
from kg.catalog.serve import (
    catalogue_items,
    check_request,
    item_document,
    page,
    plan,
    safe_root,
    void_document,
)
from kg.catalog.stored import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    STORED_ENCODINGS,
    CatalogError,
    Document,
    Paging,
    parse_instant,
    serialize,
    void_dataset,
    void_graph,
)
from kg.catalog.void import publish_void
from kg.formats import FORMATS, DocumentFormat

__all__ = [
    "DEFAULT_PER_PAGE", "FORMATS", "MAX_PER_PAGE", "STORED_ENCODINGS", "Built", "CatalogError", "Document",
    "DocumentFormat", "Paging", "catalogue_items", "check_request", "dump_folder", "item_document", "page",
    "parse_instant", "plan", "publish_catalogue", "publish_dump", "publish_void", "published_dump",
    "safe_root", "serialize", "void_dataset", "void_document", "void_graph", "write_dump",
]
