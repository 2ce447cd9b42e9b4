"""SHACL shapes compiled to SPARQL, so validation runs inside the store.

pyshacl walks the data in Python, one focus node and one constraint at a time, which does not
scale to large catalogues.  The constraints kg's shapes use are all expressible as SPARQL, and
the SHACL specification itself defines most of them that way.  Each (shape, constraint) pair
becomes one SELECT over *all* focus nodes at once, run by the store's engine; the result rows
are the validation results.

The compiled queries must give exactly pyshacl's results (tested on ``data/`` and on generated
catalogues), with one deliberate difference: a literal whose lexical form is not valid for its
datatype (``"2023-11-30T10:00"^^xsd:dateTime``) fails ``sh:datatype`` by the XSD rules, where
rdflib accepts some such forms.

Shapes that use what is not compiled here (``sh:closed``, ``sh:equals``, nested property shapes
with counts, SPARQL constraints with ``sh:prefixes`` or message templates…) raise
:class:`Unsupported`; validation then falls back to pyshacl.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import count

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.namespaces import PREFIXES, RDF, RDFS, SH, XSD
from kg.queries import iri, literal, render
from kg.validation.errors import Unsupported
from kg.validation.paths import PathSpec, path_spec

#: Parameters that say how a shape applies, not what it checks.
_NOT_CONSTRAINTS = {
    RDF.type, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.property,
    SH.path, SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group, SH.deactivated,
    SH.defaultValue, RDFS.label, RDFS.comment, SH.qualifiedMinCount, SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint, SH.flags, RDFS.subClassOf,
}
#: Parameters compiled with every value they have on a shape; others must have one value.
_MANY_VALUED = {SH["class"], SH.disjoint, SH.sparql, SH.property}
_SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
_NODE_KINDS = {
    SH.IRI: "!isIRI({v})", SH.Literal: "!isLiteral({v})", SH.BlankNode: "!isBlank({v})",
    SH.BlankNodeOrIRI: "isLiteral({v})", SH.BlankNodeOrLiteral: "isIRI({v})", SH.IRIOrLiteral: "isBlank({v})",
}
#: Datatypes whose lexical forms are checked with a SPARQL cast (XPath casting rules).
_CAST_CHECKED = {XSD.boolean, XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.date, XSD.dateTime,
                 XSD.time, XSD.duration}
_INTEGER_RANGES = {XSD.nonNegativeInteger: ">= 0", XSD.positiveInteger: "> 0",
                   XSD.nonPositiveInteger: "<= 0", XSD.negativeInteger: "< 0"}
_LEXICAL_PATTERNS = {XSD.hexBinary: "^([0-9a-fA-F]{2})*$"}
_COMPARISONS = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a SELECT whose rows (``?this``, maybe ``?value``) are its results."""

    query: str
    component: str
    severity: str
    path: PathSpec | None
    shape: str | None
    messages: tuple[tuple[str, str], ...]
    value: str  # "value": rows bind ?value; "focus": the value is the focus node; "none": no value
    focus: str  # the group pattern binding ?this to the focus nodes (to count them all at once)
    merge: str = ""  # a template of checks that can run as one query per focus (see plan())


def _mergeable(check: Check, template: str) -> Check:
    """Mark a check on a one-predicate path as one that :func:`plan` may merge with its siblings."""
    if check.path is None or check.path[0] != "iri":
        return check
    return replace(check, merge=template)


#: A query to run and, by the value of its ``?check`` column ("" when it has none), the checks whose
#: results its rows are.
Unit = tuple[str, dict[str, list[Check]]]


def plan(checks: list[Check]) -> list[Unit]:
    """The queries to run: mergeable checks of one focus pattern become one query, whose ``?check``
    column (the path's predicate) says which check a row belongs to.

    Each query enumerates its focus nodes, which for 100k datasets is a good part of its cost; merged,
    the 60-odd sh:minCount 1 and 50 sh:maxCount 1 checks of kg's shapes become one query per class.
    """
    units: list[Unit] = []
    groups: dict[tuple[str, str], dict[str, list[Check]]] = {}
    for check in checks:
        if check.merge:
            groups.setdefault((check.merge, check.focus), {}).setdefault(check.path[1], []).append(check)  # type: ignore[index]
        else:
            units.append((check.query, {"": [check]}))
    for (template, focus), by_predicate in sorted(groups.items()):
        predicates = " ".join(_iri(p) for p in sorted(by_predicate))
        units.append((render(f"validate/compiled/{template}-merged", focus=focus, predicates=predicates),
                      by_predicate))
    return units


def sparql_path(spec: PathSpec) -> str:
    """A path as a SPARQL property path, every step bracketed so precedence never matters."""
    kind = spec[0]
    if kind == "iri":
        return _iri(spec[1])
    if kind == "inverse":
        return f"^({sparql_path(spec[1])})"
    if kind in ("alternative", "sequence"):
        joined = ("|" if kind == "alternative" else "/").join(f"({sparql_path(s)})" for s in spec[1])
        return f"({joined})"
    return f"({sparql_path(spec[1])}){ {'zeroOrMore': '*', 'oneOrMore': '+', 'zeroOrOne': '?'}[kind]}"


def _iri(value: str) -> str:
    try:
        return iri(value)
    except ValueError:
        raise Unsupported(f"an IRI SPARQL cannot write: {value!r}") from None


def _term(node: Node) -> str:
    """A constant of the shapes graph written as SPARQL."""
    if isinstance(node, URIRef):
        return _iri(str(node))
    if isinstance(node, Literal):
        try:
            return literal(str(node), str(node.datatype) if node.datatype else None, node.language)
        except ValueError as exc:
            raise Unsupported(f"a literal SPARQL cannot write: {exc}") from None
    raise Unsupported("a blank node cannot be a constant in a compiled check")


def _string(value: str) -> str:
    return _term(Literal(value))


def _same(v: str, node: Node) -> str:
    """``v`` is the term ``node``, written without sameTerm(): Virtuoso 7.2 evaluates sameTerm() with a
    constant correctly only as a whole FILTER, and as false inside a larger expression."""
    if isinstance(node, URIRef):
        return f"(isIRI({v}) && {v} = {_iri(str(node))})"
    if isinstance(node, Literal):
        parts = [f"isLiteral({v})", f"STR({v}) = {_string(str(node))}"]
        if node.language:
            parts.append(f"LCASE(LANG({v})) = {_string(node.language.lower())}")
        else:
            parts += [f"LANG({v}) = \"\"", f"DATATYPE({v}) = {_iri(str(node.datatype or XSD.string))}"]
        return "COALESCE(" + " && ".join(parts) + ", false)"
    raise Unsupported("a blank node cannot be a constant in a compiled check")


class Compiler:
    """Turns a shapes graph into :class:`Check` objects.

    ``subclasses`` maps a class IRI to itself and every subclass (the closure of
    ``rdfs:subClassOf`` over the data's ontologies and the shapes' own axioms), so
    class targets and ``sh:class`` become a VALUES list instead of a path walk.
    """

    def __init__(self, shapes: Graph, subclasses: Mapping[str, set[str]]):
        self.shapes = shapes
        self.subclasses = subclasses
        self._names = count()

    # -- names and small pieces ------------------------------------------------------------
    def _var(self) -> str:
        return f"?kg_{next(self._names)}"

    def _classes(self, cls: Node) -> str:
        if not isinstance(cls, URIRef):
            raise Unsupported("sh:class and sh:targetClass need an IRI")
        return " ".join(_iri(c) for c in sorted(self.subclasses.get(str(cls), {str(cls)})))

    def _list(self, node: Node) -> list[Node]:
        return list(Collection(self.shapes, node))

    # -- targets ------------------------------------------------------------------------------
    def focus(self, shape: Node) -> str | None:
        """A group pattern binding ``?this`` to each focus node of ``shape`` once, or None if untargeted."""
        g = self.shapes
        branches = []
        classes = set(g.objects(shape, SH.targetClass))
        if (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, URIRef(PREFIXES["owl"] + "Class")) in g:
            classes.add(shape)
        if classes:
            values = " ".join(sorted({c for cls in classes for c in self._classes(cls).split()}))
            branches.append(f"VALUES ?kg_class {{ {values} }} ?this a ?kg_class .")
        for node in g.objects(shape, SH.targetNode):
            branches.append(f"BIND({_term(node)} AS ?this)")
        for pred in g.objects(shape, SH.targetSubjectsOf):
            branches.append(f"?this {_iri(str(pred))} [] .")
        for pred in g.objects(shape, SH.targetObjectsOf):
            branches.append(f"[] {_iri(str(pred))} ?this .")  # literals too, as SHACL says
        if not branches:
            return None
        if len(branches) == 1 and classes and " " not in values:
            return f"?this a {values} ."  # one class, no subclasses: no node comes twice
        union = " UNION ".join(f"{{ {b} }}" for b in branches)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"

    # -- what makes a node fail a shape (a SPARQL expression, never an error) --------------------
    def fails(self, shape: Node, v: str) -> str:
        """An expression true when the node in ``v`` does not conform to ``shape``."""
        if self.shapes.value(shape, SH.path) is not None:
            return self._nested_property_fails(shape, v)
        parts = [self.constraint_fails(shape, param, v) for param in self._parameters(shape)]
        for prop in self.shapes.objects(shape, SH.property):
            parts.append(self._nested_property_fails(prop, v))
        return "(" + " || ".join(parts) + ")" if parts else "false"

    def _parameters(self, shape: Node) -> list[URIRef]:
        """The SHACL constraint parameters of ``shape`` (annotations of other vocabularies are skipped)."""
        found = []
        for param in sorted(set(self.shapes.predicates(shape, None)), key=str):
            if param in _NOT_CONSTRAINTS or not str(param).startswith(str(SH)):
                continue
            if param not in _MANY_VALUED and len(set(self.shapes.objects(shape, param))) > 1:
                raise Unsupported(f"{_local(param)} with several values on one shape")
            found.append(param)
        return found

    def constraint_fails(self, shape: Node, param: URIRef, v: str) -> str:
        """The failure expression of one value-level constraint (``param`` on ``shape``) for node ``v``."""
        g = self.shapes
        value = g.value(shape, param)
        if param == SH["class"]:
            parts = []
            for cls in g.objects(shape, SH["class"]):
                t = self._var()
                parts.append(f"NOT EXISTS {{ VALUES {t} {{ {self._classes(cls)} }} {v} a {t} }}")
            return "(" + " || ".join(parts) + ")"
        if param == SH.datatype:
            return f"!({self._well_typed(value, v)})"
        if param == SH.nodeKind:
            if value not in _NODE_KINDS:
                raise Unsupported(f"unknown sh:nodeKind {value}")
            return _NODE_KINDS[value].format(v=v)
        if param == SH["in"]:
            options = [_same(v, o) for o in self._list(value)]
            return "!(" + (" || ".join(options) or "false") + ")"
        if param == SH.hasValue:
            return f"!{_same(v, value)}"
        if param == SH.pattern:
            flags = g.value(shape, SH.flags)
            flag_text = f", {_string(str(flags))}" if flags is not None else ""
            return f"(isBlank({v}) || !REGEX(STR({v}), {_string(str(value))}{flag_text}))"
        if param == SH.languageIn:
            langs = [str(lang).lower() for lang in self._list(value)]
            tests = " || ".join("true" if lang == "*" else f"langMatches(LANG({v}), {_string(lang)})"
                                for lang in langs) or "false"
            return f"!COALESCE(isLiteral({v}) && LANG({v}) != \"\" && ({tests}), false)"
        if param in _COMPARISONS:
            return f"!COALESCE({v} {_COMPARISONS[param]} {_term(value)}, false)"
        if param in (SH.minLength, SH.maxLength):
            op = "<" if param == SH.minLength else ">"
            return f"COALESCE(isBlank({v}) || STRLEN(STR({v})) {op} {int(value)}, true)"  # type: ignore[arg-type]
        if param == SH["or"]:
            return "(" + " && ".join(self.fails(s, v) for s in self._list(value)) + ")"
        if param == SH["and"]:
            return "(" + " || ".join(self.fails(s, v) for s in self._list(value)) + ")"
        if param == SH.xone:
            conforming = " + ".join(f"IF({self.fails(s, v)}, 0, 1)" for s in self._list(value))
            return f"COALESCE(({conforming}) != 1, true)"
        if param == SH["not"]:
            return f"!{self.fails(value, v)}"
        if param == SH.node:
            return self.fails(value, v)
        raise Unsupported(f"{_local(param)} is not compiled to SPARQL")

    def _nested_property_fails(self, prop: Node, v: str) -> str:
        """A property shape inside a value shape: only minCount 1 and value constraints are compiled."""
        g = self.shapes
        path = sparql_path(path_spec(g, g.value(prop, SH.path)))
        parts = []
        for param in self._parameters(prop):
            if param == SH.minCount:
                n = int(g.value(prop, param))  # type: ignore[arg-type]
                if n > 1:
                    raise Unsupported("sh:minCount above 1 in a nested property shape")
                if n == 1:
                    parts.append(f"NOT EXISTS {{ {v} {path} {self._var()} }}")
                continue
            if param in (SH.maxCount, SH.uniqueLang, SH.qualifiedValueShape, SH.sparql, SH.disjoint):
                raise Unsupported(f"{_local(param)} in a nested property shape")
            if param == SH.hasValue:
                parts.append(f"NOT EXISTS {{ {v} {path} {_term(g.value(prop, param))} }}")
                continue
            x = self._var()
            parts.append(f"EXISTS {{ {v} {path} {x} . FILTER({self.constraint_fails(prop, param, x)}) }}")
        return "(" + " || ".join(parts) + ")" if parts else "false"

    def _well_typed(self, datatype: Node, v: str) -> str:
        """True when ``v`` is a literal of ``datatype`` whose lexical form is valid for it."""
        if datatype == RDF.langString:
            return f"COALESCE(isLiteral({v}) && LANG({v}) != \"\", false)"
        if datatype == XSD.string:
            return f"COALESCE(isLiteral({v}) && DATATYPE({v}) = {_iri(str(XSD.string))}, false)"
        if datatype == RDFS.Literal:
            return f"isLiteral({v})"
        same = f"isLiteral({v}) && LANG({v}) = \"\" && DATATYPE({v}) = {_term(datatype)}"
        if datatype in _CAST_CHECKED:
            return f"COALESCE({same} && isLiteral({_iri(str(datatype))}(STR({v}))), false)"
        if datatype in _INTEGER_RANGES:
            cast = f"{_iri(str(XSD.integer))}(STR({v}))"
            return f"COALESCE({same} && {cast} {_INTEGER_RANGES[datatype]}, false)"  # type: ignore[index]
        if datatype in _LEXICAL_PATTERNS:
            return f"COALESCE({same} && REGEX(STR({v}), {_string(_LEXICAL_PATTERNS[datatype])}), false)"  # type: ignore[index]
        return f"COALESCE({same}, false)"

    # -- checks -------------------------------------------------------------------------------
    def checks(self) -> list[Check]:
        """Every check of the shapes graph, one per (targeted shape, constraint) pair."""
        out: list[Check] = []
        g = self.shapes
        shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
        for pred in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            shapes.update(g.subjects(pred, None))
        for shape in sorted(shapes, key=str):
            if _deactivated(g, shape):
                continue
            focus = self.focus(shape)
            if focus is None:
                continue
            if g.value(shape, SH.path) is not None:
                out.extend(self.property_checks(shape, focus))
            else:
                out.extend(self.node_checks(shape, focus))
            for prop in g.objects(shape, SH.property):
                if not _deactivated(g, prop):
                    out.extend(self.property_checks(prop, focus))
        return out

    def _check(self, shape: Node, component: str, query: str, path: PathSpec | None, value: str,
               focus: str, messages_from: Node | None = None) -> Check:
        g = self.shapes
        severity = _SEVERITIES.get(g.value(shape, SH.severity), "violation")  # type: ignore[arg-type]
        return Check(query=query, component=str(SH) + component, severity=severity, path=path,
                     shape=str(shape) if isinstance(shape, URIRef) else None,
                     messages=_messages(g, messages_from, shape), value=value, focus=focus)

    def node_checks(self, shape: Node, focus: str) -> Iterator[Check]:
        """Constraints on the focus node itself: each result's value is the focus node."""
        if (shape, SH.closed, Literal(True)) in self.shapes:
            raise Unsupported("sh:closed is not compiled to SPARQL")
        for param in self._parameters(shape):
            if param == SH.sparql:
                yield from self.sparql_checks(shape, focus, None)
                continue
            if param in (SH.qualifiedValueShape,):
                raise Unsupported(f"{_local(param)} on a node shape")
            condition = self.constraint_fails(shape, param, "?this")
            yield self._check(shape, _component(param), render("validate/compiled/focus", focus=focus,
                              condition=condition), None, "focus", focus)

    def property_checks(self, prop: Node, focus: str) -> Iterator[Check]:
        """The checks of one property shape for the focus nodes in ``focus``."""
        g = self.shapes
        spec = path_spec(g, g.value(prop, SH.path))
        path = sparql_path(spec)
        if any(True for _ in g.objects(prop, SH.property)):
            raise Unsupported("sh:property inside a property shape")
        for param in self._parameters(prop):
            value = g.value(prop, param)
            if param == SH.minCount:
                n = int(value)  # type: ignore[arg-type]
                if n > 0:
                    name = "min-count-one" if n == 1 else "min-count"
                    query = render(f"validate/compiled/{name}", focus=focus, path=path, count=str(n))
                    check = self._check(prop, "MinCountConstraintComponent", query, spec, "none", focus)
                    yield _mergeable(check, "min-count-one") if n == 1 else check
            elif param == SH.maxCount:
                n = int(value)  # type: ignore[arg-type]
                check = self._check(prop, "MaxCountConstraintComponent", render(
                    "validate/compiled/max-count", focus=focus, path=path, count=str(n)), spec, "none", focus)
                yield _mergeable(check, "max-count-one") if n == 1 else check
            elif param == SH.uniqueLang:
                if value == Literal(True):
                    yield self._check(prop, "UniqueLangConstraintComponent", render(
                        "validate/compiled/unique-lang", focus=focus, path=path), spec, "none", focus)
            elif param == SH.hasValue:
                query = render("validate/compiled/has-value", focus=focus, path=path, term=_term(value))
                yield self._check(prop, "HasValueConstraintComponent", query, spec, "none", focus)
            elif param == SH.disjoint:
                for other in g.objects(prop, SH.disjoint):
                    yield self._check(prop, "DisjointConstraintComponent", render(
                        "validate/compiled/disjoint", focus=focus, path=path, other=_iri(str(other))),
                        spec, "value", focus)
            elif param == SH.qualifiedValueShape:
                yield from self._qualified(prop, focus, path, spec)
            elif param == SH.sparql:
                yield from self.sparql_checks(prop, focus, spec)
            elif param in (SH.equals, SH.lessThan, SH.lessThanOrEquals, SH.closed):
                raise Unsupported(f"{_local(param)} is not compiled to SPARQL")
            else:
                condition = self.constraint_fails(prop, param, "?value")
                query = render("validate/compiled/values", focus=focus, path=path, condition=condition)
                yield self._check(prop, _component(param), query, spec, "value", focus)

    def _qualified(self, prop: Node, focus: str, path: str, spec: PathSpec) -> Iterator[Check]:
        g = self.shapes
        if g.value(prop, SH.qualifiedValueShapesDisjoint) == Literal(True):
            raise Unsupported("sh:qualifiedValueShapesDisjoint is not compiled to SPARQL")
        conforms = f"!{self.fails(g.value(prop, SH.qualifiedValueShape), '?value')}"
        for param, name, component in ((SH.qualifiedMinCount, "qualified-min", "QualifiedMinCount"),
                                       (SH.qualifiedMaxCount, "qualified-max", "QualifiedMaxCount")):
            n = g.value(prop, param)
            if n is not None:
                yield self._check(prop, component + "ConstraintComponent", render(
                    f"validate/compiled/{name}", focus=focus, path=path, condition=conforms,
                    count=str(int(n))), spec, "none", focus)  # type: ignore[arg-type]

    def sparql_checks(self, shape: Node, focus: str, spec: PathSpec | None) -> Iterator[Check]:
        """SPARQL-based constraints: the query itself, with the focus nodes bound at its start."""
        g = self.shapes
        for constraint in g.objects(shape, SH.sparql):
            if (constraint, SH.deactivated, Literal(True)) in g:
                continue
            if any(True for _ in g.objects(constraint, SH.prefixes)):
                raise Unsupported("sh:prefixes in a SPARQL constraint")
            text = str(g.value(constraint, SH.select) or "")
            messages = [str(m) for m in g.objects(constraint, SH.message)] + \
                [str(m) for m in g.objects(shape, SH.message)]
            if any(re.search(r"\{[?$]\w+\}", m) for m in messages):
                raise Unsupported("message templates in a SPARQL constraint")
            if re.search(r"\$(?!this\b)[A-Za-z_]\w*", text) or "?this" in text:
                raise Unsupported("SPARQL constraint variables other than $this")
            match = re.match(r"\s*SELECT\s+(DISTINCT\s+|REDUCED\s+)?(.*?)\bWHERE\s*\{", text, re.S | re.I)
            if not match or re.search(r"\b(VALUES|MINUS|SERVICE)\b", text, re.I):
                raise Unsupported("a SPARQL constraint kg cannot bind $this in")
            projection = match.group(2).replace("$this", "?this")
            body = text[match.end():].replace("$this", "?this")
            value = "value" if "?value" in projection else "focus" if spec is None else "none"
            query = f"SELECT DISTINCT {projection} WHERE {{ {focus}\n{body}"
            yield self._check(shape, "SPARQLConstraintComponent", render("validate/compiled/sparql",
                              query=query), spec, value, focus, messages_from=constraint)


def _deactivated(g: Graph, shape: Node) -> bool:
    return (shape, SH.deactivated, Literal(True)) in g


def _local(param: Node) -> str:
    return "sh:" + str(param).rsplit("#", 1)[-1]


def _component(param: URIRef) -> str:
    name = str(param).rsplit("#", 1)[-1]
    special = {"in": "In", "or": "Or", "and": "And", "not": "Not", "xone": "Xone", "class": "Class",
               "node": "Node"}
    return special.get(name, name[:1].upper() + name[1:]) + "ConstraintComponent"


def _messages(g: Graph, constraint: Node | None, shape: Node) -> tuple[tuple[str, str], ...]:
    for source in (constraint, shape):
        if source is None:
            continue
        found = [m for m in g.objects(source, SH.message) if isinstance(m, Literal)]
        if found:
            return tuple(sorted((m.language or "", str(m)) for m in found))
    return ()


def subclass_closure(axioms: Iterable[tuple[Node, Node]]) -> dict[str, set[str]]:
    """Each class mapped to itself and all its subclasses, from (subclass, superclass) pairs."""
    direct: dict[str, set[str]] = {}
    for sub, sup in axioms:
        if isinstance(sub, BNode) or isinstance(sup, BNode):
            continue
        direct.setdefault(str(sup), set()).add(str(sub))
    closure: dict[str, set[str]] = {}
    for cls in direct:
        seen = {cls}
        stack = [cls]
        while stack:
            for sub in direct.get(stack.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    stack.append(sub)
        closure[cls] = seen
    return closure


def compile_shapes(shapes: Graph, subclasses: Mapping[str, set[str]]) -> list[Check]:
    """Compile every targeted shape; raises :class:`Unsupported` if any part cannot be compiled."""
    return Compiler(shapes, subclasses).checks()
