"""Browse pages: every IRI under the base answers, HTML for browsers and RDF for RDF clients.

The request path maps to an IRI as ``base_iri + path`` (``/id/…``, ``/graph/…``), and
``/def/…`` to kg's fixed vocabulary namespace, so a server on 127.0.0.1 serves IRIs that
say https://kg.rammearkitektur.dk.  Content negotiation picks HTML or an RDF syntax
(``Vary: Accept``); ``.ttl/.jsonld/.rdf/.nt`` suffixes name one.  Page content comes
from :mod:`kg.pages` (view models) and RDF bytes from the store's writer through
:mod:`kg.pages.rdf`; this module only does HTTP.  The catalogue's more specific routes
(``/id/dataset/<slug>.ttl``) are registered by its own blueprint and win over these.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Blueprint, Response, abort, render_template, request

from kg import formats
from kg.config import DEFAULT_BASE_IRI
from kg.pages import described, exists, labeller_for, rdf, resource_page
from kg.pages.jsonld import schema_dataset
from kg.pages.sources import source_kind
from kg.pages.summaries import summary
from kg.pages.text import blocks
from kg.queries import iri as sparql_iri
from kg.queries import literal, render
from kg.search import SearchIndex
from webapp.context import get_publication, get_settings, get_store
from webapp.errors import error_answer
from webapp.i18n import current_language
from webapp.negotiation import preferred
from webapp.params import page_number

bp = Blueprint("browse", __name__)

#: kg's own vocabularies keep their IRIs on every deployment (kg/namespaces.py); /def/ serves them.
DEF_ROOT = DEFAULT_BASE_IRI + "/def/"
_HTML = ("text/html", "application/xhtml+xml")
GRAPH_SUBJECTS_PER_PAGE = 50


# -- IRIs and links --------------------------------------------------------------------------

def href(value: str) -> str:
    """The link for an IRI: its own path when it is under the base (or kg's vocabulary), else /resource."""
    base = get_settings().base_iri
    root = request.script_root
    if "#" not in value and "?" not in value:
        if value.startswith(base + "/"):
            return root + quote(value[len(base):], safe="/:@!$&'()*+,;=-._~")
        if value.startswith(DEF_ROOT):
            return root + "/def/" + quote(value[len(DEF_ROOT):], safe="/:@!$&'()*+,;=-._~")
    if value.startswith(DEF_ROOT) and value.count("#") == 1 and "?" not in value:
        # a term of kg's vocabularies (…/def/kg#Case) has its own page at …/def/kg/Case
        vocabulary, term = value[len(DEF_ROOT):].split("#")
        if vocabulary and term and "/" not in vocabulary:
            return root + "/def/" + quote(vocabulary, safe="") + "/" + quote(term, safe="")
    return root + "/resource?" + urlencode({"iri": value})


def sparql_link(value: str) -> str:
    """The SPARQL page with a DESCRIBE of the resource filled in."""
    return request.script_root + "/sparql?" + urlencode({"query": f"DESCRIBE <{value}>"})


def kind_of_graph(graph: str) -> str:
    """The kind of source a named graph holds (agenda, editorial file, derived links …), for the pages."""
    return source_kind(graph, get_settings().base_iri)


@bp.app_context_processor
def link_helpers() -> dict[str, object]:
    return {"href": href, "sparql_link": sparql_link, "source_kind": kind_of_graph, "text_blocks_of": blocks}


def _negotiate() -> formats.DocumentFormat | None:
    """None for HTML (browsers, and clients that state no preference), else the RDF format asked for."""
    best = preferred([*_HTML, *formats.MEDIA_TYPES], absent="text/html")
    if best is None:
        offered = ", ".join(f.media_type for f in formats.FORMATS.values())
        abort(406, description=f"available as text/html, {offered}")
    if best in _HTML:
        return None
    return formats.MEDIA_TYPES[best]


def _rdf_response(body: bytes, fmt: formats.DocumentFormat, vary: bool) -> Response:
    response = Response(body, content_type=f"{fmt.media_type}; charset=utf-8")
    if vary:
        response.headers["Vary"] = "Accept"
    return response


def _split_suffix(value: str) -> tuple[str, formats.DocumentFormat | None]:
    for ext, fmt in formats.FORMATS.items():
        if value.endswith("." + ext):
            return value[: -len(ext) - 1], fmt
    return value, None


def _alternates(value: str) -> dict[str, str]:
    """The ``<link rel="alternate">`` targets: the page's URL with each RDF suffix."""
    link = href(value)
    if "/resource?" in link:
        return {}
    return {fmt.media_type: f"{link}.{ext}" for ext, fmt in formats.FORMATS.items()}


# -- resources -------------------------------------------------------------------------------

def _serve(value: str, path_form: bool = True) -> Response | str:
    """Answer for one IRI: RDF, HTML, or a helpful 404.

    An IRI kg describes is served as itself; a path ending in ``.ttl``/``.jsonld``/``.rdf``/``.nt``
    whose stem kg knows is that resource's document; an IRI kg only knows as a link target still
    has a page (its incoming links); anything else is a 404.
    """
    store = get_store()
    suffix = False
    if not described(store, value):
        stripped, fmt = _split_suffix(value) if path_form else (value, None)
        if fmt is not None and exists(store, stripped):
            value, suffix = stripped, True
        elif not exists(store, value):
            return not_found(value)
    fmt = fmt if suffix else _negotiate()
    is_graph = _is_graph(value)
    if fmt is not None:
        body = rdf.graph_document(store, value, fmt) if is_graph else rdf.resource_document(store, value, fmt)
        return _rdf_response(body, fmt, vary=not suffix)
    html = graph_page(value) if is_graph else resource_html(value)
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response


def _is_graph(value: str) -> bool:
    return value.startswith(get_settings().base_iri + "/graph/") and any(
        g.name == value for g in get_store().graphs())


def _page_arg() -> int:
    return page_number()


def resource_html(value: str) -> str:
    lang = current_language()
    store = get_store()
    page = resource_page(store, value, lang, incoming_focus=request.args.get("in"),
                         incoming_page=_page_arg(), within=request.args.get("within", "")[:100])
    json_ld = None
    if page.kind in ("dataset", "product"):
        json_ld = schema_dataset(page, lang, page.sections.get("downloads"), page.sections.get("catalog"))
    return render_template("resource.html", page=page, alternates=_alternates(value), json_ld=json_ld,
                           s=page.sections)


def graph_page(value: str) -> str:
    store = get_store()
    info = store.graph_info(value)
    page_no = _page_arg()
    rows = store.select(render("browse/graph-subjects", g=sparql_iri(value),
                               limit=literal(GRAPH_SUBJECTS_PER_PAGE),
                               offset=literal((page_no - 1) * GRAPH_SUBJECTS_PER_PAGE)))
    labeller = labeller_for(store, current_language())
    subjects = list(labeller.terms([str(r["s"]) for r in rows]).values())
    pages = max(1, -(-(info.triples if info else 0) // GRAPH_SUBJECTS_PER_PAGE))
    return render_template("graph.html", graph=value, info=info, subjects=subjects, page_no=page_no,
                           more=len(rows) == GRAPH_SUBJECTS_PER_PAGE, alternates=_alternates(value),
                           approx_pages=pages)


def not_found(value: str) -> Response | tuple[str, int]:
    """A 404 that helps: what was asked, what kg holds that looks like it, where to go from here."""
    if preferred([*_HTML, "text/plain", *formats.MEDIA_TYPES], absent="text/html") not in _HTML:
        return error_answer(404, "Not Found", f"kg holds nothing about <{value}>")
    words = value.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
    hits = SearchIndex(get_publication()).search(words, current_language(), limit=5).hits if words else []
    return render_template("notfound.html", value=value, hits=hits), 404


@bp.get("/id/<path:rest>")
def id_resource(rest: str) -> Response | str:
    """Things kg names: meetings, items, cases, decisions, products, datasets, concepts, agents."""
    return _serve(get_settings().base_iri + "/id/" + rest)


@bp.get("/graph/<path:rest>")
def graph_resource(rest: str) -> Response | str:
    """Named graphs: their PROV and subjects as HTML, their triples as RDF."""
    return _serve(get_settings().base_iri + "/graph/" + rest)


@bp.get("/def/<path:rest>")
def def_resource(rest: str) -> Response | str:
    """kg's ontologies (``/def/kg``, ``/def/ladeinfrastruktur``): the whole vocabulary, and a page per term
    (``/def/kg/Case`` for ``…/def/kg#Case``); see :mod:`webapp.vocabulary`."""
    from webapp import vocabulary

    answer = vocabulary.serve(DEF_ROOT, rest, _negotiate, _split_suffix)
    return answer if answer is not None else _serve(DEF_ROOT + rest)


@bp.get("/resource")
def any_resource() -> Response | str:
    """Any IRI kg holds statements about, including ones outside the base (vocabulary terms, EU tables)."""
    value = request.args.get("iri", "").strip()
    if not value:
        abort(400, description="give the IRI to show as ?iri=")
    try:
        sparql_iri(value)
    except ValueError:
        abort(400, description="not an IRI")
    return _serve(value, path_form=False)


# -- lists -----------------------------------------------------------------------------------

@bp.get("/meetings")
def meetings() -> str:
    """Every meeting, newest first."""
    rows = summary(get_publication(), f"meetings:{current_language()}") or []
    return render_template("meetings.html", meetings=rows)


@bp.get("/validation")
def validation() -> str:
    """The latest validation report, grouped by resource and severity."""
    severity = request.args.get("severity")
    if severity not in (None, "", "violation", "warning", "info"):
        abort(400, description="severity must be violation, warning or info")
    report = summary(get_publication(), f"validation:{current_language()}:{severity or ''}")
    if report is None:
        abort(503, description="the validation report is being prepared; try again shortly")
    return render_template("validation.html", report=report, severity=severity or "")


@bp.get("/quality")
def quality() -> str:
    """The catalogue's quality: scores per dimension, declared ratings, metrics."""
    context = summary(get_publication(), f"quality:{current_language()}") or {"dimensions": [], "metrics": []}
    return render_template("quality.html", **context)
