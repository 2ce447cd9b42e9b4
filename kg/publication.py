"""What the derivation pipeline publishes beside the store, for requests to read: one SQLite file.

Requests only read.  Whatever is built from the store after a change (catalogue pages in
every format, item documents, VoID, the home page's counts, the search index, the state of
the pipeline itself) is written here by the pipeline, in one transaction per refresh, and
read by request handlers as stored bytes.  SQLite in WAL mode lets any number of reader
processes read while the one writer writes, and each read sees one committed state: a page
is the old one or the new one, never a mixture.

The file sits beside the embedded store (``var/store-published.sqlite``); a store in
memory keeps its publication in memory too.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.config import Settings

#: The layout; a file written by another layout is rebuilt from scratch by the next refresh.
LAYOUT = "kg-publication-2"


@dataclass(frozen=True)
class Stored:
    """One published document: its bytes and what HTTP caching needs."""

    body: bytes
    media_type: str
    etag: str
    modified: str | None


def publication_path(settings: Settings) -> Path | None:
    """Where the publication of the configured store lives (None: in memory, with an in-memory store)."""
    if settings.store == "memory":
        return None
    folder = settings.store_path
    return folder.with_name(folder.name + "-published.sqlite")


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    key TEXT PRIMARY KEY, media_type TEXT NOT NULL, etag TEXT NOT NULL, modified TEXT, body BLOB NOT NULL);
"""


class Publication:
    """The published state: documents by key, the pipeline's status, and room for indexes (search).

    One writer (the process that runs the pipeline) and many readers.  Connections are per
    thread; an in-memory publication has one connection shared under a lock.
    """

    def __init__(self, path: Path | None, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self._local = threading.local()
        self._lock = threading.RLock()
        self._shared: sqlite3.Connection | None = None
        if path is None:
            self._shared = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            self._init(self._shared)
        elif not readonly:
            path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(self._open()) as db:
                db.execute("PRAGMA journal_mode=WAL")
                self._init(db)

    # -- connections ------------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        assert self.path is not None
        if self.readonly:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False,
                                 isolation_level=None)
        else:
            db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
            db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=30000")
        return db

    @staticmethod
    def _init(db: sqlite3.Connection) -> None:
        db.executescript(_SCHEMA)
        row = db.execute("SELECT value FROM meta WHERE key = 'layout'").fetchone()
        if row is None or row[0] != LAYOUT:  # another layout: everything goes, the next refresh rebuilds
            for virtual in (True, False):  # full-text tables first: dropping one drops its shadow tables
                tables = [r[0] for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                    "AND name NOT IN ('meta', 'documents') AND (sql LIKE 'CREATE VIRTUAL%') = ?", (virtual,))]
                for table in tables:
                    db.execute(f'DROP TABLE IF EXISTS "{table}"')
            db.execute("DELETE FROM documents")
            db.execute("DELETE FROM meta")
            db.execute("INSERT INTO meta VALUES ('layout', ?)", (LAYOUT,))

    @contextlib.contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for this thread (the shared one, under its lock, for a publication in memory)."""
        if self._shared is not None:
            with self._lock:
                yield self._shared
            return
        db = getattr(self._local, "db", None)
        if db is None:
            if self.readonly and (self.path is None or not self.path.exists()):
                raise FileNotFoundError(f"{self.path}: nothing published yet")
            db = self._local.db = self._open()
        yield db

    # -- reading ----------------------------------------------------------------------------------
    def get(self, key: str) -> Stored | None:
        """A published document, or None."""
        try:
            with self.connection() as db:
                row = db.execute("SELECT body, media_type, etag, modified FROM documents WHERE key = ?",
                                 (key,)).fetchone()
        except (sqlite3.OperationalError, FileNotFoundError):
            return None
        return None if row is None else Stored(bytes(row[0]), row[1], row[2], row[3])

    def value(self, key: str, default: Any = None) -> Any:
        """A JSON value the pipeline keeps (its status, counts …)."""
        try:
            with self.connection() as db:
                row = db.execute("SELECT value FROM meta WHERE key = ?", ("v:" + key,)).fetchone()
        except (sqlite3.OperationalError, FileNotFoundError):
            return default
        return default if row is None else json.loads(row[0])

    # -- writing (the pipeline) -------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[Batch]:
        """One transaction: readers see all of it or none of it."""
        if self.readonly:
            raise PermissionError("this publication is open for reading only")
        with self.connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield Batch(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def set_value(self, key: str, value: Any) -> None:
        with self.writing() as batch:
            batch.set_value(key, value)

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
        if self._shared is not None:
            self._shared.close()
            self._shared = None


class Batch:
    """The writes of one transaction."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def put(self, key: str, body: bytes, media_type: str, etag: str, modified: str | None) -> None:
        self.db.execute("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?)",
                        (key, media_type, etag, modified, body))

    def delete_prefix(self, prefix: str) -> None:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        self.db.execute("DELETE FROM documents WHERE key LIKE ? ESCAPE '\\'", (escaped + "%",))

    def delete(self, key: str) -> None:
        self.db.execute("DELETE FROM documents WHERE key = ?", (key,))

    def set_value(self, key: str, value: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", ("v:" + key, json.dumps(value)))
