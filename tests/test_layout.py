"""The layers of docs/layout.md, read from the code's own imports (also those inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: What the stores may import of kg: the layers below them, nothing that uses them.
STORE_MAY_IMPORT = ("kg.store", "kg.config", "kg.namespaces", "kg.queries", "kg.iris", "kg.iri_syntax",
                    "kg.graphs", "kg.sparql_text", "kg.__version__")
#: The store back ends' libraries, which the web app reaches only through kg.store.
BACK_ENDS = ("pyoxigraph", "SPARQLWrapper")


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, wherever in the file (``from kg import x`` counts as ``kg.x``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_kg_never_imports_the_web_app() -> None:
    """kg/cli/serving.py is the exception: ``kg serve`` and ``kg assets`` start and build the web app."""
    serving = ROOT / "kg" / "cli" / "serving.py"
    offenders = {str(p.relative_to(ROOT)): sorted(n for n in _imports(p) if _under(n, ("webapp",)))
                 for p in _modules("kg") if p != serving}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_stores_import_nothing_above_them() -> None:
    offenders = {}
    for path in _modules("kg/store"):
        above = sorted(n for n in _imports(path)
                       if _under(n, ("kg",)) and n != "kg" and not _under(n, STORE_MAY_IMPORT))
        if above:
            offenders[str(path.relative_to(ROOT))] = above
    assert offenders == {}


def test_no_module_imports_both_flask_and_a_store_back_end() -> None:
    both = []
    for path in [*_modules("kg"), *_modules("webapp")]:
        names = _imports(path)
        if any(_under(n, ("flask",)) for n in names) and any(_under(n, BACK_ENDS) for n in names):
            both.append(str(path.relative_to(ROOT)))
    assert both == []


def _module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def test_kg_has_no_import_circles() -> None:
    """Imports point one way (also those inside functions): a circle means two modules share a rule that
    belongs in a third."""
    paths = {_module_name(p): p for p in _modules("kg")}
    edges = {name: {n for n in _imports(path) if n in paths and n != name} for name, path in paths.items()}
    circles = []
    for start in sorted(edges):
        stack, seen = [(start, [start])], set()
        while stack:
            name, trail = stack.pop()
            for nxt in sorted(edges[name]):
                if nxt == start:
                    circles.append(" -> ".join([*trail, start]))
                elif nxt not in seen and nxt > start:   # each circle once, from its smallest module
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
    assert circles == []


def test_namespaces_come_from_one_place() -> None:
    """Every namespace a module of kg or the web app uses is imported from kg.namespaces, the one place
    that also gives SPARQL and the serialisers their prefixes."""
    own = ROOT / "kg" / "namespaces.py"
    offenders = [str(p.relative_to(ROOT)) for p in [*_modules("kg"), *_modules("webapp")]
                 if p != own and "rdflib.namespace" in _imports(p)]
    assert offenders == []
