"""Access to the store and settings of the running app, for blueprints."""

from __future__ import annotations

from typing import Any

from flask import current_app

from kg.config import Settings
from kg.publication import Publication
from kg.store import Store


def get_store() -> Store:
    return current_app.extensions["kg.store"]  # type: ignore[no-any-return]


def get_writer() -> Any:
    """The write path (:class:`kg.write.Writer`, or a client of the server's writer process)."""
    return current_app.extensions["kg.writer"]


def get_publication() -> Publication:
    """What the derivation pipeline published: pages, summaries, the search index, its status."""
    return current_app.extensions["kg.publication"]  # type: ignore[no-any-return]


def get_settings() -> Settings:
    settings: Settings = current_app.config["KG_SETTINGS"]
    return settings
