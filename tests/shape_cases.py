"""Runs the shape fixtures: a conforming example per concern, and one case per shape that breaks it.

Each concern has ``tests/fixtures/shapes/<concern>.good.ttl`` (conforms: no result at all) and
``<concern>.cases.toml``: per case, the shape it is about, a SPARQL Update that breaks the good
example, and the exact result expected (focus node, result path, severity, English message).
Results from other shapes that the same change necessarily triggers are listed in ``also``.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from kg import validation as v
from kg.namespaces import sparql_prologue

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
BASE = "https://kg.rammearkitektur.dk/"
SHAPES_NS = "https://kg.rammearkitektur.dk/def/shapes/"
_EXTRA = "PREFIX eu: <http://publications.europa.eu/resource/authority/>\n" \
         "PREFIX dcatap: <http://data.europa.eu/r5r/>\n"


@cache
def shapes(concern: str) -> Graph:
    return v.load_shapes([ROOT / "shapes" / f"{concern}.ttl"], BASE)


def good(concern: str) -> Graph:
    return Graph().parse(FIXTURES / f"{concern}.good.ttl", format="turtle", publicID=BASE)


def cases(concern: str) -> list[dict[str, object]]:
    return tomllib.loads((FIXTURES / f"{concern}.cases.toml").read_text(encoding="utf-8"))["case"]


def named_property_shapes(concern: str) -> set[str]:
    g = shapes(concern)
    ns = SHAPES_NS + concern + "#"
    return {str(s)[len(ns):] for s in g.subjects(SH.path, None)
            if isinstance(s, URIRef) and str(s).startswith(ns)}


def run(concern: str, update: str | None = None) -> list[v.Result]:
    data = good(concern)
    if update:
        data.update(f"BASE <{BASE}>\n" + sparql_prologue() + _EXTRA + update)
    return v.validate_graph(data, shapes(concern)).results


def check_case(concern: str, case: dict[str, object]) -> None:
    """The case's change gives exactly the expected result, plus only the listed side effects."""
    results = run(concern, str(case["update"]))
    focus = str(case["focus"])
    focus_iri = focus if focus.startswith("http") else BASE + focus
    ns = SHAPES_NS + concern + "#"
    shape_iri = ns + str(case["shape"])
    mine = [r for r in results if r.shape == shape_iri and r.focus == focus_iri]
    got = [(r.shape, r.focus) for r in results]
    assert len(mine) == 1, f"expected one result of {case['shape']}, got {got}"
    r = mine[0]
    assert r.focus == focus_iri
    assert v.path_text(r.path, short=True) == case["path"]
    assert r.severity == case["severity"]
    assert r.message("en") == case["message"]
    also = {ns + str(s) for s in case.get("also", [])}  # type: ignore[attr-defined]
    others = {x.shape for x in results if x is not r}
    assert others <= also, f"unexpected results from {sorted(others - also)}"
