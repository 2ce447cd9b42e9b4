"""Commands that read: ``graphs``, ``query``, ``status``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from kg.cli.core import echo_table, main, settings_of, store_of
from kg.config import Settings


@main.command()
@click.pass_context
def graphs(ctx: click.Context) -> None:
    """List the named graphs: triples, source and when they were loaded."""
    with store_of(ctx) as store:
        infos = store.graphs()
    rows = [(g.name, str(g.triples), g.source or "", g.loaded_at or "") for g in infos]
    echo_table(["graph", "triples", "source", "loaded at"], rows)


def _read_query(text: str) -> str:
    if text == "-":
        return sys.stdin.read()
    if text.endswith((".rq", ".sparql")) and Path(text).is_file():
        return Path(text).read_text(encoding="utf-8")
    return text


@main.command()
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "ttl"]), default="table",
              show_default=True, help="Output format (ttl for CONSTRUCT/DESCRIBE).")
@click.pass_context
def query(ctx: click.Context, query: str, fmt: str) -> None:
    """Run a SPARQL query: the text, a .rq file, or - for standard input."""
    from kg.store import QuerySyntaxError

    text = _read_query(query)
    settings = settings_of(ctx)
    with store_of(ctx) as store:
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
    echo_table(variables, rows)
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

    path = publication_path(settings_of(ctx))
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
        echo_table(["step", "ok", "seconds", "at", "outcome"],
                    [(name, "yes" if s.get("ok") else "NO", str(s.get("seconds", "")), str(s.get("at", "")),
                      str(s.get("error") or s.get("message") or "")) for name, s in steps.items()])
    if any(not s.get("ok", False) for s in steps.values()):
        ctx.exit(1)
