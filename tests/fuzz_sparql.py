"""Grammar-aware generation of hostile SPARQL and RDF, for the fuzz test (``tests/test_fuzz.py``).

Queries are built from the grammar's productions with its awkward terminals on purpose: prefixed
names with ``PN_LOCAL_ESC`` and ``%`` escapes, the four string forms with ``ECHAR`` and ``UCHAR``,
IRIs with ``\\u`` escapes, comments between any two tokens, ``SERVICE`` to a listener that must
never be called, deep and long patterns, unknown functions, property paths — and then mutated
byte by byte.  Uploads are Turtle, JSON-LD and RDF/XML documents built the same way.  Everything
comes from one seeded :class:`random.Random`, so a failure is reproduced from its seed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

_ESCAPES = ["\\_", "\\~", "\\.", "\\-", "\\!", "\\$", "\\&", "\\'", "\\(", "\\)", "\\*", "\\+", "\\,", "\\;",
            "\\=", "\\/", "\\?", "\\#", "\\@", "\\%", "%41", "%ff"]
_FUNCTIONS = ["STR", "LANG", "STRLEN", "UCASE", "CONTAINS", "REGEX", "ABS", "ROUND", "NOW", "BNODE", "IRI",
              "CONCAT", "SUBSTR", "COALESCE", "IF", "isIRI", "DATATYPE", "SHA256", "<http://example.org/fn>",
              "xsd:dateTime", "xsd:integer", "ex:unknownFunction"]
_OPERATORS = ["=", "!=", "<", ">", "<=", ">=", "&&", "||", "+", "-", "*", "/"]


class Generator:
    """Random SPARQL and RDF from a seed; ``listener`` is a URL no request may ever reach."""

    def __init__(self, seed: int, listener: str) -> None:
        self.rng = random.Random(seed)
        self.listener = listener

    # -- terms ------------------------------------------------------------------------------------
    def iri(self) -> str:
        r = self.rng
        return r.choice([f"<{self.listener}/{r.randint(0, 9)}>", "<http://example.org/a>", "<urn:x:b>",
                         "<http://example.org/\\u0041>", "<>", "<http://example.org/x#y>",
                         f"<https://kg.rammearkitektur.dk/id/dataset/{r.choice(['cpr', 'x'])}>"])

    def pname(self) -> str:
        r = self.rng
        local = "".join(r.choice(["a", "b", "1", ".", "-", "_", ":", *_ESCAPES])
                        for _ in range(r.randint(0, 6)))
        return r.choice(["ex:", "dct:", "dcat:", ":", "skos:"]) + local.strip(".")

    def string(self) -> str:
        r = self.rng
        body = "".join(r.choice(["a", " ", "æ", "\\n", '\\"', "\\'", "\\u00e6", "\\U0001F600", "{", "}", "#",
                                 "SERVICE", "'", '"'])
                       for _ in range(r.randint(0, 8)))
        quote = r.choice(['"', "'", '"""', "'''"])
        if len(quote) == 1:
            body = body.replace(quote, "\\" + quote)
        else:
            body = body.replace(quote[0], "\\" + quote[0])
        return quote + body + quote + r.choice(["", "@da", "^^xsd:integer", "^^<http://example.org/dt>"])

    def term(self) -> str:
        r = self.rng
        return r.choice([self.iri, self.pname, self.string, lambda: f"?v{r.randint(0, 4)}",
                         lambda: str(r.randint(-5, 10**6)), lambda: "_:b" + str(r.randint(0, 3)),
                         lambda: r.choice(["true", "false", "1.5e3", ".5", "a"])])()

    # -- patterns ------------------------------------------------------------------------------
    def path(self) -> str:
        r = self.rng
        steps = [r.choice([self.pname(), self.iri(), "a", "^" + self.pname(), f"({self.pname()})*",
                           f"!{self.pname()}"]) for _ in range(r.randint(1, 4))]
        return r.choice(["/", "|"]).join(steps) + r.choice(["", "*", "+", "?"])

    def expression(self, depth: int = 0) -> str:
        r = self.rng
        if depth > 3 or r.random() < 0.3:
            return self.term()
        choice = r.random()
        if choice < 0.4:
            return f"({self.expression(depth + 1)} {r.choice(_OPERATORS)} {self.expression(depth + 1)})"
        if choice < 0.7:
            args = ", ".join(self.expression(depth + 1) for _ in range(r.randint(0, 3)))
            return f"{r.choice(_FUNCTIONS)}({args})"
        return f"EXISTS {{ {self.pattern(depth + 1)} }}"

    def pattern(self, depth: int = 0) -> str:
        """One to four elements of a group graph pattern; past depth 4 only triples, so nesting ends."""
        r = self.rng
        parts = []
        for _ in range(r.randint(1, 4)):
            kind = r.random()
            element = next(make for bound, make in self._elements(depth) if kind < bound or depth > 4)
            parts.append(element())
        return " ".join(parts)

    def _elements(self, depth: int) -> list[tuple[float, Callable[[], str]]]:
        """Each kind of element with the upper bound of its share of ``[0, 1)``, the triple first."""
        r = self.rng

        def inner() -> str:
            return self.pattern(depth + 1)

        return [
            (0.35, lambda: f"{self.term()} {r.choice([self.path(), self.term()])} {self.term()} ."),
            (0.45, lambda: f"FILTER({self.expression()})"),
            (0.52, lambda: f"SERVICE {r.choice(['', 'SILENT '])}<{self.listener}/sparql> {{ ?s ?p ?o }}"),
            (0.6, lambda: f"OPTIONAL {{ {inner()} }}"),
            (0.68, lambda: f"{{ {inner()} }} UNION {{ {inner()} }}"),
            (0.74, lambda: f"GRAPH {r.choice([self.iri(), '?g'])} {{ {inner()} }}"),
            (0.8, self._values),
            (0.86, lambda: f"BIND({self.expression()} AS ?b{r.randint(0, 9)})"),
            (0.92, lambda: f"{{ SELECT * WHERE {{ {inner()} }} LIMIT {r.randint(0, 5)} }}"),
            (1.0, lambda: f"MINUS {{ {inner()} }}"),
        ]

    def _values(self) -> str:
        """``VALUES`` over up to five terms, drawn before the variable's number: a seed's queries depend
        on the order of the draws."""
        values = " ".join(self.term() for _ in range(self.rng.randint(0, 5)))
        return f"VALUES ?v{self.rng.randint(0, 4)} {{ {values} }}"

    def query(self) -> str:
        r = self.rng
        prologue = "".join(r.choice(["PREFIX ex: <http://example.org/> ", "BASE <http://example.org/> ",
                                     f"PREFIX x{r.randint(0, 3)}: {self.iri()} ", ""]) for _ in range(2))
        head = r.choice(["SELECT * WHERE", "SELECT DISTINCT ?v0 ?v1 WHERE", "ASK", "CONSTRUCT WHERE",
                         "DESCRIBE ?v0 WHERE", f"SELECT * FROM {self.iri()} WHERE",
                         "SELECT (COUNT(*) AS ?n) WHERE", "CONSTRUCT { ?v0 ?v1 ?v2 } WHERE"])
        tail = r.choice(["", " LIMIT 5", " ORDER BY ?v0", f" OFFSET {r.randint(0, 10**20)}", " GROUP BY ?v0"])
        text = f"{prologue}{head} {{ {self.pattern()} }}{tail}"
        if r.random() < 0.3:
            text = self.with_comments(text)
        if r.random() < 0.4:
            text = self.mutate(text)
        if r.random() < 0.05:
            depth = r.choice([150, 250, 3000])
            text = f"SELECT * WHERE {'{' * depth} ?s ?p ?o {'}' * depth}"
        return text

    def update(self) -> str:
        r = self.rng
        data = " ".join(f"{self.term()} {self.term()} {self.term()} ." for _ in range(r.randint(1, 3)))
        text = r.choice([f"INSERT DATA {{ GRAPH <http://example.org/fuzz> {{ {data} }} }}",
                         f"DELETE DATA {{ GRAPH <http://example.org/fuzz> {{ {data} }} }}",
                         f"LOAD <{self.listener}/x.ttl>", f"LOAD SILENT <{self.listener}/x.ttl>",
                         f"DELETE {{ ?s ?p ?o }} WHERE {{ {self.pattern()} }}",
                         "CREATE GRAPH <http://example.org/fuzz>", "DROP GRAPH <http://example.org/nope>",
                         "CLEAR SILENT GRAPH <http://example.org/fuzz>",
                         f"INSERT {{ GRAPH <http://example.org/fuzz> {{ ?s ?p ?o }} }} WHERE "
                         f"{{ SERVICE <{self.listener}/s> {{ ?s ?p ?o }} }}"])
        return self.mutate(text) if r.random() < 0.3 else text

    def with_comments(self, text: str) -> str:
        out = []
        for token in text.split(" "):
            out.append(token)
            if self.rng.random() < 0.2:
                out.append(self.rng.choice(["# SERVICE <x> {\n", "#}\n", "\n", "\t"]))
        return " ".join(out)

    def mutate(self, text: str) -> str:
        r = self.rng
        chars = list(text)
        for _ in range(r.randint(1, 4)):
            where = r.randint(0, len(chars))
            action = r.random()
            if action < 0.4 and chars:
                del chars[min(where, len(chars) - 1)]
            elif action < 0.8:
                chars.insert(where, r.choice(["{", "}", "(", ")", "'", '"', "\\", "#", "<", ">", "\x00", "é",
                                              "\ufffd", "\\u0053ERVICE", " SERVICE ", ";", "."]))
            else:
                chars[where:where] = chars[max(0, where - 5):where]
        return "".join(chars)

    # -- uploads ----------------------------------------------------------------------------------
    def upload(self) -> tuple[str, bytes]:
        r = self.rng
        kind = r.choice(["turtle", "jsonld", "rdfxml"])
        depth = r.choice([1, 3, 50, 150, 5000])
        if kind == "turtle":
            body = f"{self.iri()} <http://example.org/p> " + "[ <http://example.org/q> " * depth + \
                "1" + " ]" * depth + f" .\n{self.iri()} <http://example.org/r> {self.string()} ."
            media = "text/turtle"
        elif kind == "jsonld":
            leaf = json.dumps({"@id": "http://example.org/leaf", "http://example.org/p": "x"})
            node = '{"http://example.org/q": ' * depth + leaf + "}" * depth  # deeper than json.dumps goes
            context = r.choice(["", f'"@context": "{self.listener}/context.jsonld", '])
            body = f'{{{context}"@id": "http://example.org/root", "http://example.org/n": {node}}}'
            media = "application/ld+json"
        else:
            levels = min(depth, 2000)
            inner = "<e:q><rdf:Description>" * levels + "x" + "</rdf:Description></e:q>" * levels
            entity = r.choice(["", f'<!DOCTYPE r [<!ENTITY e SYSTEM "{self.listener}/e">]>'])
            body = (f'<?xml version="1.0"?>{entity}<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
                    f' xmlns:e="http://example.org/"><rdf:Description rdf:about="http://example.org/s">{inner}'
                    "</rdf:Description></rdf:RDF>")
            media = "application/rdf+xml"
        data = body.encode("utf-8")
        if r.random() < 0.3:
            data = self.mutate(body).encode("utf-8", "replace")
        return media, data
