"""What every ``kg`` command shares: the group and its global options, one-line errors, the settings,
the store (or a running server's published state), the write path, the running server's writer."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
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


def settings_of(ctx: click.Context) -> Settings:
    settings: Settings = ctx.find_root().obj["settings"]
    return settings


@contextlib.contextmanager
def store_of(ctx: click.Context) -> Iterator[Any]:
    """The store, or, when a running ``kg serve`` holds it, its newest published state (read-only)."""
    from kg.store import StoreUnavailable, open_store

    settings = settings_of(ctx)
    try:
        store = open_store(settings)
    except StoreUnavailable:
        store = published_state(settings)
        if store is None:
            raise
    try:
        yield store
    finally:
        store.close()


def published_state(settings: Settings) -> Any:
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


def server_of(ctx: click.Context) -> Any:
    """A client of the running server's writer process, or None when no server holds the store."""
    settings = settings_of(ctx)
    if settings.store == "memory":
        return None
    from kg.procs.writer_client import WriterClient, running

    return WriterClient(settings) if running(settings) else None


def wait_for(server: Any) -> None:
    """After a write through the server: wait until what is derived from it is fresh, as a load alone does."""
    click.echo("waiting for the server to derive from the change ...", err=True)
    if not server.wait(None):
        raise click.ClickException("the server did not finish deriving")
    click.echo("derived state fresh", err=True)


@contextlib.contextmanager
def writer_of(ctx: click.Context) -> Iterator[Any]:
    """The write path over the configured store; its derivation runs before each command returns."""
    from kg.store import StoreUnavailable, open_store
    from kg.write import Writer

    try:
        store = open_store(settings_of(ctx))
    except StoreUnavailable as exc:
        if server_of(ctx) is not None:
            raise click.ClickException(
                "a kg server holds the store and derives quality, inferences and validation after "
                "every write itself; stop it to run this command on the store") from None
        raise click.ClickException(str(exc)) from None
    with contextlib.closing(store):
        writer = Writer(store, settings_of(ctx), report=click.echo)
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


def echo_table(header: list[str], rows: list[tuple[str, ...]] | list[list[str]]) -> None:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
