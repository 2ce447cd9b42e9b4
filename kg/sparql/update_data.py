"""What an ``INSERT DATA``/``DELETE DATA`` update changes, read from its text before it runs.

The derivation pipeline is incremental when it knows which resources a write touched.  For a
graph load the store says so; for an update made only of ``INSERT DATA`` and ``DELETE DATA``
operations the quads are written out in the update itself, in the syntax TriG shares with
SPARQL's ``QuadData``, so they are read here with the prologue's prefixes.  Any other update
(``DELETE … WHERE``, ``CLEAR`` …) returns None, and the write path treats it as a change to
everything.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg import sparql_text as lexer

DEFAULT_GRAPH = ""


def data_resources(text: str, base_iri: str) -> dict[str, set[str]] | None:
    """Graph -> IRIs (subjects, objects) the update's DATA operations mention; None for other updates.

    The store's default graph is named :data:`DEFAULT_GRAPH`.
    """
    try:
        tokens = list(lexer.tokenize(text))
    except lexer.LexError:
        return None
    prologue: list[str] = []
    blocks: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        word = token.keyword
        if word in ("PREFIX", "BASE"):
            end = i + (3 if word == "PREFIX" else 2)
            if end > len(tokens):
                return None
            prologue.append(text[token.start:tokens[end - 1].end])
            i = end
            continue
        if token.text == ";":
            i += 1
            continue
        if word in ("INSERT", "DELETE") and i + 2 < len(tokens) and tokens[i + 1].keyword == "DATA" \
                and tokens[i + 2].text == "{":
            depth, j = 0, i + 2
            while j < len(tokens):
                if tokens[j].text == "{":
                    depth += 1
                elif tokens[j].text == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= len(tokens):
                return None
            blocks.append(text[tokens[i + 2].end:tokens[j].start])
            i = j + 1
            continue
        return None  # an operation whose effect is not written out
    found: dict[str, set[str]] = {}
    for block in blocks:
        try:
            quads = ox.parse("\n".join(prologue) + "\n" + block, format=ox.RdfFormat.TRIG, base_iri=base_iri)
            for quad in quads:
                graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else DEFAULT_GRAPH
                resources = found.setdefault(graph, set())
                for term in (quad.subject, quad.object):
                    if isinstance(term, ox.NamedNode):
                        resources.add(term.value)
        except (SyntaxError, ValueError):
            return None  # the engine reports the error; the change is then unknown
    return found
