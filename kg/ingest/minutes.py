"""Minutes (referater): the council's own decisions, one per item, beside the agenda they follow.

Minutes are written in the agenda's house style with a "Beslutning" part under each item, so they
are read by the same reader (:mod:`kg.ingest.agenda_read`); what they add is a decision per item
(:mod:`agenda_decisions`), linked to the item, its recommendations, the meeting and the case.

Their graph is named by the meeting, ``minutes/{body}/{date}``, and holds what the minutes say
that the meeting's agenda graph does not: a fact is stored once (the default graph is a set), so
the items, titles and recommendations the minutes repeat from an agenda already in the store are
left out, and so is the minutes' own title for the meeting when the agenda names it.  Without
an agenda in the store the minutes carry the whole structure.  When an agenda is loaded after
its minutes, ingest the minutes again to drop what the agenda now says.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, Graph

from kg.config import Settings
from kg.ingest import Prepared
from kg.ingest.agenda_changes import describe_changes, facts, stored_graph
from kg.ingest.agenda_read import AgendaResult, read_agenda
from kg.namespaces import BESLUIT, DCTERMS

__all__ = ["prepare", "prepare_read", "without_agenda"]


def without_agenda(minutes: Graph, agenda: Graph, meeting: object) -> Graph:
    """The minutes' triples the agenda does not hold (and no second title for the meeting)."""
    out = Graph(namespace_manager=minutes.namespace_manager)
    agenda_titled = (meeting, DCTERMS.title, None) in agenda
    for triple in minutes:
        if triple in agenda:
            continue
        if agenda_titled and triple[0] == meeting and triple[1] == DCTERMS.title:
            continue
        out.add(triple)
    return out


def differences(agenda: Graph, minutes: Graph, meeting: str) -> list[str]:
    """Where the minutes and the agenda say different things about the same fact (both are kept)."""
    from rdflib import URIRef

    said, written = facts(agenda, URIRef(meeting)), facts(minutes, URIRef(meeting))
    return [f"the minutes differ from the agenda: {key} '{written[key]}' (agenda: '{said[key]}')"
            for key in sorted(set(said) & set(written))
            if said[key] != written[key] and key != "title" and len(said[key]) <= 200]


def prepare_read(path: Path, result: AgendaResult, settings: Settings, store: object) -> Prepared:
    """Minutes already read (:func:`kg.ingest.agenda_read.read_agenda`) made ready for the write path."""
    from rdflib import URIRef

    key = result.meeting_key
    agenda = stored_graph(store, settings, f"agendas/{key}")
    graph = without_agenda(result.graph, agenda, URIRef(result.meeting)) if len(agenda) else result.graph
    graph_path = f"minutes/{key}"
    warnings = [f"{path}: {w}" for w in result.warnings]
    notes = [f"missing content: {', '.join(result.missing)}"] if result.missing else []
    if len(agenda):
        notes.append(f"the agenda of the meeting is in the store: {len(result.graph) - len(graph)} triples "
                     "it already holds are left out")
        notes += differences(agenda, result.graph, result.meeting)
    if result.decisions == 0:
        warnings.append(f"{path}: minutes without any 'Beslutning' part: no decisions were read")
    items = len(set(result.graph.subjects(RDF.type, BESLUIT.Agendapunt)))
    changes = describe_changes(stored_graph(store, settings, graph_path), graph, result.meeting)
    return Prepared(graph, graph_path, warnings=warnings, notes=notes, changes=changes,
                    summary=f"minutes of meeting {result.meeting}, {items} items, "
                            f"{result.decisions} decisions")


def prepare(path: Path, settings: Settings, store: object, body: str = "it-arkitekturraadet") -> Prepared:
    """The write path's face of the minutes ingest (``kg ingest minutes FILE``): read as minutes."""
    return prepare_read(path, read_agenda(path, settings, body=body, kind="minutes"), settings, store)
