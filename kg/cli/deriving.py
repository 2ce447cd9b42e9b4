"""Commands that run one derivation step on demand: ``quality``, ``validate``, ``infer``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from kg.cli.core import main, settings_of, store_of, writer_of
from kg.store.base import StoreError

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

    with writer_of(ctx) as writer:
        store = writer.store
        results = quality.run(store, settings_of(ctx), check=check_urls, validate=not no_validate,
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

    settings = settings_of(ctx)
    try:
        with store_of(ctx) as store:
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

    with writer_of(ctx) as writer:
        outcome = infer(writer.store, settings_of(ctx))
        writer.derive(Change.of([outcome.graph]))  # what reads inferences follows
    click.echo(f"inferred {outcome.triples} triples into {outcome.graph} "
               f"from {outcome.input_triples} asserted ({outcome.seconds:.1f} s)")
