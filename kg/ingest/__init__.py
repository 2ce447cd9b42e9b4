"""Ingest: source documents (agendas, concept lists) into rdflib graphs for the store."""
