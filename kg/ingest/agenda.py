"""Council agendas and minutes (Markdown or Word) into linked decisions: the ingest's public face.

Reading a file into its graph and report is :mod:`kg.ingest.agenda_read` (:func:`read_agenda`,
pure: nothing read from the store and nothing written); this module adds what the write path and
the links (:func:`kg.ingest.links.link_agendas`) need of the store.

Agendas and minutes are one house style: minutes add a "Beslutning" part under each item and say
"Referat" on their front page.  :func:`prepare` tells them apart and names the graph by the
meeting: ``agendas/{body}/{date}`` or ``minutes/{body}/{date}``.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, Graph

from kg.config import Settings
from kg.ingest import Prepared
from kg.ingest.agenda_blocks import AgendaError
from kg.ingest.agenda_changes import describe_changes, stored_graph
from kg.ingest.agenda_read import AgendaResult, read_agenda, read_document
from kg.ingest.minutes import prepare_read
from kg.namespaces import BESLUIT
from kg.queries import get_query

__all__ = ["AgendaError", "AgendaResult", "known_labels", "prepare", "read_agenda", "read_document",
           "stored_graph"]


def known_labels(store: object) -> Graph:
    """The labels of organisations, systems, standards, datasets, products, people and document types in
    the store: what :func:`kg.ingest.links.link_agendas` matches the documents' words against."""
    return store.construct(get_query("agenda/known-labels"))  # type: ignore[attr-defined, no-any-return]


def prepare(path: Path, settings: Settings, store: object, body: str = "it-arkitekturraadet",
            kind: str | None = None) -> Prepared:
    """The write path's face of the ingest: the document's graph, named by its meeting.

    A meeting is its body and date, so a corrected agenda saved under another name, or the same
    file read from another folder, replaces the same graph; ``changes`` says what differs from
    the stored version.  Minutes (told by their words, or ``kind="minutes"``) go to
    :func:`kg.ingest.minutes.prepare_read`.
    """
    result = read_agenda(path, settings, body=body, kind=kind)
    if result.kind == "minutes":
        return prepare_read(path, result, settings, store)
    graph_path = f"agendas/{result.meeting_key}"
    notes = [f"missing content: {', '.join(result.missing)}"] if result.missing else []
    items = len(set(result.graph.subjects(RDF.type, BESLUIT.Agendapunt)))
    warnings = [f"{path}: {w}" for w in result.warnings]
    changes = describe_changes(stored_graph(store, settings, graph_path), result.graph, result.meeting)
    minutes = stored_graph(store, settings, f"minutes/{result.meeting_key}")
    if overlap := len(set(minutes) & set(result.graph)):
        notes.append(f"the meeting's minutes in the store restate {overlap} triples of this agenda: ingest "
                     "the minutes again to leave them out")
    return Prepared(result.graph, graph_path, warnings=warnings, notes=notes, changes=changes,
                    summary=f"meeting {result.meeting}, {items} items")
