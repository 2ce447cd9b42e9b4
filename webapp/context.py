"""Access to the store and settings of the running app, for blueprints."""

from __future__ import annotations

from flask import current_app

from kg.config import Settings
from kg.store import Store


def get_store() -> Store:
    return current_app.extensions["kg.store"]  # type: ignore[no-any-return]


def get_settings() -> Settings:
    return current_app.config["KG_SETTINGS"]  # type: ignore[no-any-return]
