"""The app factory, home page, health check and error answers."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from kg.config import Settings
from kg.store import Store
from webapp import create_app


@pytest.fixture()
def client(settings: Settings, loaded_store: Store) -> FlaskClient:
    return create_app(settings, store=loaded_store).test_client()


def test_home_shows_counts_and_graphs(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    assert "<h1>" in page and page.count("<h1") == 1
    assert "graph/" in page


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz?wait=30")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["fresh"] is True and body["failed"] == {}
    assert body["last_refresh"] and body["pending"] is None


def test_unknown_path_is_404_text_for_machines(client: FlaskClient) -> None:
    response = client.get("/no/such/page", headers={"Accept": "text/plain"})
    assert response.status_code == 404
    assert response.content_type.startswith("text/plain")
    browser = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert browser.status_code == 404 and "<h1>404" in browser.get_data(as_text=True)
