"""The default graph is a set: a meeting's facts are stored once, whichever document says them.

The meetings' facts live in several graphs: each agenda's, each minutes', the links derived from
them, and the curated ``data/meetings`` files.  None may restate another: the curated files add
only what no document says, minutes leave out what their meeting's agenda already holds, and the
links hold only what is derived.  With ``data/`` loaded, no triple is in two of those graphs.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from kg.config import Settings
from kg.ingest.agenda import prepare, read_agenda
from kg.ingest.links import links_graph
from kg.iris import Minter
from kg.namespaces import KG
from kg.store import Store, open_store
from kg.write import Writer
from tests.conftest import ROOT
from tests.meetings import read_and_store

CORPUS = ROOT / "tests" / "corpus" / "meetings"
MEETING_GRAPHS = ("/graph/agendas/", "/graph/minutes/", "/graph/meetings/")


def meeting_graphs(store: Store) -> list[str]:
    """The agendas', minutes', curated meetings' and derived links' graphs in the store."""
    links = links_graph(store.base_iri)
    return sorted(g.name for g in store.graphs()
                  if any(m in g.name for m in MEETING_GRAPHS) or g.name == links)


def restated(store: Store, graphs: list[str]) -> dict[tuple[object, object, object], list[str]]:
    """Every triple that two or more of the graphs hold, with the graphs."""
    where: dict[tuple[object, object, object], list[str]] = defaultdict(list)
    for name in graphs:
        content = store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
        for triple in content:
            where[triple].append(name)
    return {t: gs for t, gs in where.items() if len(gs) > 1}


def test_data_states_no_meeting_fact_twice(loaded_store: Store, settings: Settings) -> None:
    graphs = meeting_graphs(loaded_store)
    minter = Minter(settings.base_iri)
    assert {minter.graph("agendas/it-arkitekturraadet/2023-11-30"), links_graph(settings.base_iri),
            minter.graph("meetings/it-arkitekturraadet-2023-11-30")} <= set(graphs)
    twice = restated(loaded_store, graphs)
    assert not twice, "\n".join(f"{' '.join(str(x) for x in t)}  in {gs}"
                                for t, gs in list(twice.items())[:20])


def test_a_curated_file_that_restates_the_agenda_is_found(settings: Settings, tmp_path: Path) -> None:
    """The check is not vacuous: a curated meeting file repeating one fact of the agenda is reported."""
    folder = tmp_path / "meetings"
    folder.mkdir()
    (folder / "restating.ttl").write_text(
        '<id/meeting/it-arkitekturraadet/2023-11-30> <http://data.vlaanderen.be/ns/besluit#opLocatie> '
        '"KOMBIT, Halfdansgade 8, lokale Fanø"@da .\n', encoding="utf-8")
    store = open_store(settings)
    try:
        outcomes = Writer(store, settings).load([ROOT / "data" / "agendas", folder / "restating.ttl"])
        assert all(o.status == "loaded" for o in outcomes), [o.message for o in outcomes]
        twice = restated(store, [g.name for g in store.graphs() if "/graph/meta" not in g.name])
    finally:
        store.close()
    assert len(twice) == 1
    (triple, graphs), = twice.items()
    assert str(triple[2]) == "KOMBIT, Halfdansgade 8, lokale Fanø" and len(graphs) == 2


def test_minutes_leave_out_what_their_agenda_says(settings: Settings) -> None:
    """Minutes read after their agenda hold only what the agenda does not: decisions, not items again."""
    agenda_file, minutes_file = CORPUS / "a01-dagsorden-2024-02-08.md", CORPUS / "m01-referat-2024-02-08.md"
    minter = Minter(settings.base_iri)
    store = open_store(settings)
    try:
        agenda = read_and_store(prepare, agenda_file, settings, store)
        minutes = read_and_store(prepare, minutes_file, settings, store)
        twice = restated(store, meeting_graphs(store))
    finally:
        store.close()
    assert minutes.graph_path == "minutes/it-arkitekturraadet/2024-02-08"
    assert not twice
    alone = read_agenda(minutes_file, settings).graph   # the minutes read without the agenda
    assert set(alone) <= set(agenda.graph) | set(minutes.graph) | {
        t for t in alone if t[1] == DCTERMS.title and t[0] == URIRef(minter.meeting("it-arkitekturraadet",
                                                                                   "2024-02-08"))}
    decisions = set(minutes.graph.subjects(KG.decisionOn, None))
    assert len(decisions) == 5
    meeting = URIRef(minter.meeting("it-arkitekturraadet", "2024-02-08"))
    assert (meeting, DCTERMS.title, None) not in minutes.graph   # the agenda titles the meeting
    assert any("left out" in note for note in minutes.notes)


def test_every_graph_name_is_a_meeting_not_a_file(settings: Settings, tmp_path: Path) -> None:
    """The same agenda saved under another name and folder names the same graph."""
    copy = tmp_path / "elsewhere" / "agendas" / "rettet-udgave.md"
    copy.parent.mkdir(parents=True)
    copy.write_bytes((ROOT / "data" / "agendas" / "it-arkitekturraadet-2023-11-30.md").read_bytes())
    store = open_store(settings)
    try:
        first = prepare(ROOT / "data" / "agendas" / "it-arkitekturraadet-2023-11-30.md", settings, store)
        second = prepare(copy, settings, store)
    finally:
        store.close()
    assert first.graph_path == second.graph_path == "agendas/it-arkitekturraadet/2023-11-30"
    assert isinstance(first.graph, Graph) and set(first.graph) == set(second.graph)
