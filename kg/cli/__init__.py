"""The ``kg`` command line.

Every command reads the settings once (``KG_*`` variables, ``kg.toml``, and the
global options), opens the store through :func:`kg.store.open_store`, and
turns kg's own errors into one clear line with exit code 1.  Usage errors exit
with 2 (click's convention); ``--debug`` shows the traceback instead.

The group and what every command shares are :mod:`kg.cli.core`; the commands are grouped by what
they do (:mod:`.loading`, :mod:`.reading`, :mod:`.deriving`, :mod:`.ingesting`, :mod:`.serving`),
each registering on the group when imported here.  The work lives in the modules the commands call.
"""

from __future__ import annotations

from kg.cli import deriving, ingesting, loading, reading, serving
from kg.cli.core import main

__all__ = ["deriving", "ingesting", "loading", "main", "reading", "serving"]
