"""The two ways validation can fail to run, as opposed to finding something about the data."""

from __future__ import annotations

from kg.store.base import StoreError


class ValidationError(StoreError):
    """Validation could not run (bad shapes file, store failure); not a finding about the data."""


class Unsupported(ValueError):
    """The shapes use a SHACL feature the SPARQL compiler does not translate (pyshacl then runs)."""
