"""The dump of every published graph (``/dump.nq.gz``), written by the pipeline."""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO

from kg.catalog.stored import latest_load
from kg.config import Settings
from kg.publication import Publication
from kg.store.base import Store

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
