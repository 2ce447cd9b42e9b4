"""``/openapi.json``: the OpenAPI 3 description of kg's whole HTTP API.

The description is a data file beside this module (``openapi.json``), kept by hand
next to the blueprints it describes; ``tests/test_openapi.py`` runs schemathesis
against the app with it, so a route or answer that drifts from it fails there.
Served with kg's own version filled in.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response

from kg import __version__

bp = Blueprint("openapi", __name__)
SOURCE = Path(__file__).with_name("openapi.json")


@cache
def description() -> dict[str, Any]:
    """The description, read once, with ``info.version`` set to the running kg's."""
    data: dict[str, Any] = json.loads(SOURCE.read_text(encoding="utf-8"))
    data["info"]["version"] = __version__
    return data


@bp.get("/openapi.json")
def openapi() -> Response:
    """The description as JSON (clients and schemathesis read it from here)."""
    return Response(json.dumps(description(), ensure_ascii=False, indent=1),
                    content_type="application/json; charset=utf-8",
                    headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=3600"})
