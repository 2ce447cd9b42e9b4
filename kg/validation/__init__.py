"""SHACL validation of kg's graph: the quality gate before anything is published.

Two engines, which must give the same results: the shapes compiled to SPARQL and run by the store
(:mod:`~kg.validation.compiled`, the default), and pyshacl, over one in-memory graph (the reference)
or per resource in worker processes (:mod:`~kg.validation.pyshacl_engine`).  Only *asserted* triples
are validated, so a report never depends on whether reasoning has run.  Results carry their messages
in every language the shape gives; the latest report is stored in the validation graph
(:mod:`~kg.validation.store`) for the web pages.

Importing kg changes no other library: kg's corrections to pyshacl and rdflib
(:mod:`~kg.validation.patches`) are in force only while kg's own pyshacl runs.
"""

from kg.validation.compiled import compiled_checks, validate_compiled
from kg.validation.describe import (
    READS_NEIGHBOURS,
    DescriptionPlan,
    describe_batch,
    description_plan,
    focus_nodes,
)
from kg.validation.errors import Unsupported, ValidationError
from kg.validation.patches import lean_pyshacl
from kg.validation.paths import PathSpec, path_node, path_spec, path_text
from kg.validation.pyshacl_engine import run_pyshacl, validate_graph, validate_resources, validate_whole
from kg.validation.report import SEVERITY_NAMES, SEVERITY_ORDER, Report, Result
from kg.validation.run import validate_store
from kg.validation.shapes import default_shape_files, load_shapes, shapes_tbox, target_nodes
from kg.validation.store import asserted_graphs, compact_triples, export_asserted, labels_for, store_report

__all__ = [
    "READS_NEIGHBOURS",
    "SEVERITY_NAMES",
    "SEVERITY_ORDER",
    "DescriptionPlan",
    "PathSpec",
    "Report",
    "Result",
    "Unsupported",
    "ValidationError",
    "asserted_graphs",
    "compact_triples",
    "compiled_checks",
    "default_shape_files",
    "describe_batch",
    "description_plan",
    "export_asserted",
    "focus_nodes",
    "labels_for",
    "lean_pyshacl",
    "load_shapes",
    "path_node",
    "path_spec",
    "path_text",
    "run_pyshacl",
    "shapes_tbox",
    "store_report",
    "target_nodes",
    "validate_compiled",
    "validate_graph",
    "validate_resources",
    "validate_store",
    "validate_whole",
]
