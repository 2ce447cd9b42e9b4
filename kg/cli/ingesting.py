"""The ``ingest`` and ``export`` groups: concept lists, agendas and minutes in; concept lists out."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kg.cli.core import KgGroup, main, server_of, settings_of, store_of, wait_for, writer_of


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

    settings = settings_of(ctx)
    server = server_of(ctx)
    if server is not None and not fmt:
        _ingest_through(server, file, kind, dry_run, strict, **options)
        return
    with writer_of(ctx) as writer:
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
    wait_for(server)


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

    settings = settings_of(ctx)
    fmt = fmt or (output.suffix.lower().lstrip(".") if output and output.suffix.lower() == ".xlsx" else "csv")
    target = ex.scheme_iri(settings, scheme)
    with store_of(ctx) as store:
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
