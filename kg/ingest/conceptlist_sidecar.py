"""A concept list's sidecar: the scheme's own metadata and the replacements of withdrawn concepts.

``NAME.scheme.toml`` beside ``NAME.csv``/``NAME.xlsx`` holds what a row of the list cannot: the
scheme's title, definition, status and version (``[scheme]``), and which concept replaces one that
has left the list (``[replacements]``).  It is TOML rather than Turtle so that the RDF loader does
not load it a second time as a graph of its own.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral

from kg.iri_syntax import is_reference_iri
from kg.namespaces import ADMS, CV, DCTERMS, OWL, RDF, SKOS

SIDECAR_SUFFIX = ".scheme.toml"
#: Absolute IRIs only; the schemes a legal source or status is published under.
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
SIDECAR_TEXT = {"title": (SKOS.prefLabel, DCTERMS.title), "definition": (SKOS.definition,),
                "editorial_note": (SKOS.editorialNote,)}
_SIDECAR_KEYS = {"slug", "status", "version", "legal_source", "source", "related", *SIDECAR_TEXT}
_TABLES = {"scheme", "replacements"}


class SidecarError(ValueError):
    """The sidecar is not valid; the message names it and why."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


def sidecar_path(path: Path) -> Path:
    """``ladeinfrastruktur.csv`` → ``ladeinfrastruktur.scheme.toml`` beside it."""
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def _load(path: Path) -> dict[str, object]:
    side = sidecar_path(path)
    if not side.is_file():
        return {}
    try:
        document = tomllib.loads(side.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SidecarError(side, f"not a valid sidecar: {exc}") from None
    unknown = sorted(set(document) - _TABLES)
    if unknown:
        raise SidecarError(side, f"unknown table [{unknown[0]}] (known: [scheme], [replacements])")
    return document


def read_sidecar(path: Path) -> dict[str, object]:
    """The ``[scheme]`` table of a list's sidecar, checked; empty when there is no sidecar."""
    side = sidecar_path(path)
    table = _load(path).get("scheme", {})
    if not isinstance(table, dict):
        raise SidecarError(side, "[scheme] must be a table")
    for key, value in table.items():
        if key not in _SIDECAR_KEYS:
            known = ", ".join(sorted(_SIDECAR_KEYS))
            raise SidecarError(side, f"unknown key {key!r} in [scheme] (known: {known})")
        if key in SIDECAR_TEXT:
            if not isinstance(value, dict) or not all(
                    isinstance(t, str) and _LANG.match(k) for k, t in value.items()):
                raise SidecarError(side, f"{key} must map language tags to text, e.g. {key}.da = \"…\"")
        elif key in {"legal_source", "source", "related"}:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SidecarError(side, f"{key} must be a list of strings")
            if key == "legal_source" and not all(is_reference_iri(v) for v in value):
                raise SidecarError(side, "legal_source must hold absolute IRIs")
        elif not isinstance(value, str):
            raise SidecarError(side, f"{key} must be a string")
        elif key == "status" and not is_reference_iri(value):
            raise SidecarError(side, "status must be an absolute IRI")
    return table


def read_replacements(path: Path) -> dict[str, str]:
    """The ``[replacements]`` table: withdrawn concept → the concept replacing it (each a term or an IRI)."""
    table = _load(path).get("replacements", {})
    if not isinstance(table, dict) or not all(isinstance(k, str) and isinstance(v, str) and k.strip()
                                              and v.strip() for k, v in table.items()):
        raise SidecarError(sidecar_path(path), "[replacements] must map a withdrawn concept's term to the "
                                               "term of the concept replacing it, "
                                               "e.g. \"Gammel term\" = \"Ny term\"")
    return {k.strip(): v.strip() for k, v in table.items()}


def scheme_triples(graph: Graph, scheme_iri: URIRef, slug: str, meta: dict[str, object], base: str) -> None:
    """The scheme's own description from the sidecar's ``[scheme]`` table."""
    graph.add((scheme_iri, RDF.type, SKOS.ConceptScheme))
    titles = meta.get("title") or {"da": slug}
    for key, props in SIDECAR_TEXT.items():
        values = titles if key == "title" else meta.get(key, {})
        for lang, text in values.items():  # type: ignore[union-attr]
            for prop in props:
                graph.add((scheme_iri, prop, RdfLiteral(text.strip(), lang=lang)))
    if "status" in meta:
        graph.add((scheme_iri, ADMS.status, URIRef(str(meta["status"]))))
    if "version" in meta:
        graph.add((scheme_iri, OWL.versionInfo, RdfLiteral(str(meta["version"]))))
    for value in meta.get("legal_source", []):  # type: ignore[attr-defined]
        graph.add((scheme_iri, CV.hasLegalResource, URIRef(value)))
    for value in meta.get("source", []):  # type: ignore[attr-defined]
        source = URIRef(value) if is_reference_iri(value) else RdfLiteral(value, lang="da")
        graph.add((scheme_iri, DCTERMS.source, source))
    for value in meta.get("related", []):  # type: ignore[attr-defined]
        related = URIRef(value if is_reference_iri(value) else base + value.lstrip("/"))
        graph.add((scheme_iri, DCTERMS.relation, related))


__all__ = ["SIDECAR_SUFFIX", "SIDECAR_TEXT", "SidecarError", "read_replacements", "read_sidecar",
           "scheme_triples", "sidecar_path"]
