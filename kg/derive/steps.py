"""The steps of the derivation pipeline, in the order they run, each with the graphs it reads.

links → inference → validation → quality → catalogue → search → pages → dump.  Inference
reads the sources and the links between them (never a derived product, so its result does
not depend on the previous quality or validation); validation reads the same; quality
reads the sources; the catalogue and search read what is published (sources, links,
inferences); the pages' summaries and the dump read everything.
"""

from __future__ import annotations

from kg import graphs
from kg.derive.change import Change
from kg.derive.step import Context, Outcome, Step, resources
from kg.store.base import GraphDiff

#: Above this many touched resources a step works in full: measured at 10 000 datasets, a change to all
#: of them took 63 s measured again one by one against 9 s for a full quality run (inference: 16 s
#: against 0.5 s), and the two meet far below a tenth of the store.
FULL_ABOVE = 2000


def _small(touched: set[str] | None) -> set[str] | None:
    """The touched resources, or None (work in full) when there are too many to be worth it."""
    return None if touched is None or len(touched) > FULL_ABOVE else touched


def _derived(ctx: Context, name: str) -> Change:
    return Change.of([graphs.derived_graph(ctx.settings.base_iri, name)])


# -- the steps ----------------------------------------------------------------------------------------

def run_links(ctx: Context) -> Outcome:
    """Links from what agendas and minutes say (titles, names) to the resources they name."""
    from kg.ingest.links import link_agendas

    result = link_agendas(ctx.store)
    target = graphs.derived_graph(ctx.settings.base_iri, "links")
    diff = GraphDiff()
    count = ctx.store.replace_if_changed(target, result.graph.serialize(format="nt", encoding="utf-8"),
                                         "kg links", diff)
    for note in result.notes():
        ctx.report(note)
    return Outcome(f"links from agendas and minutes: {count} triples -> {target}",
                   Change({target: diff.resources}))


def run_inference(ctx: Context) -> Outcome:
    """The OWL RL closure: again only about what the change touched, where that is exact."""
    from kg.reason import infer

    if not ctx.settings.infer_after_load:
        return Outcome()
    diff = GraphDiff()
    touched = _small(resources(ctx, INFERENCE_READS))
    changed = [g for g in ctx.change.graphs if Step("probe", INFERENCE_READS, run_links)
               .reads_graph(g, ctx.settings.base_iri)]
    inferred = infer(ctx.store, ctx.settings, diff, touched=touched, changed_graphs=changed,
                     previous_tbox=str(ctx.previous.get("tbox") or "") or None)
    how = "again for what changed" if inferred.incremental else "in full"
    return Outcome(f"inferred {inferred.triples} triples -> {inferred.graph} ({how})",
                   Change({inferred.graph: diff.resources}), {"tbox": inferred.tbox})


def run_validation(ctx: Context) -> Outcome:
    from kg import validation as v

    files = [p for p in v.default_shape_files(ctx.settings) if p.is_file()]
    if not files:
        return Outcome()
    shapes = v.load_shapes(files, ctx.settings.base)
    report = v.validate_store(ctx.store, ctx.settings, shapes, engine="sparql", labels=False)
    v.store_report(ctx.store, ctx.settings, report)
    return Outcome(f"validated {report.focus_count} resources: {report.count('violation')} violations, "
                   f"{report.count('warning')} warnings", _derived(ctx, "validation"))


def run_quality(ctx: Context) -> Outcome:
    """DQV measurements: again only for the datasets the change can have touched, when it is small."""
    from kg import quality
    from kg.quality_changes import refresh_targets

    if not ctx.settings.quality_after_load:
        return Outcome()
    targets = _small(resources(ctx, QUALITY_READS))
    results = None
    if targets is not None and ctx.store.graph_info(quality.quality_graph(ctx.store.base_iri)) is not None:
        results = refresh_targets(ctx.store, ctx.settings, targets)
    if results is None:
        results = quality.run(ctx.store, ctx.settings, validate=False)
        return Outcome(f"quality measured for {len(results)} datasets", _derived(ctx, "quality"))
    # measured again only for these datasets: what the catalogue shows of them is all that changed
    return Outcome(f"quality measured again for {len(results)} datasets",
                   Change.of([quality.quality_graph(ctx.store.base_iri)], set(results)))


def run_catalog(ctx: Context) -> Outcome:
    """The catalogue harvesters page through, and the VoID description: stored bytes, made again
    only for the items the change can show on."""
    from kg.catalog import publish_catalogue, publish_void

    touched = resources(ctx, ("asserted", "links"))
    quality_graph = graphs.derived_graph(ctx.settings.base_iri, "quality")
    if touched is not None and quality_graph in ctx.change.graphs:
        measured = ctx.change.graphs[quality_graph]
        touched = None if measured is None else touched | measured
    built = publish_catalogue(ctx.store, ctx.publication, touched)
    publish_void(ctx.store, ctx.publication)
    how = "in full" if built.full else f"{built.documents} item documents again"
    return Outcome(f"catalogue: {built.items} items, {built.pages} pages written ({how})",
                   _derived(ctx, "void"))


def run_search(ctx: Context) -> Outcome:
    from kg.search import refresh

    if not ctx.settings.search_after_load:
        return Outcome()
    documents = refresh(ctx.store, ctx.settings, ctx.publication)
    return Outcome(f"search index: {documents} documents")


def run_pages(ctx: Context) -> Outcome:
    from kg.pages.summaries import publish_summaries

    publish_summaries(ctx.store, ctx.publication)
    return Outcome()


def run_dump(ctx: Context) -> Outcome:
    from kg.catalog import publish_dump

    quads = publish_dump(ctx.store, ctx.publication, ctx.settings)
    return Outcome(f"dump: {quads} quads")


#: Inference reads the sources and the links between them, never a derived product.
INFERENCE_READS = ("asserted", "links")
#: Quality reads the sources and the inferences (a resource typed a dataset by inference is measured).
QUALITY_READS = ("asserted", "inferred")

STEPS: list[Step] = [
    Step("links", ("asserted",), run_links),
    Step("inference", INFERENCE_READS, run_inference),
    Step("validation", ("asserted", "links"), run_validation),
    Step("quality", QUALITY_READS, run_quality),
    Step("catalog", ("asserted", "links", "quality"), run_catalog),
    Step("search", ("asserted", "links", "inferred"), run_search),
    Step("pages", ("*",), run_pages),
    Step("dump", ("*",), run_dump),
]
