"""The one place kg decides whether text is an IRI (RFC 3987), a web address, or a reference a source
may give instead of a term: every reader (settings, concept lists, exports, the quality link check,
page links, request checks) asks ``kg.iri_syntax``; and the one writer of IRIs and literals
(``kg.queries``)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.config import ConfigError, Settings, load_settings
from kg.iri_syntax import is_absolute_iri, is_reference_iri, is_web_iri, problem
from kg.queries import iri, literal


@pytest.mark.parametrize(("text", "absolute", "web", "reference"), [
    ("https://example.org/a", True, True, True),
    ("http://x", True, True, True),
    ("HTTPS://EXAMPLE.ORG/", True, True, True),
    ("https://data.gov.dk/model/x#y", True, True, True),
    ("https://x/æøå", True, True, True),                  # ucschar is allowed in an IRI
    ("https://[::1]/a", True, True, True),
    ("urn:isbn:9788702", True, False, True),
    ("mailto:a@example.org", True, False, False),
    ("javascript:alert(1)", True, False, False),          # absolute, but never a link or a reference
    ("ftp://example.org/f", True, False, False),
    ("https://", True, False, False),                     # no host
    ("https:///a", True, False, False),
    ("https://x/%zz", False, False, False),               # '%' without two hex digits
    ("https://x/a b", False, False, False),
    ('https://x/a"b', False, False, False),
    ("https://[not-ipv6]/", False, False, False),
    ("urn:", True, False, False),                         # an IRI by the grammar, but names nothing
    ("relative/path", False, False, False),
    ("_:b0", False, False, False),                         # a blank node label is no IRI
])
def test_the_kinds_of_iri(text: str, absolute: bool, web: bool, reference: bool) -> None:
    assert (is_absolute_iri(text), is_web_iri(text), is_reference_iri(text)) == (absolute, web, reference)


def test_the_problem_is_named() -> None:
    assert "U+0007" in problem("https://x/\x07")
    assert "percent-encode" in problem("https://x/a b")
    assert "hexadecimal" in problem("https://x/%zz")


@pytest.mark.parametrize("base", ["ftp://kg.example", "https://kg example", "kg.example", "https://%zz"])
def test_a_base_iri_that_is_not_a_web_iri_is_refused(base: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="base_iri"):
        load_settings({"KG_BASE_IRI": base}, config_file=tmp_path / "none.toml")


def test_a_web_base_iri_is_taken(tmp_path: Path) -> None:
    settings = load_settings({"KG_BASE_IRI": "https://kg.example/"}, config_file=tmp_path / "none.toml")
    assert isinstance(settings, Settings) and settings.base_iri.startswith("https://kg.example")


# -- writing terms: one writer of IRIs and literals for SPARQL and N-Triples (kg.queries) -------------

_HOSTILE = 'a "quoted" \\ back\nslash\r> <http://evil> . } ; DROP ALL #'


@pytest.mark.parametrize(("value", "datatype", "lang"), [
    (_HOSTILE, None, None),
    (_HOSTILE, None, "da"),
    ("42", "http://www.w3.org/2001/XMLSchema#integer", None),
    (True, None, None),
    ("æøå ✓", None, "en-GB"),
])
def test_a_written_literal_reads_back_the_same_in_n_triples_and_sparql(
        value: str | bool, datatype: str | None, lang: str | None) -> None:
    written = literal(value, datatype, lang)
    line = f"{iri('http://example.org/s')} {iri('http://example.org/p')} {written} .\n"
    (quad,) = list(ox.parse(line.encode(), format=ox.RdfFormat.N_TRIPLES))
    expected = ("true" if value is True else value)
    assert quad.object.value == expected
    assert (quad.object.language or None) == (lang.lower() if lang else None)
    store = ox.Store()
    store.update(f"INSERT DATA {{ {line} }}")
    (row,) = list(store.query(f"SELECT ?o WHERE {{ ?s ?p ?o FILTER(?o = {written}) }}"))
    assert row["o"] == quad.object


@pytest.mark.parametrize("bad", ["http://x/a b", "http://x/>", 'http://x/"'])
def test_an_iri_that_would_break_out_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not an IRI"):
        iri(bad)


def test_a_bad_language_tag_is_refused() -> None:
    with pytest.raises(ValueError, match="language tag"):
        literal("x", lang="da . } DROP ALL")
