"""The ``kg`` command line.

(One module of some 800 lines on purpose: every command is a click declaration and a few lines that
call the library, and the group, its global options and the error handling all of them share are
easiest to read in one place.  The work lives in the modules the commands call.)

Every command reads the settings once (``KG_*`` variables, ``kg.toml``, and the
global options here), opens the store through :func:`kg.store.open_store`, and
turns kg's own errors into one clear line with exit code 1.  Usage errors exit
with 2 (click's convention); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from kg import __version__
from kg.config import ConfigError, Settings, load_settings
from kg.store.base import StoreError


def _stop_on_sigterm() -> None:
    """SIGTERM ends a command as Ctrl-C does (click says "Aborted!", exit 1): the write under way is
    abandoned whole (every load and restore is atomic; what it staged is removed when the store next
    opens) and the store is closed on the way out.  ``kg serve`` installs the server's own handlers."""
    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, stop)


class KgGroup(click.Group):
    """A click group that reports kg's errors as one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        _stop_on_sigterm()
        try:
            return super().invoke(ctx)
        except (StoreError, ConfigError, OSError) as exc:
            if ctx.find_root().params.get("debug"):
                raise
            raise click.ClickException(str(exc)) from None


def _settings(ctx: click.Context) -> Settings:
    settings: Settings = ctx.find_root().obj["settings"]
    return settings


@contextlib.contextmanager
def _store(ctx: click.Context) -> Iterator[Any]:
    """The store, or, when a running ``kg serve`` holds it, its newest published state (read-only)."""
    from kg.store import StoreUnavailable, open_store

    settings = _settings(ctx)
    try:
        store = open_store(settings)
    except StoreUnavailable:
        store = _published_state(settings)
        if store is None:
            raise
    try:
        yield store
    finally:
        store.close()


def _published_state(settings: Settings) -> Any:
    """The newest generation a running server published, opened read-only (None when there is none)."""
    if settings.store != "embedded":
        return None
    from kg.store import snapshots
    from kg.store.embedded import EmbeddedStore

    found = snapshots.current(settings.store_path)
    if found is None:
        return None
    click.echo(f"note: a kg server holds the store; reading its published state (generation {found[0]})",
               err=True)
    return EmbeddedStore(settings.base_iri, found[1], readonly=True)


def _server(ctx: click.Context) -> Any:
    """A client of the running server's writer process, or None when no server holds the store."""
    settings = _settings(ctx)
    if settings.store == "memory":
        return None
    from kg.procs.writer_client import WriterClient, running

    return WriterClient(settings) if running(settings) else None


def _wait_for(server: Any) -> None:
    """After a write through the server: wait until what is derived from it is fresh, as a load alone does."""
    click.echo("waiting for the server to derive from the change ...", err=True)
    if not server.wait(None):
        raise click.ClickException("the server did not finish deriving")
    click.echo("derived state fresh", err=True)


@contextlib.contextmanager
def _writer(ctx: click.Context) -> Iterator[Any]:
    """The write path over the configured store; its derivation runs before each command returns."""
    from kg.store import StoreUnavailable, open_store
    from kg.write import Writer

    try:
        store = open_store(_settings(ctx))
    except StoreUnavailable as exc:
        if _server(ctx) is not None:
            raise click.ClickException(
                "a kg server holds the store and derives quality, inferences and validation after "
                "every write itself; stop it to run this command on the store") from None
        raise click.ClickException(str(exc)) from None
    with contextlib.closing(store):
        writer = Writer(store, _settings(ctx), report=click.echo)
        try:
            yield writer
        finally:
            writer.publication.close()


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
@click.option("--store", "store_kind", type=click.Choice(["embedded", "memory", "remote"]),
              help="Store back end (default: KG_STORE or embedded).")
@click.option("--store-path", type=click.Path(path_type=Path), help="Folder of the embedded store.")
@click.option("--base-iri", help="Base of every IRI kg mints (default: KG_BASE_IRI).")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, store_kind: str | None, store_path: Path | None, base_iri: str | None,
         debug: bool) -> None:
    """kg: the knowledge graph of the Danish municipalities' common IT architecture.

    Load, validate, query and publish the It-Arkitekturråd's decisions, the
    architecture products and datasets (DCAT-AP-DK), concept lists and CPR
    identity governance as linked data.
    """
    try:
        settings = load_settings(store=store_kind, store_path=store_path, base_iri=base_iri)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    ctx.obj = {"settings": settings}


# -- loading ---------------------------------------------------------------------------------

def _progress_factory() -> Callable[[Path, int], Callable[[int], None]] | None:
    """A progress bar per large file, only when a person is watching."""
    if not sys.stderr.isatty():
        return None

    def factory(path: Path, size: int) -> Callable[[int], None]:
        bar = click.progressbar(length=size, label=f"loading {path.name}", file=sys.stderr,
                                show_eta=True, show_percent=True)
        bar.__enter__()
        seen = 0

        def report(n: int) -> None:
            nonlocal seen
            seen += n
            bar.update(n)
            if seen >= size:
                bar.__exit__(None, None, None)

        return report

    return factory


def _run_load(ctx: click.Context, paths: list[Path], graph: str | None = None, force: bool = False) -> int:
    """Load and print one line per source; returns the number of failures."""
    from kg.loading import LoadOutcome

    def show(outcome: LoadOutcome) -> None:
        name = outcome.path.as_posix()
        if outcome.status == "failed":
            click.echo(click.style("failed  ", fg="red") + outcome.message, err=True)
        elif outcome.status == "skipped":
            click.echo(f"skipped {name} (unchanged, {outcome.triples} triples)")
        else:
            click.echo(f"loaded  {name} -> {outcome.graph} ({outcome.triples} triples)")
        for warning in outcome.warnings:
            click.echo(click.style("warning ", fg="yellow") + warning, err=True)

    server = _server(ctx)
    if server is not None:   # a running kg serve holds the store: its writer loads
        click.echo("a kg server holds the store: loading through it", err=True)
        outcomes = [LoadOutcome(Path(o["path"]), o["graph"], o["status"], o["triples"], o["message"],
                                list(o["warnings"])) for o in server.load(paths, graph=graph, force=force)]
        for outcome in outcomes:
            show(outcome)
        if any(o.status == "loaded" for o in outcomes):
            _wait_for(server)
        return sum(o.status == "failed" for o in outcomes)
    with _writer(ctx) as writer:
        outcomes = writer.load(paths, graph=graph, force=force, progress=_progress_factory(), on_outcome=show)
    return sum(o.status == "failed" for o in outcomes)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--graph", help="Load into this named graph (one file only).")
@click.option("--force", is_flag=True, help="Reload even when the file is unchanged.")
@click.pass_context
def load(ctx: click.Context, paths: tuple[Path, ...], graph: str | None, force: bool) -> None:
    """Load RDF files or folders, one named graph per file.

    Turtle, N-Triples, N-Quads, TriG, RDF/XML and JSON-LD; concept lists
    (.csv/.xlsx), agendas and minutes (.md/.docx under an `agendas` or `minutes`
    folder) go through their ingest.  Each file replaces its graph all or nothing;
    a file whose sha256 is unchanged is skipped.
    """
    failures = _run_load(ctx, list(paths), graph=graph, force=force)
    if failures:
        raise click.ClickException(f"{failures} source(s) failed; nothing of them was loaded")


@main.command()
@click.option("--force", is_flag=True, help="Reload every source even when unchanged.")
@click.pass_context
def init(ctx: click.Context, force: bool) -> None:
    """Create the store and load the ontologies and the data folder."""
    from kg.loading import default_sources

    settings = _settings(ctx)
    sources = default_sources(settings)
    if not sources:
        raise click.ClickException(f"nothing to load: no {settings.data_dir}/ or {settings.ontologies_dir}/")
    failures = _run_load(ctx, sources, force=force)
    if failures:
        raise click.ClickException(f"{failures} source(s) failed; nothing of them was loaded")


@main.command()
@click.pass_context
def graphs(ctx: click.Context) -> None:
    """List the named graphs: triples, source and when they were loaded."""
    with _store(ctx) as store:
        infos = store.graphs()
    rows = [(g.name, str(g.triples), g.source or "", g.loaded_at or "") for g in infos]
    _echo_table(["graph", "triples", "source", "loaded at"], rows)


@main.command()
@click.argument("graph")
@click.pass_context
def drop(ctx: click.Context, graph: str) -> None:
    """Drop a named graph and its PROV record."""
    server = _server(ctx)
    if server is not None:
        if not server.drop(graph):
            raise click.ClickException(f"no graph named {graph}")
        click.echo(f"dropped {graph}")
        _wait_for(server)
        return
    with _writer(ctx) as writer:
        if not writer.drop(graph):
            raise click.ClickException(f"no graph named {graph}")
    click.echo(f"dropped {graph}")


# -- querying --------------------------------------------------------------------------------

def _read_query(text: str) -> str:
    if text == "-":
        return sys.stdin.read()
    if text.endswith((".rq", ".sparql")) and Path(text).is_file():
        return Path(text).read_text(encoding="utf-8")
    return text


def _echo_table(header: list[str], rows: list[tuple[str, ...]] | list[list[str]]) -> None:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


@main.command()
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "ttl"]), default="table",
              show_default=True, help="Output format (ttl for CONSTRUCT/DESCRIBE).")
@click.pass_context
def query(ctx: click.Context, query: str, fmt: str) -> None:
    """Run a SPARQL query: the text, a .rq file, or - for standard input."""
    from kg.store import QuerySyntaxError

    text = _read_query(query)
    settings = _settings(ctx)
    with _store(ctx) as store:
        try:
            result = store.execute(text, max_rows=None)
        except QuerySyntaxError as exc:
            raise click.ClickException(f"query syntax: {exc}") from None
        if result.kind == "boolean":
            answer = json.loads(result.serialize("application/sparql-results+json"))["boolean"]
            click.echo("true" if answer else "false")
            return
        if result.kind == "graph":
            media = "application/n-triples" if fmt == "csv" else "text/turtle"
            if fmt == "json":
                media = "application/ld+json"
            click.echo(result.serialize(media).decode("utf-8"), nl=False)
            return
        if fmt == "json":
            click.echo(result.serialize("application/sparql-results+json").decode("utf-8"))
            return
        if fmt == "csv":
            click.echo(result.serialize("text/csv").decode("utf-8"), nl=False)
            return
        data = json.loads(result.serialize("application/sparql-results+json"))
    variables = data["head"]["vars"]
    rows = [[_cell(b.get(v), settings) for v in variables] for b in data["results"]["bindings"]]
    _echo_table(variables, rows)
    click.echo(f"({len(rows)} rows)")


def _cell(binding: dict[str, str] | None, settings: Settings) -> str:
    if binding is None:
        return ""
    value = binding["value"]
    if binding["type"] == "uri" and value.startswith(settings.base_iri + "/"):
        return "<" + value[len(settings.base_iri):] + ">"
    if binding["type"] == "uri":
        return f"<{value}>"
    if binding.get("xml:lang"):
        return f"{value}@{binding['xml:lang']}"
    return value


# -- dump and restore ------------------------------------------------------------------------

@main.command()
@click.argument("output", type=click.Path(path_type=Path), default="-")
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig"]), default="nquads", show_default=True)
@click.pass_context
def dump(ctx: click.Context, output: Path, fmt: str) -> None:
    """Write every graph (with PROV) to OUTPUT (default: standard output)."""
    with _store(ctx) as store:
        if str(output) == "-":
            count = store.dump(sys.stdout.buffer, fmt)  # type: ignore[arg-type]
        else:
            with output.open("wb") as handle:
                count = store.dump(handle, fmt)  # type: ignore[arg-type]
            click.echo(f"wrote {count} quads to {output}", err=True)


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig"]), default=None,
              help="Dump format (default: from the file name).")
@click.option("--yes", is_flag=True, help="Replace a store that is not empty without asking.")
@click.pass_context
def restore(ctx: click.Context, source: Path, fmt: str | None, yes: bool) -> None:
    """Replace the store's whole content with a dump made by `kg dump`."""
    syntax = fmt or ("trig" if source.suffix.lower() == ".trig" else "nquads")
    server = _server(ctx)
    if server is not None:
        if not yes:
            click.confirm("A kg server is running on this store; replace everything in it?", abort=True)
        count = server.restore(source, syntax)
        click.echo(f"restored {count} quads from {source}")
        _wait_for(server)
        return
    with _writer(ctx) as writer:
        if writer.store.graphs() and not yes:
            click.confirm("The store is not empty; replace everything in it?", abort=True)
        count = writer.restore(source, syntax)
    click.echo(f"restored {count} quads from {source}")


@main.command()
@click.pass_context
def recover(ctx: click.Context) -> None:
    """Remove what interrupted loads and restores left hidden (invisible to queries, but taking space).

    The embedded store does this each time it opens.  A remote store does not (another
    kg process may be loading into it at that moment): run this when none is.
    """
    server = _server(ctx)
    if server is not None:
        dropped = server.recover()
    else:
        with _writer(ctx) as writer:
            dropped = writer.recover()
    for graph in dropped:
        click.echo(f"removed {graph}")
    click.echo(f"{len(dropped)} hidden graphs removed" if dropped else "nothing to recover")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Report format on standard output.")
@click.pass_context
def status(ctx: click.Context, fmt: str) -> None:
    """Show how fresh the derived state is: each derivation step's last run, its time and outcome.

    Read from the publication beside the store, so it works while a server runs; a step that
    failed is retried after the next change.  Exit 1 when a step's last run failed.
    """
    from kg.derive import STATUS_KEY
    from kg.publication import Publication, publication_path
    from kg.write import UNFINISHED

    path = publication_path(_settings(ctx))
    if path is None or not path.exists():
        raise click.ClickException("nothing published yet: load something first (kg init or kg load)")
    publication = Publication(path, readonly=True)
    try:
        found = publication.value(STATUS_KEY, None)
        unfinished = bool(publication.value(UNFINISHED, False))
    finally:
        publication.close()
    state: dict[str, Any] = found if isinstance(found, dict) else {"steps": {}}
    state["unfinished"] = unfinished
    steps: dict[str, dict[str, Any]] = state.get("steps") or {}
    if fmt == "json":
        click.echo(json.dumps(state, indent=2, ensure_ascii=False))
    else:
        click.echo(f"last refresh: {state.get('last_refresh', 'never')} "
                   f"({state.get('refresh_seconds', 0)} s)")
        if unfinished:
            click.echo("the last refresh did not finish (a stop, or a server at work): the next write "
                       "derives everything again")
        _echo_table(["step", "ok", "seconds", "at", "outcome"],
                    [(name, "yes" if s.get("ok") else "NO", str(s.get("seconds", "")), str(s.get("at", "")),
                      str(s.get("error") or s.get("message") or "")) for name, s in steps.items()])
    if any(not s.get("ok", False) for s in steps.values()):
        ctx.exit(1)


# -- serving ---------------------------------------------------------------------------------

@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--bind", help="Where to listen instead of --host/--port, e.g. unix:/run/kg/kg.sock.")
@click.option("--threads", default=8, show_default=True, type=int,
              help="Scales how many connections a worker keeps open at once (x128).")
@click.option("--no-init", is_flag=True, help="Do not load data/ into an empty store first.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, bind: str | None, threads: int, no_init: bool) -> None:
    """Serve kg over HTTP (gunicorn), loading data/ first into an empty store.

    A writer process holds the store; HTTP workers read it through isolated query processes.
    SIGTERM or Ctrl-C finishes the requests in flight and closes the store.
    """
    from webapp.server import run_server

    settings = _settings(ctx)
    if settings.store == "memory" and not no_init:
        click.echo("a store in memory: it holds what the web server's process loads", err=True)
    run_server(settings, bind=bind or f"{host}:{port}", threads=threads, first_load=not no_init)


@main.command()
@click.pass_context
def assets(ctx: click.Context) -> None:
    """Build the web pages' CSS, JavaScript and icons for serving.

    Each file is copied under a name carrying a hash of its content, beside its gzip and brotli
    forms, into the assets folder (KG_ASSETS_DIR, default var/assets); YASGUI's files come from
    node_modules/ (npm ci).  kg serve builds them too when they are missing or stale.
    """
    from webapp.assets import build, sources

    settings = _settings(ctx)
    if "yasgui.min.js" not in sources():
        click.echo("YASGUI is not installed (npm ci): /sparql offers its plain form only", err=True)
    manifest = build(settings.assets_dir, progress=lambda name: click.echo(f"  {name}", err=True))
    click.echo(f"{len(manifest)} assets in {settings.assets_dir}")


# -- quality ---------------------------------------------------------------------------------

@main.command("quality")
@click.option("--check-urls", is_flag=True, help="Also check access and download URLs over HTTP (HEAD).")
@click.option("--no-validate", is_flag=True, help="Skip DCAT-AP-DK compliance against kg's shapes.")
@click.option("--workers", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Concurrent URL checks.")
@click.option("--timeout", default=5.0, show_default=True, type=click.FloatRange(0.1, 120),
              help="Seconds per URL check.")
@click.pass_context
def quality_command(ctx: click.Context, check_urls: bool, no_validate: bool, workers: int,
                    timeout: float) -> None:
    """Measure metadata quality (EU MQA metrics as W3C DQV) into the quality graph.

    Also checks the declared quality annotations (Fælles sprog for datakvalitet) and
    rebuilds the catalogue index.  Runs automatically, without URL checks and SHACL,
    after every load.
    """
    from kg import quality
    from kg.derive.change import Change

    with _writer(ctx) as writer:
        store = writer.store
        results = quality.run(store, _settings(ctx), check=check_urls, validate=not no_validate,
                              workers=workers, timeout=timeout)
        problems = quality.check_annotations(store)
        writer.derive(Change.of([quality.quality_graph(store.base_iri)]))  # pages, search … follow
    ratings: dict[str, int] = {}
    for q in results.values():
        ratings[q.rating] = ratings.get(q.rating, 0) + 1
    mean = sum(q.score for q in results.values()) / len(results) if results else 0
    summary = ", ".join(f"{ratings[r]} {r}" for _, r in quality.RATINGS if r in ratings) or "none"
    click.echo(f"{len(results)} datasets measured; mean score {mean:.0f} of {quality.MAX_SCORE} ({summary})")
    for problem in problems:
        click.echo(click.style("warning ", fg="yellow") + problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} declared quality annotation(s) break the rules")


# -- validation and reasoning ------------------------------------------------------------------

@main.command("validate")
@click.option("--shapes", "shape_files", multiple=True, type=click.Path(path_type=Path),
              help="Shapes file (repeatable; default: every shapes/*.ttl).")
@click.option("--graph", "graph_iris", multiple=True, help="Validate only resources described in this graph "
              "(repeatable; descriptions still come from every graph).")
@click.option("--format", "fmt", type=click.Choice(["text", "ttl", "json", "html"]), default="text",
              show_default=True, help="Report format on standard output.")
@click.option("--fail-on", type=click.Choice(["violation", "warning"]), default="violation",
              show_default=True, help="The severity that makes the exit code 1.")
@click.option("--lang", type=click.Choice(["da", "en"]), default="da", show_default=True,
              help="Language of the messages.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Queries run at once (sparql) or worker processes (pyshacl); default: CPUs.")
@click.option("--engine", type=click.Choice(["sparql", "pyshacl"]), default="sparql", show_default=True,
              help="sparql: the shapes compiled to SPARQL and run by the store (falls back to pyshacl when "
              "the shapes use what is not compiled); pyshacl: pyshacl per resource, in worker processes.")
@click.option("--whole-graph", is_flag=True, help="One pyshacl run over the whole graph (the reference) "
              "instead of either engine.")
@click.option("--no-store", is_flag=True, help="Do not store the report in the validation graph.")
@click.pass_context
def validate_command(ctx: click.Context, shape_files: tuple[Path, ...], graph_iris: tuple[str, ...], fmt: str,
                     fail_on: str, lang: str, jobs: int | None, engine: str, whole_graph: bool,
                     no_store: bool) -> None:
    """Validate the store against kg's SHACL shapes; exit 0 when it conforms, 1 when not, 2 on errors.

    The text report is grouped by resource (label, property, message in the chosen
    language).  The latest report is stored in the validation graph for the web pages.
    """
    from kg import validation as v

    settings = _settings(ctx)
    try:
        with _store(ctx) as store:
            shapes = v.load_shapes(list(shape_files) or v.default_shape_files(settings), settings.base)
            known = {g.name for g in store.graphs()}
            missing = [g for g in graph_iris if g not in known]
            if missing:
                raise v.ValidationError(f"no graph named {missing[0]}")
            graphs = list(graph_iris) or None
            if whole_graph:
                report = v.validate_whole(store, settings, shapes, graphs)
            else:
                report = v.validate_store(store, settings, shapes, graphs, jobs=jobs,
                                          progress=_validation_progress(), engine=engine)
                if engine == "sparql" and report.engine != "sparql":
                    click.echo(f"Note: validated with {report.engine}", err=True)
            if not no_store and getattr(store, "readonly", False):
                click.echo("note: not stored (a kg server holds the store and validates after every write)",
                           err=True)
            elif not no_store:
                v.store_report(store, settings, report)
    except (StoreError, OSError) as exc:
        click.echo(f"Error: {exc}", err=True)
        ctx.exit(2)
    base = settings.base_iri + "/"
    if fmt == "ttl":
        click.echo(report.to_graph().serialize(format="turtle"), nl=False)
    elif fmt == "json":
        click.echo(report.to_json(lang))
    elif fmt == "html":
        click.echo(report.to_html(lang, base), nl=False)
    else:
        click.echo(report.to_text(lang, base), nl=False)
    ctx.exit(0 if report.conforms(fail_on) else 1)


def _validation_progress() -> Callable[[int, int], None] | None:
    """Progress on the terminal only: queries run (sparql) or resources validated (pyshacl)."""
    if not sys.stderr.isatty():
        return None

    def report(done: int, total: int) -> None:
        click.echo(f"\rvalidating: {done}/{total}", err=True, nl=done >= total)

    return report


@main.command("infer")
@click.pass_context
def infer_command(ctx: click.Context) -> None:
    """Compute the OWL RL closure of the ontologies and data into the inferred graph."""
    from kg.derive.change import Change
    from kg.reason import infer

    with _writer(ctx) as writer:
        outcome = infer(writer.store, _settings(ctx))
        writer.derive(Change.of([outcome.graph]))  # what reads inferences follows
    click.echo(f"inferred {outcome.triples} triples into {outcome.graph} "
               f"from {outcome.input_triples} asserted ({outcome.seconds:.1f} s)")


# -- sub-groups filled by the ingest and export modules -----------------------------------------

@main.group(cls=KgGroup)
def ingest() -> None:
    """Turn source documents (agendas, minutes, concept lists) into graphs and load them."""


@main.group(cls=KgGroup)
def export() -> None:
    """Write graphs back out in their source formats."""


# -- concept lists -----------------------------------------------------------------------------

def _ingest_one(ctx: click.Context, file: Path, kind: str, dry_run: bool, fmt: str | None, strict: bool,
                **options: object) -> None:
    """Read one document through its ingest, report, and (unless a dry run) load it into its graph."""
    from kg.loading import target_graph
    from kg.store.base import ParseError, sha256_of

    settings = _settings(ctx)
    server = _server(ctx)
    if server is not None and not fmt:
        _ingest_through(server, file, kind, dry_run, strict, **options)
        return
    with _writer(ctx) as writer:
        try:
            prepared = writer.prepare(file, kind, **options)
        except ParseError as exc:
            raise click.ClickException(str(exc)) from None
        except ValueError as exc:  # the ingest modules' own errors name what is wrong
            message = str(exc)
            raise click.ClickException(message if message.startswith(str(file)) else f"{file}: {message}") \
                from None
        for warning in prepared.warnings:
            click.echo(click.style("warning ", fg="yellow") + warning, err=True)
        for note in prepared.notes:
            click.echo(note, err=True)
        for change in prepared.changes:
            click.echo(f"change  {change}", err=True)
        if strict and prepared.warnings:
            raise click.ClickException(f"{file}: {len(prepared.warnings)} warning(s) and --strict; "
                                       "nothing loaded")
        if fmt:
            click.echo(prepared.graph.serialize(format="turtle" if fmt == "ttl" else "nt"), nl=False)
        graph = target_graph(file, settings, prepared)
        if dry_run:
            click.echo(f"checked {file}: {prepared.summary} ({len(prepared.graph)} triples) -> {graph}; "
                       "nothing loaded", err=True)
            return
        outcome = writer.store_prepared(file, prepared, sha256_of(file))
        for warning in outcome.warnings[len(prepared.warnings):]:
            click.echo(click.style("warning ", fg="yellow") + warning, err=True)
    click.echo(f"loaded  {file} -> {outcome.graph} ({outcome.triples} triples; {prepared.summary})",
               err=bool(fmt))


def _ingest_through(server: Any, file: Path, kind: str, dry_run: bool, strict: bool,
                    **options: object) -> None:
    """``kg ingest`` while a server holds the store: its writer reads and loads the document."""
    click.echo("a kg server holds the store: ingesting through it", err=True)
    checked = server.ingest(file, kind, dry_run=True, **options)["prepared"]
    for warning in checked["warnings"]:
        click.echo(click.style("warning ", fg="yellow") + warning, err=True)
    for line in checked["notes"]:
        click.echo(line, err=True)
    for change in checked["changes"]:
        click.echo(f"change  {change}", err=True)
    if strict and checked["warnings"]:
        raise click.ClickException(f"{file}: {len(checked['warnings'])} warning(s) and --strict; "
                                   "nothing loaded")
    if dry_run:
        click.echo(f"checked {file}: {checked['summary']} ({checked['triples']} triples); nothing loaded",
                   err=True)
        return
    outcome = server.ingest(file, kind, dry_run=False, **options)["outcome"]
    for warning in outcome["warnings"][len(checked["warnings"]):]:
        click.echo(click.style("warning ", fg="yellow") + warning, err=True)
    click.echo(f"loaded  {file} -> {outcome['graph']} ({outcome['triples']} triples; {checked['summary']})")
    _wait_for(server)


@ingest.command("conceptlist")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--scheme", help="Scheme slug (default: the sidecar's slug, else the file name).")
@click.option("--skip-bad-rows", is_flag=True, help="Load the good rows and report the bad ones.")
@click.option("--encoding", help="Text encoding of a .csv (default: detected, and reported), e.g. cp1252.")
@click.option("--sheet", help="Sheet of an .xlsx to read (default: the one whose header kg recognises).")
@click.option("--dry-run", is_flag=True,
              help="Check, convert and print the change report only; load nothing.")
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt"]), default=None,
              help="Also print the SKOS on standard output in this syntax.")
@click.pass_context
def ingest_conceptlist(ctx: click.Context, file: Path, scheme: str | None, skip_bad_rows: bool,
                       encoding: str | None, sheet: str | None, dry_run: bool, fmt: str | None) -> None:
    """Read a concept list (.csv/.xlsx, Danish modelling rules' columns) into SKOS and load it.

    The list replaces its scheme's named graph all or nothing, from whatever folder it is
    read, as a new version with a change report against the stored one: renamed concepts
    keep their IRIs where kg can tell, concepts that left the list are kept as withdrawn.
    A list with bad rows loads nothing unless --skip-bad-rows.  Layout: docs/conceptlists.md.
    """
    _ingest_one(ctx, file, "conceptlist", dry_run, fmt, strict=False, scheme=scheme,
                skip_bad_rows=skip_bad_rows, encoding=encoding, sheet=sheet)


# -- agendas ----------------------------------------------------------------------------------

_Command = Callable[..., None]


def _council_document(owned: str, graph: str, warned: str) -> Callable[[_Command], _Command]:
    """The argument and options an agenda and minutes share, in each one's words."""
    def apply(command: _Command) -> _Command:
        for decorate in reversed([
            click.argument("file", type=click.Path(dir_okay=False, path_type=Path)),
            click.option("--body", default="it-arkitekturraadet", show_default=True,
                         help=f"Key (IRI slug) of the body {owned}."),
            click.option("--dry-run", is_flag=True, help="Read and report only; load nothing."),
            click.option("--format", "fmt", type=click.Choice(["ttl", "nt"]), default=None,
                         help=f"Also print {graph} on standard output in this syntax."),
            click.option("--strict", is_flag=True, help=f"Load nothing if {warned} any warning."),
            click.pass_context,
        ]):
            command = decorate(command)
        return command
    return apply


@ingest.command("agenda")
@_council_document("whose agenda it is", "the agenda's graph", "the agenda has")
def ingest_agenda(ctx: click.Context, file: Path, body: str, dry_run: bool, fmt: str | None,
                  strict: bool) -> None:
    """Read a council agenda (.md or .docx) into its meeting, items and decisions, and load it.

    The agenda replaces its meeting's named graph all or nothing, with PROV (source,
    sha256), whatever the file is called; what changed against the stored version is
    listed.  Minutes given here are recognised and read as minutes.  The graph holds what
    the document says; links to products and organisations are derived from it.  What
    could not be placed is reported as a warning with its line.
    """
    _ingest_one(ctx, file, "agenda", dry_run, fmt, strict, body=body)


@ingest.command("minutes")
@_council_document("whose minutes they are", "the minutes' graph", "the minutes have")
def ingest_minutes(ctx: click.Context, file: Path, body: str, dry_run: bool, fmt: str | None,
                   strict: bool) -> None:
    """Read council minutes (.md or .docx, a "Beslutning" part under each item) into decisions.

    Each decision is linked to its item, the item's recommendations, the meeting and the
    case, with its outcome and text.  The minutes replace their meeting's minutes graph
    (minutes/BODY/DATE) and leave out what the meeting's agenda in the store already says.
    """
    _ingest_one(ctx, file, "minutes", dry_run, fmt, strict, body=body)


@export.command("conceptlist")
@click.argument("scheme")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="Output format (default: from the -o file name, else csv).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (its sidecar .scheme.toml is written beside it); default: standard output.")
@click.option("--ids", is_flag=True, help="Write the Id column (Begrebs-id) for every concept, so that "
              "terms can be renamed in the spreadsheet without changing IRIs.")
@click.pass_context
def export_conceptlist(ctx: click.Context, scheme: str, fmt: str | None, output: Path | None,
                       ids: bool) -> None:
    """Write the concept scheme SCHEME (slug or IRI) as a concept list in the ingest's layout.

    Withdrawn concepts are left out; the Id column is written when an IRI does not follow from
    its term (a recognised rename), or for every concept with --ids.
    """
    from kg.export import conceptlist as ex

    settings = _settings(ctx)
    fmt = fmt or (output.suffix.lower().lstrip(".") if output and output.suffix.lower() == ".xlsx" else "csv")
    target = ex.scheme_iri(settings, scheme)
    with _store(ctx) as store:
        rows = ex.concept_rows(store, target, ids=ids)
        if not rows:
            known = ", ".join(s.rsplit("/", 1)[-1] for s in ex.known_schemes(store)) or "none"
            raise click.ClickException(f"no concepts in scheme {target} (schemes in the store: {known})")
        meta = ex.scheme_metadata(store, settings, target)
    try:
        if output is None and fmt == "xlsx":
            if sys.stdout.isatty():
                raise click.ClickException("xlsx is binary: give -o FILE.xlsx")
            ex.write_xlsx(rows, sys.stdout.buffer)
        elif output is None:
            ex.write_csv(rows, sys.stdout)
        else:
            if fmt == "xlsx":
                ex.write_xlsx(rows, output)
            else:
                with output.open("w", encoding="utf-8", newline="") as handle:
                    ex.write_csv(rows, handle)
            ex.sidecar_for(output).write_text(ex.sidecar_text(target.rsplit("/", 1)[-1], meta),
                                              encoding="utf-8")
            click.echo(f"wrote {len(rows)} concepts to {output} (+ {ex.sidecar_for(output).name})", err=True)
    except ex.ExportError as exc:
        raise click.ClickException(str(exc)) from None


if __name__ == "__main__":
    main()
