"""kg's corrections to pyshacl and rdflib (kg/validation/patches.py) stay inside kg's own pyshacl runs.

Importing kg must change no other library, and another caller's pyshacl run in the same process must
get pyshacl's own behaviour (its text report), before, during and after kg validates.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pyshacl
import pyshacl.shape as shape_module
import pytest
from pyshacl.constraints.constraint_component import ConstraintComponent
from pyshacl.shape import Shape
from pyshacl.validator import Validator
from rdflib import Graph
from rdflib.namespace import SH
from rdflib.plugins.sparql.processor import SPARQLProcessor

from kg.validation import lean_pyshacl, run_pyshacl, validate_graph

ROOT = Path(__file__).resolve().parents[1]
_MISSING = object()
#: What kg adjusts: (owner, attribute).  Read as stored (a classmethod stays a classmethod object).
PATCHED = [(Validator, "create_validation_report"), (ConstraintComponent, "make_v_result_description"),
           (shape_module, "CONSTRAINT_PARAMS"), (Shape, "validate"), (SPARQLProcessor, "query")]

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ] ;
    sh:property [ sh:path ex:status ; sh:not [ sh:in ( "retired" ) ] ] ;
    sh:property [ sh:path ex:size ; sh:or ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:decimal ] ) ] ;
    sh:sparql [ sh:select "SELECT $this WHERE { $this ex:broken true }" ;
                sh:prefixes ex: ; sh:message "broken" ] .
ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
"""
DATA = """
@prefix ex: <http://example.org/> .
ex:a a ex:Thing ; ex:status "active" ; ex:size "big" ; ex:broken true .
ex:b a ex:Thing ; ex:name "b" ; ex:size 3 .
"""
#: ex:a's findings: no name, a size neither integer nor decimal, broken; its status is allowed.
FINDINGS_OF_A = {"MinCountConstraintComponent", "OrConstraintComponent", "SPARQLConstraintComponent"}


def _graphs() -> tuple[Graph, Graph]:
    return Graph().parse(data=DATA, format="turtle"), Graph().parse(data=SHAPES, format="turtle")


def _current() -> list[Any]:
    return [vars(owner).get(name, _MISSING) for owner, name in PATCHED]


def _same(before: list[Any], after: list[Any]) -> dict[str, bool]:
    return {name: b is a for (_, name), b, a in zip(PATCHED, before, after, strict=True)}


def _plain_text_report() -> tuple[bool, str]:
    """Another caller's plain pyshacl run: what pyshacl gives anyone."""
    data, shapes = _graphs()
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes)
    return conforms, text


_IMPORT_EVERYTHING = r"""
import importlib, json, pkgutil, sys
import pyshacl, pyshacl.shape as shape_module
from pyshacl.constraints.constraint_component import ConstraintComponent
from pyshacl.shape import Shape
from pyshacl.validator import Validator
from rdflib.plugins.sparql.processor import SPARQLProcessor

PATCHED = [(Validator, "create_validation_report"), (ConstraintComponent, "make_v_result_description"),
           (shape_module, "CONSTRAINT_PARAMS"), (Shape, "validate"), (SPARQLProcessor, "query")]
MISSING = object()
before = [vars(owner).get(name, MISSING) for owner, name in PATCHED]

import kg
imported, failed = [], {}
for info in pkgutil.walk_packages(kg.__path__, "kg.", onerror=lambda name: failed.setdefault(name, "walk")):
    try:
        importlib.import_module(info.name)
        imported.append(info.name)
    except Exception as exc:
        failed[info.name] = repr(exc)
after = [vars(owner).get(name, MISSING) for owner, name in PATCHED]
print(json.dumps({"imported": imported, "failed": failed,
                  "same": {name: b is a for (_, name), b, a in zip(PATCHED, before, after)}}))
"""


def test_importing_every_kg_module_changes_neither_pyshacl_nor_rdflib() -> None:
    done = subprocess.run([sys.executable, "-c", _IMPORT_EVERYTHING], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=True)
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["failed"] == {}
    assert {"kg.validation", "kg.validation.patches", "kg.validation.pyshacl_engine", "kg.cli"} <= set(
        outcome["imported"])
    assert outcome["same"] == {name: True for _, name in PATCHED}


def _components(report: Graph) -> set[str]:
    return {str(c).rsplit("#", 1)[-1] for c in report.objects(None, SH.sourceConstraintComponent)}


def test_the_originals_are_back_after_kg_validated() -> None:
    before = _current()
    report = validate_graph(*_graphs())
    assert {r.focus for r in report.results} == {"http://example.org/a"}
    assert {r.component.rsplit("#", 1)[-1] for r in report.results} == FINDINGS_OF_A
    # the per-resource run (pyshacl's focus_nodes option) gives the same findings only with kg's
    # corrections in force: pyshacl alone would pass sh:or and fail sh:not (docs/pyshacl-defects.md)
    focused = run_pyshacl(*_graphs(), focus_nodes=["http://example.org/a"])
    assert _components(focused) == FINDINGS_OF_A
    assert _same(before, _current()) == {name: True for _, name in PATCHED}


def test_a_plain_pyshacl_caller_gets_its_text_report_after_kg_validated() -> None:
    validate_graph(*_graphs())
    conforms, text = _plain_text_report()
    assert conforms is False
    assert text.startswith("Validation Report") and "Constraint Violation" in text


def test_the_corrections_are_in_force_inside_the_block_only() -> None:
    before = _current()
    with lean_pyshacl():
        inside = _current()
        with lean_pyshacl():  # nested: still installed, and still after the inner block
            pass
        assert _same(inside, _current()) == {name: True for _, name in PATCHED}
    assert not any(_same(before, inside).values())
    assert _same(before, _current()) == {name: True for _, name in PATCHED}


def test_an_exception_leaves_the_originals_back() -> None:
    before = _current()
    with pytest.raises(RuntimeError), lean_pyshacl():
        raise RuntimeError("boom")
    assert _same(before, _current()) == {name: True for _, name in PATCHED}


def test_concurrent_blocks_share_one_installation() -> None:
    """Threads enter and leave in overlapping order; the last one out restores the originals."""
    before = _current()
    entered, release = threading.Barrier(5), threading.Event()
    errors: list[BaseException] = []

    def user(hold: bool) -> None:
        try:
            with lean_pyshacl():
                entered.wait(timeout=30)
                if hold:
                    release.wait(timeout=30)
                data, shapes = _graphs()
                validate_graph(data, shapes)
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=user, args=(i == 0,)) for i in range(4)]
    for t in threads:
        t.start()
    entered.wait(timeout=30)
    for t in threads[1:]:
        t.join(timeout=60)
    assert not any(_same(before, _current()).values()), "one block is still open: still installed"
    # another caller, in this thread, while kg's block is open in another: pyshacl's own behaviour,
    # advanced mode included (it copies and extends pyshacl's parameter list)
    conforms, text = _plain_text_report()
    assert conforms is False and "Constraint Violation" in text
    data, shapes = _graphs()
    assert pyshacl.validate(data, shacl_graph=shapes, advanced=True)[0] is False
    release.set()
    threads[0].join(timeout=60)
    assert errors == []
    assert _same(before, _current()) == {name: True for _, name in PATCHED}
