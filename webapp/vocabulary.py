"""``/def/…``: kg's vocabularies as documents (``/def/kg``) and a page per term (``/def/kg/Case``).

Called by the browse blueprint's ``/def/<path>`` route before its generic resource view: RDF clients
get the whole vocabulary (or one term's description); browsers get the vocabulary's resource page
(a row per term, anchored by its local name, so ``…/def/kg#Case`` lands on it) or a term's own page.
``.ttl/.jsonld/.rdf/.nt`` suffixes name a format.  The view models are :mod:`kg.vocabulary`.
"""

from __future__ import annotations

from flask import Response, abort, render_template, request

from kg import formats, vocabulary
from kg.pages import rdf
from webapp.context import get_store
from webapp.i18n import current_language


def serve(root: str, rest: str, negotiate: object, split_suffix: object) -> Response | str | None:
    """The answer for ``/def/<rest>`` when ``rest`` names one of kg's vocabularies or one of its terms;
    None when it names no vocabulary kg holds (the generic resource view answers then)."""
    name, _, local = rest.partition("/")
    stem, fmt = split_suffix(local or name)  # type: ignore[operator]
    if local:
        local = stem
    else:
        name = stem
    ontology = root + name
    store = get_store()
    graph = vocabulary.defining_graph(store, ontology)
    if graph is None:
        return None
    chosen = fmt if fmt is not None else negotiate()  # type: ignore[operator]
    if local:
        term = vocabulary.term(store, ontology, local)
        if term is None:
            abort(404, description=f"the vocabulary <{ontology}> defines no term {local!r}")
        if chosen is not None:
            return _rdf(rdf.resource_document(store, term.iri, chosen), chosen, fmt is None)
        html = render_template("term.html", term=term, ontology=ontology, page_url=_term_url,
                               lang=current_language(), alignments=vocabulary.ALIGNMENTS)
        return _html(html)
    if chosen is not None:
        return _rdf(rdf.graph_document(store, graph, chosen), chosen, fmt is None)
    return None  # browsers get the vocabulary's resource page: every term in a row anchored by its name


def _term_url(term: vocabulary.Term, ontology: str) -> str:
    name = ontology.rsplit("/def/", 1)[-1]
    return f"{request.script_root}/def/{name}/{term.local}"


def _rdf(body: bytes, fmt: formats.DocumentFormat, negotiated: bool) -> Response:
    response = Response(body, content_type=f"{fmt.media_type}; charset=utf-8")
    if negotiated:
        response.vary.add("Accept")
    return response


def _html(html: str) -> Response:
    response = Response(html, content_type="text/html; charset=utf-8")
    response.vary.add("Accept")
    return response
