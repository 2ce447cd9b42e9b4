"""Commands of the web front: ``serve`` and ``assets`` (the only part of kg that imports the web app)."""

from __future__ import annotations

import click

from kg.cli.core import main, settings_of


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

    settings = settings_of(ctx)
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

    settings = settings_of(ctx)
    if "yasgui.min.js" not in sources():
        click.echo("YASGUI is not installed (npm ci): /sparql offers its plain form only", err=True)
    manifest = build(settings.assets_dir, progress=lambda name: click.echo(f"  {name}", err=True))
    click.echo(f"{len(manifest)} assets in {settings.assets_dir}")
