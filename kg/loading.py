"""Loading sources into the store: one named graph per source file.

RDF files go straight to the store; concept lists (``.csv``/``.xlsx``),
agendas and minutes (``.md``/``.docx`` in an ``agendas``, ``minutes`` or
``referater`` folder) go through their ingest first.  Each source lands in
the graph named after its path, atomically, with a PROV record; a source whose
sha256 matches its graph's record is skipped.  Agendas come last because their
ingest links to what the other sources define.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

from kg.config import Settings
from kg.ingest import Prepared
from kg.iris import Minter
from kg.store.base import (
    SYNTAX_BY_SUFFIX,
    GraphDiff,
    GraphInfo,
    ParseError,
    Provenance,
    Store,
    StoreError,
    sha256_of,
)

Status = Literal["loaded", "skipped", "failed"]
#: A progress hook: called with the file and its size; returns a callback taking bytes read.
ProgressFactory = Callable[[Path, int], Callable[[int], None]]

CONCEPTLIST_SUFFIXES = frozenset({".csv", ".xlsx"})
AGENDA_SUFFIXES = frozenset({".md", ".docx"})
#: Folders whose Markdown and Word files are meeting documents, by the kind they hold.  An agenda
#: folder's file that turns out to be minutes is read as minutes (the ingest tells them apart).
MEETING_FOLDERS = {"agendas": "agenda", "dagsordener": "agenda", "minutes": "minutes", "referater": "minutes"}
#: Files larger than this get a progress bar.
PROGRESS_THRESHOLD = 4 * 1024 * 1024


@dataclass
class LoadOutcome:
    """What happened to one source."""

    path: Path
    graph: str
    status: Status
    triples: int = 0
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    #: What the load changed in its graph (filled in by the store when the source was loaded).
    diff: GraphDiff = field(default_factory=GraphDiff)


def source_kind(path: Path) -> str | None:
    """``rdf``, ``conceptlist``, ``agenda``, ``minutes`` or None for a file kg does not load."""
    suffix = path.suffix.lower()
    if suffix in SYNTAX_BY_SUFFIX:
        return "rdf"
    if suffix in CONCEPTLIST_SUFFIXES:
        return "conceptlist"
    if suffix in AGENDA_SUFFIXES:
        kinds = [MEETING_FOLDERS[p.lower()] for p in path.parts[:-1] if p.lower() in MEETING_FOLDERS]
        return kinds[-1] if kinds else None
    return None


def discover(paths: Iterable[Path]) -> list[Path]:
    """Every loadable file under the given files and folders, in load order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*"))
                         if p.is_file() and not p.name.startswith(".") and source_kind(p))
        elif path.is_file():
            found.append(path)
        else:
            raise StoreError(f"{path}: no such file or folder")
    order = {"rdf": 0, "conceptlist": 1, "agenda": 2, "minutes": 3, None: 4}
    return sorted(dict.fromkeys(found), key=lambda p: order[source_kind(p)])


def relative_source(path: Path, settings: Settings) -> str:
    """The path a graph is named after: relative to the data folder, else to the working folder."""
    resolved = path.resolve()
    for root, prefix in ((settings.data_dir, ""), (settings.ontologies_dir, "ontologies/")):
        try:
            return prefix + resolved.relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.name


def companions(path: Path) -> list[Path]:
    """Files that belong to a source: a concept list's ``.scheme.toml`` sidecar."""
    sidecar = path.with_name(path.stem + ".scheme.toml")
    return [sidecar] if source_kind(path) == "conceptlist" and sidecar.is_file() else []


def source_sha256(path: Path) -> str:
    """The source's sha256; with companions, the hash of their hashes, so editing a sidecar reloads."""
    parts = [path, *companions(path)]
    if len(parts) == 1:
        return sha256_of(path)
    return hashlib.sha256("".join(sha256_of(p) for p in parts).encode("ascii")).hexdigest()


def graph_for(path: Path, settings: Settings) -> str:
    return Minter(settings.base_iri).graph(relative_source(path, settings))


class _CountingReader(io.RawIOBase):
    """A file wrapper that reports how many bytes the parser has read."""

    def __init__(self, handle: IO[bytes], report: Callable[[int], None]) -> None:
        self._handle, self._report = handle, report

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        data = self._handle.read(len(buffer))
        buffer[: len(data)] = data
        if data:
            self._report(len(data))
        return len(data)


#: Deeper RDF/XML is refused: Oxigraph's parser is quadratic in depth (10^5 levels take minutes).
MAX_XML_DEPTH = 1000


def check_rdfxml(path: Path) -> None:
    """Refuse RDF/XML that declares external entities, nests absurdly or expands entities explosively.

    Oxigraph expands internal DTD entities without a bound (a 1 kB "billion
    laughs" file took 48 s and 6 GB), so the file is first read with expat, which
    stops entity amplification itself, never fetches anything, and lets kg count depth.
    """
    import xml.parsers.expat as expat

    parser = expat.ParserCreate()
    depth = 0

    def start(name: str, attrs: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise ParseError(str(path), f"XML nested deeper than {MAX_XML_DEPTH} elements",
                             parser.CurrentLineNumber)

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    def entity(name: str, is_parameter: bool, value: str | None, base: str | None, system_id: str | None,
               public_id: str | None, notation: str | None) -> None:
        if system_id or public_id:
            raise ParseError(str(path), f"external XML entity {name!r} is not allowed (kg never fetches "
                             "files or URLs a document names)", parser.CurrentLineNumber)

    parser.StartElementHandler, parser.EndElementHandler, parser.EntityDeclHandler = start, end, entity
    try:
        with path.open("rb") as handle:
            parser.ParseFile(handle)
    except expat.ExpatError as exc:
        raise ParseError(str(path), expat.ErrorString(exc.code), exc.lineno, exc.offset + 1) from None


def load_rdf_file(store: Store, settings: Settings, path: Path, graph: str, sha: str,
                  progress: ProgressFactory | None = None, diff: GraphDiff | None = None) -> int:
    """Replace ``graph`` with an RDF file's triples."""
    syntax = SYNTAX_BY_SUFFIX.get(path.suffix.lower())
    if syntax is None:
        raise StoreError(f"{path}: not a file kg loads (RDF: {', '.join(sorted(SYNTAX_BY_SUFFIX))}; "
                         "concept lists: .csv, .xlsx; agendas and minutes: .md, .docx in an agendas "
                         "or minutes folder)")
    size = path.stat().st_size
    if size == 0:  # most likely a truncated copy: replacing a graph with nothing needs `kg drop`
        raise StoreError(f"{path}: empty file; nothing loaded (to remove a graph, use `kg drop`)")
    if syntax == "rdfxml":
        check_rdfxml(path)
    prov = Provenance.now(relative_source(path, settings), sha)
    if progress is not None and size >= PROGRESS_THRESHOLD:
        report = progress(path, size)
        with path.open("rb") as handle:
            reader = io.BufferedReader(_CountingReader(handle, report), buffer_size=1 << 20)
            return store.load_file(graph, path, syntax, settings.base, prov, progress=reader, diff=diff)
    return store.load_file(graph, path, syntax, settings.base, prov, diff=diff)


def prepare_source(store: Store, settings: Settings, path: Path, kind: str, **options: object) -> Prepared:
    """Run a document's ingest (reading the store, never writing); raises ParseError when it is unusable."""
    if kind == "conceptlist":
        from kg.ingest.conceptlist import prepare
    elif kind == "minutes":
        from kg.ingest.minutes import prepare  # type: ignore[assignment]
    else:
        from kg.ingest.agenda import prepare  # type: ignore[assignment]
    prepared = prepare(path, settings, store, **options)  # type: ignore[arg-type]
    if prepared.errors:
        raise ParseError(str(path), "; ".join(prepared.errors))
    return prepared


def target_graph(path: Path, settings: Settings, prepared: Prepared | None = None) -> str:
    """The graph a source lands in: its document's identity where it has one, else its path."""
    if prepared is not None and prepared.graph_path:
        return Minter(settings.base_iri).graph(prepared.graph_path)
    return graph_for(path, settings)


def store_prepared(store: Store, settings: Settings, path: Path, prepared: Prepared, sha: str,
                   graph: str | None = None, known: dict[str, GraphInfo] | None = None) -> LoadOutcome:
    """Write a prepared document into its graph; warns when it replaces a version from another file."""
    target = graph or target_graph(path, settings, prepared)
    source = relative_source(path, settings)
    outcome = LoadOutcome(path, target, "loaded", warnings=list(prepared.warnings))
    previous = (known or {}).get(target) if known is not None else store.graph_info(target)
    if previous is not None and previous.source and previous.source != source:
        outcome.warnings.append(f"{path}: replaces {target}, which came from {previous.source} "
                                f"(loaded {previous.loaded_at})")
    outcome.triples = store.replace_graph(target, prepared.graph, source=source, sha256=sha,
                                          diff=outcome.diff)
    outcome.message = prepared.summary
    return outcome


def load_paths(store: Store, settings: Settings, paths: Iterable[Path], graph: str | None = None,
               force: bool = False, progress: ProgressFactory | None = None,
               on_outcome: Callable[[LoadOutcome], None] | None = None) -> list[LoadOutcome]:
    """Load every source under ``paths``; each is all or nothing, failures do not stop the rest."""
    paths = list(paths)
    files = discover(paths)
    if not files:  # an empty or mistyped folder would otherwise "succeed" silently
        raise StoreError(f"{', '.join(map(str, paths))}: no loadable files (RDF, concept lists, agendas)")
    if graph is not None and len(files) != 1:
        raise StoreError("--graph names one graph, so give exactly one file")
    known = {g.name: g for g in store.graphs()}
    outcomes = []
    claimed: dict[str, Path] = {}
    for path in files:
        target = graph or graph_for(path, settings)
        kind = source_kind(path) or "rdf"
        outcome = LoadOutcome(path, target, "failed")
        if target in claimed:
            outcome.message = f"{path}: names the same graph {target} as {claimed[target]}; rename one"
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
            continue
        claimed[target] = path
        try:
            sha = source_sha256(path)
            previous = known.get(target) if kind == "rdf" else _same_source(known, path, settings, sha)
            if not force and previous is not None and previous.sha256 == sha:
                outcome.graph = previous.name
                outcome.status, outcome.triples = "skipped", previous.triples
            elif kind == "rdf":
                outcome.triples = load_rdf_file(store, settings, path, target, sha, progress, outcome.diff)
                outcome.status = "loaded"
            else:
                prepared = prepare_source(store, settings, path, kind)
                outcome = store_prepared(store, settings, path, prepared, sha, graph, known)
                outcome.message = ""
        except (StoreError, OSError, UnicodeDecodeError) as exc:
            outcome.message = str(exc)
        except ValueError as exc:  # ingest modules report bad content as ValueError subclasses
            outcome.message = f"{path}: {exc}"
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes


def _same_source(known: dict[str, GraphInfo], path: Path, settings: Settings, sha: str) -> GraphInfo | None:
    """The graph an ingested document went into last time (found by its source and hash)."""
    source = relative_source(path, settings)
    return next((g for g in known.values() if g.source == source and g.sha256 == sha), None)


def default_sources(settings: Settings) -> list[Path]:
    """What ``kg init`` and a fresh ``kg serve`` load: the ontologies and the data folder."""
    return [p for p in (settings.ontologies_dir, settings.data_dir) if p.exists()]
