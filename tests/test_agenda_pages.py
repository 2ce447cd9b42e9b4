"""Meeting, item, case and decision pages: order kept, several cases shown, the decision beside the
recommendation.

The store holds ``data/`` (with the seed agenda), a constructed agenda and its minutes from
``tests/corpus/meetings`` (in an ``agendas`` and a ``referater`` folder, so the write path's kinds
pick them up) and the derived links.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kg.config import Settings
from kg.loading import default_sources
from kg.store import Store, open_store
from kg.write import Writer
from tests.conftest import ROOT
from webapp import create_app

CORPUS = ROOT / "tests" / "corpus" / "meetings"
HTML = {"Accept": "text/html"}
ITEM = "/id/agenda-item/it-arkitekturraadet/2024-02-08/{}"


@pytest.fixture(scope="module")
def store(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder: Path = tmp_path_factory.mktemp("documents")
    (folder / "agendas").mkdir()
    (folder / "referater").mkdir()
    shutil.copy(CORPUS / "a01-dagsorden-2024-02-08.md", folder / "agendas")
    shutil.copy(CORPUS / "m01-referat-2024-02-08.md", folder / "referater")
    store = open_store(settings)
    outcomes = Writer(store, settings).load([*default_sources(settings), folder])
    assert not [o.message for o in outcomes if o.status == "failed"]
    yield store
    store.close()


@pytest.fixture(scope="module")
def client(settings: Settings, store: Store) -> FlaskClient:
    return create_app(settings, store=store).test_client()


def text_of(html: str) -> str:
    """The page's text without tags and without its source marks (each a closed ``<details>``)."""
    html = re.sub(r'<details class="src[^"]*">.*?</details>', " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path, headers=HTML)
    assert response.status_code == 200, path
    return text_of(response.get_data(as_text=True))


def test_an_item_with_two_cases_shows_both_on_every_page(client: FlaskClient) -> None:
    item = page(client, ITEM.format("2.1"))
    assert "Sag SAG-2023-04410" in item and "Sag SAG-2024-00101" in item
    meeting = page(client, "/id/meeting/it-arkitekturraadet/2024-02-08")
    assert "Sag SAG-2023-04410" in meeting and "Sag SAG-2024-00101" in meeting
    second_case = page(client, "/id/case/SAG-2023-04410")
    assert "Fælleskommunal tilgang til generativ AI" in second_case and "Sag SAG-2024-00101" in second_case


def test_the_decision_stands_beside_the_recommendations(client: FlaskClient) -> None:
    item = page(client, ITEM.format("3.1"))
    for recommendation in ("godkender version 3 af arkitekturprinciperne",
                           "giver sekretariatet mandat til at foretage redaktionelle rettelser inden "
                           "offentliggørelse"):
        assert f"{recommendation} Beslutning: godkendt med bemærkninger" in item
    first = item.index("Princippet om kunstig intelligens skal henvise")
    second = item.index("Sekretariatet skal udarbejde en kort vejledning")
    assert first < second
    meeting = page(client, "/id/meeting/it-arkitekturraadet/2024-02-08")
    assert "udsat" in meeting and "taget til efterretning" in meeting


def test_a_decision_page_keeps_the_paragraphs_in_order(client: FlaskClient) -> None:
    board = page(client, "/id/decision/arkitekturboard/2023-10-31/2")
    places = [board.index(text) for text in ("Boardet gjorde opmærksom på",
                                             "Boardet påpegede, at det kun er", "Boardet nævnte også")]
    assert places == sorted(places)
    statement = [board.index(text)
                 for text in ("Flere i af deltagerne", "Boardet påpegede, at det er en fordel")]
    assert statement == sorted(statement)
    minutes = page(client, "/id/decision/it-arkitekturraadet/2024-02-08/item/2.1")
    assert "Rådet drøftede udkastet og gav input" in minutes and "drøftet" in minutes
    assert "Fælleskommunal tilgang til generativ AI" in minutes   # the item it is on
