"""Commands that change the store: ``load``, ``init``, ``drop``, ``dump``, ``restore``, ``recover``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from kg.cli.core import main, server_of, settings_of, store_of, wait_for, writer_of

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

    server = server_of(ctx)
    if server is not None:   # a running kg serve holds the store: its writer loads
        click.echo("a kg server holds the store: loading through it", err=True)
        outcomes = [LoadOutcome(Path(o["path"]), o["graph"], o["status"], o["triples"], o["message"],
                                list(o["warnings"])) for o in server.load(paths, graph=graph, force=force)]
        for outcome in outcomes:
            show(outcome)
        if any(o.status == "loaded" for o in outcomes):
            wait_for(server)
        return sum(o.status == "failed" for o in outcomes)
    with writer_of(ctx) as writer:
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

    settings = settings_of(ctx)
    sources = default_sources(settings)
    if not sources:
        raise click.ClickException(f"nothing to load: no {settings.data_dir}/ or {settings.ontologies_dir}/")
    failures = _run_load(ctx, sources, force=force)
    if failures:
        raise click.ClickException(f"{failures} source(s) failed; nothing of them was loaded")


@main.command()
@click.argument("graph")
@click.pass_context
def drop(ctx: click.Context, graph: str) -> None:
    """Drop a named graph and its PROV record."""
    server = server_of(ctx)
    if server is not None:
        if not server.drop(graph):
            raise click.ClickException(f"no graph named {graph}")
        click.echo(f"dropped {graph}")
        wait_for(server)
        return
    with writer_of(ctx) as writer:
        if not writer.drop(graph):
            raise click.ClickException(f"no graph named {graph}")
    click.echo(f"dropped {graph}")


# -- dump and restore ------------------------------------------------------------------------

@main.command()
@click.argument("output", type=click.Path(path_type=Path), default="-")
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig"]), default="nquads", show_default=True)
@click.pass_context
def dump(ctx: click.Context, output: Path, fmt: str) -> None:
    """Write every graph (with PROV) to OUTPUT (default: standard output)."""
    with store_of(ctx) as store:
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
    server = server_of(ctx)
    if server is not None:
        if not yes:
            click.confirm("A kg server is running on this store; replace everything in it?", abort=True)
        count = server.restore(source, syntax)
        click.echo(f"restored {count} quads from {source}")
        wait_for(server)
        return
    with writer_of(ctx) as writer:
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
    server = server_of(ctx)
    if server is not None:
        dropped = server.recover()
    else:
        with writer_of(ctx) as writer:
            dropped = writer.recover()
    for graph in dropped:
        click.echo(f"removed {graph}")
    click.echo(f"{len(dropped)} hidden graphs removed" if dropped else "nothing to recover")
