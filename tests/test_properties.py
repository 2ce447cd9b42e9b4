"""Property-based tests: random bytes and text never crash the RDF loaders, the concept-list reader or the
agenda reader (a clean error or a graph), and a refused input never changes the store."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kg.config import Settings
from kg.ingest.agenda import AgendaError, read_agenda
from kg.ingest.conceptlist import ConceptListError, read_conceptlist
from kg.store import ParseError, StoreError, open_store
from kg.store.base import Provenance

FAST = hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
RDF_BITS = st.sampled_from(['<http://e/s>', '<http://e/p>', '"x"', '"y"@da', "_:b", ".", ";", ",", "[", "]",
                            "(", ")", "{", "}", "@prefix", "ex:", "a", "\n", " ", "\\", '"""', "^^", "<", ">",
                            "#", '{"@id":', '"@context"', ":", "1", "true", "\x00", "ø"])
RDF_TEXT = st.lists(RDF_BITS, max_size=40).map("".join)


@pytest.fixture(scope="module")
def store(settings: Settings):  # type: ignore[no-untyped-def]
    store = open_store(settings)
    store.replace_graph_data(f"{settings.base_iri}/graph/kept", b'<http://e/k> <http://e/p> "k" .\n',
                             "ntriples", settings.base, Provenance.now("kept.nt"))
    yield store
    store.close()


@FAST
@given(data=st.one_of(st.binary(max_size=300), RDF_TEXT.map(lambda t: t.encode("utf-8"))),
       syntax=st.sampled_from(["turtle", "ntriples", "jsonld", "nquads", "trig"]))
def test_rdf_loaders_parse_or_refuse_cleanly(store, settings: Settings, data: bytes, syntax: str) -> None:  # type: ignore[no-untyped-def]
    before = sorted(map(str, store.quads()))
    graph = f"{settings.base_iri}/graph/fuzz"
    try:
        count = store.replace_graph_data(graph, data, syntax, settings.base, Provenance.now("fuzz"))  # type: ignore[arg-type]
    except (ParseError, StoreError):
        assert sorted(map(str, store.quads())) == before
        return
    assert count >= 0
    assert store.drop_graph(graph), "a graph just loaded (even with 0 triples) can be dropped"
    assert sorted(map(str, store.quads())) == before


def _file(data: bytes, suffix: str, folder: str = "") -> Path:
    root = Path(tempfile.mkdtemp()) / folder
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"input{suffix}"
    path.write_bytes(data)
    return path


CSV_TEXT = st.lists(st.sampled_from(["Foretrukken term (da)", "Definition (da)", ";", ",", "\n", "\"",
                                     "begreb", "def", "Kilde", "http://e/x", "Overordnet begreb", "\x00", "ø",
                                     " "]),
                    max_size=40).map("".join)


@FAST
@given(data=st.one_of(st.binary(max_size=300), CSV_TEXT.map(lambda t: t.encode("utf-8"))),
       suffix=st.sampled_from([".csv", ".xlsx"]))
def test_conceptlist_reader_never_crashes(settings: Settings, data: bytes, suffix: str) -> None:
    try:
        result = read_conceptlist(_file(data, suffix), settings)
    except ConceptListError:
        return
    assert len(result.graph) >= 0


AGENDA_TEXT = st.lists(st.sampled_from(["# Dagsorden\n", "## 1. Punkt\n", "Dato: 30-11-2023 10:00\n", "- a\n",
                                        "**fed**", "[^1]", "[^1]: note\n", "|a|b|\n", "SAG-2022-04763", "\n",
                                        "Indstilling:\n", "\x00", "ø", " "]), max_size=40).map("".join)


@FAST
@given(data=st.one_of(st.binary(max_size=300), AGENDA_TEXT.map(lambda t: t.encode("utf-8"))),
       suffix=st.sampled_from([".md", ".docx"]))
def test_agenda_reader_never_crashes(settings: Settings, data: bytes, suffix: str) -> None:
    try:
        result = read_agenda(_file(data, suffix, "agendas"), settings)
    except AgendaError:
        return
    assert result.meeting
