"""pyshacl and rdflib adjusted for kg's own pyshacl runs, and for nothing else in the process.

pyshacl 0.40 has defects that make kg's runs slow or wrong (docs/pyshacl-defects.md): a text
report nobody reads, whose cost grows quadratically with the results; constraint parameters looked
up in a list; each SPARQL constraint parsed again for every focus node; and ``focus_nodes`` also
filtering the value nodes of nested shapes.  kg works around them by replacing a few functions of
pyshacl and rdflib, but only inside :func:`lean_pyshacl`: the first user installs the replacements,
the last one to leave puts the originals back, and while installed they act only in threads inside
the block (elsewhere they call the original), so another library's pyshacl or rdflib call in the
same process behaves as if kg were not there.

The replacements lean on pyshacl internals that are the same from 0.30 to 0.40 (pyproject.toml
bounds the version).
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from rdflib import BNode, Graph, Literal

from kg.namespaces import RDF, SH

_lock = threading.Lock()
_users = 0                   # blocks inside lean_pyshacl(), over all threads
_here = threading.local()    # .depth: blocks inside lean_pyshacl() in this thread
#: (owner, attribute, original, replacement) of each installed replacement, in installation order.
_installed: list[tuple[Any, str, Any, Any]] = []
_ABSENT = object()           # the attribute did not exist before (pyshacl sets CONSTRAINT_PARAMS lazily)


@contextmanager
def lean_pyshacl() -> Iterator[None]:
    """Run pyshacl (and rdflib's SPARQL) with kg's corrections in this block.

    Re-entrant and thread-safe: nested and concurrent blocks share one installation, counted; the
    originals are back once the last block is left, also when it is left by an exception.
    """
    global _users
    with _lock:
        if _users == 0:
            _install()
        _users += 1
    _here.depth = getattr(_here, "depth", 0) + 1
    try:
        yield
    finally:
        _here.depth -= 1
        with _lock:
            _users -= 1
            if _users == 0:
                _restore()


def _active() -> bool:
    """True in a thread inside :func:`lean_pyshacl`: only there do the replacements act."""
    return getattr(_here, "depth", 0) > 0


def _install() -> None:
    import pyshacl.shape as shape_module
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    from pyshacl.constraints.constraint_component import ConstraintComponent
    from pyshacl.shape import Shape
    from pyshacl.validator import Validator
    from rdflib.plugins.sparql.processor import SPARQLProcessor

    try:
        _replace(Validator, "create_validation_report", _lean_report)
        _replace(ConstraintComponent, "make_v_result_description", _no_description)
        parameters = (_ParameterList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)
        _replace(shape_module, "CONSTRAINT_PARAMS", lambda original: parameters)
        _replace(SPARQLProcessor, "query", _parsed_once)
        _replace(Shape, "validate", _focus_on_targets_only)
    except BaseException:
        _restore()
        raise


def _replace(owner: Any, name: str, make: Callable[[Any], Any]) -> None:
    """Install ``make(original)`` as ``owner.name``; the original is passed as stored (a classmethod
    stays a classmethod), and what ``owner`` itself held is remembered for :func:`_restore`."""
    own = vars(owner).get(name, _ABSENT)
    replacement = make(inspect.getattr_static(owner, name, None))
    setattr(owner, name, replacement)
    _installed.append((owner, name, own, replacement))


def _restore() -> None:
    """Put every original back, unless someone else has replaced ours since (theirs is left alone)."""
    while _installed:
        owner, name, original, replacement = _installed.pop()
        if vars(owner).get(name, _ABSENT) is not replacement:
            continue
        if original is _ABSENT:
            delattr(owner, name)
        else:
            setattr(owner, name, original)


# -- the replacements: each calls the original outside lean_pyshacl() ------------------------------------

def _lean_report(original: Any) -> classmethod:  # type: ignore[type-arg]
    """The report graph without the text report (kg renders its own text from the results).

    The result nodes keep the shapes graph's own nodes (not copies), so paths and messages are
    read from the shapes.
    """

    def create_validation_report(cls: type, sg: Any, conforms: bool, results: list[tuple[Any, ...]]
                                 ) -> tuple[Graph, str]:
        if not _active():
            return original.__get__(None, cls)(sg, conforms, results)  # type: ignore[no-any-return]
        report = Graph()
        root = BNode()
        report.add((root, RDF.type, SH.ValidationReport))
        report.add((root, SH.conforms, Literal(conforms)))
        for _, node, triples in results:
            report.add((root, SH.result, node))
            for s, p, o in triples:
                report.add((s, p, o[1] if isinstance(o, tuple) else o))
        return report, ""

    return classmethod(create_validation_report)


def _no_description(original: Any) -> Callable[..., str]:
    """No text description per result: only the text report reads it, and writing it names every
    focus and value node through rdflib's namespace manager, whose cost grows with the number of
    distinct IRI namespaces met so far (quadratic over a run)."""

    def make_v_result_description(self: Any, *args: Any, **kwargs: Any) -> str:
        return "" if _active() else original(self, *args, **kwargs)  # type: ignore[no-any-return]

    return make_v_result_description


class _ParameterList(list):  # type: ignore[type-arg]
    """pyshacl's list of constraint parameters, looked up in constant time instead of one IRI
    comparison per entry for every parameter of every shape evaluated.

    Still a list (``copy()`` gives a plain one, which pyshacl's advanced mode appends to), so it
    answers every caller as the original list does.
    """

    def __init__(self, items: list[Any]):
        super().__init__(items)
        self._members = frozenset(items)

    def __contains__(self, item: object) -> bool:
        return item in self._members


@lru_cache(maxsize=512)
def _prepared(text: str, base: str | None, namespaces: frozenset[tuple[str, Any]]) -> Any:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    return translateQuery(parseQuery(text), base, dict(namespaces))


def _parsed_once(original: Any) -> Callable[..., Any]:
    """rdflib's SPARQL query, each distinct text parsed once (pyshacl hands it the text of a SPARQL
    constraint for every focus node); a parsed query is reusable, as rdflib's prepareQuery shows."""
    from rdflib.plugins.sparql.processor import evalQuery

    def query(self: Any, strOrQuery: Any, initBindings: Any = None, initNs: Any = None,
              base: str | None = None, DEBUG: bool = False) -> Any:
        if not _active():
            return original(self, strOrQuery, initBindings, initNs, base, DEBUG)
        if isinstance(strOrQuery, str):
            strOrQuery = _prepared(strOrQuery, base, frozenset((initNs or {}).items()))
        return evalQuery(self.graph, strOrQuery, initBindings, base)

    return query


def _focus_on_targets_only(original: Any) -> Callable[..., Any]:
    """pyshacl's ``focus_nodes`` option applied to the targets only.

    pyshacl also filters the value nodes it hands nested shapes (``sh:or``, ``sh:not``,
    ``sh:qualifiedValueShape`` …) by that list, so a literal or a concept is never checked and the
    nested shape passes vacuously.  Here nested evaluations run without the option, and the
    targets are filtered with it as a set.
    """

    def validate(self: Any, executor: Any, target_graph: Any, focus: Any = None, *args: Any,
                 **kwargs: Any) -> Any:
        chosen = executor.focus_nodes
        if not _active():
            return original(self, executor, target_graph, focus, *args, **kwargs)
        if focus is None or chosen is None:
            if chosen is not None and not isinstance(chosen, frozenset):
                executor.focus_nodes = frozenset(chosen)
            return original(self, executor, target_graph, focus, *args, **kwargs)
        executor.focus_nodes = None
        try:
            return original(self, executor, target_graph, focus, *args, **kwargs)
        finally:
            executor.focus_nodes = chosen

    return validate
