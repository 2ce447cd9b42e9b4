"""The meeting-document ingest on a corpus of constructed agendas and minutes, scored fact by fact.

``tests/agenda_scorer.py`` reads every document of ``tests/corpus/meetings`` through the ingest and
compares its facts with the hand-written ``.expected.toml``.  The bar: at least 98 % of the expected
facts correct, no fact invented, no document refused.  The table is printed on failure.
"""

from __future__ import annotations

import statistics
import time

from kg.config import Settings
from kg.ingest.agenda import prepare
from kg.store import open_store
from tests.agenda_scorer import CORPUS, Tally, compare, documents, expected_facts, report, score_corpus
from tests.conftest import ROOT

BAR = 0.98


def test_the_corpus_is_varied() -> None:
    names = [p.name for p in documents(CORPUS)]
    assert len(names) >= 20
    assert sum(n.endswith(".docx") for n in names) >= 8 and sum(n.endswith(".md") for n in names) >= 8
    assert sum("referat" in n for n in names) >= 6


def test_the_corpus_scores_above_the_bar(settings: Settings) -> None:
    scores = score_corpus(CORPUS, settings)
    table = report(scores) + "\n" + "\n".join(f"{s.name}: {d}" for s in scores for d in s.details)
    total = Tally()
    for s in scores:
        total.add(s.total)
    refused = [s.name for s in scores if s.refused]
    assert not refused, table
    assert total.invented == 0, table
    assert total.expected > 1000
    assert total.correct / total.expected >= BAR, table


def test_the_scorer_counts_what_is_wrong_missing_and_invented() -> None:
    """The scorer is not blind: a changed, a dropped and an added fact are each counted."""
    spec = {"kind": "agenda", "meeting": {"date": "2024-02-08", "place": "KL"},
            "item": [{"number": "1.1", "title": "Et punkt", "officers": ["Anna Berg"],
                      "baggrund": "Sekretariatet orienterer kort om arbejdet siden sidste møde"}]}
    expected = expected_facts(spec)
    actual = dict(expected)
    actual[("meeting", "place")] = "KOMBIT"                        # wrong
    del actual[("officer", "1.1", "Anna Berg")]                    # missing
    actual[("officer", "1.1", "Jens Holm")] = "yes"                # invented
    actual[("part", "1.1", "baggrund")] = \
        "Sekretariatet orienterer kort om arbejdet siden sidste møde, herunder"
    score = compare("x", expected, actual).total
    assert (score.correct, score.wrong, score.missing, score.invented) == (len(expected) - 2, 1, 1, 1)
    actual[("part", "1.1", "baggrund")] = "Sekretariatet orienterede"   # an opening that differs is wrong
    assert compare("x", expected, actual).total.wrong == 2


def test_a_typical_agenda_is_ingested_in_under_a_second(settings: Settings) -> None:
    """The seed agenda (nine items, a board report) and a Word agenda, through the write path's face."""
    store = open_store(settings)
    try:
        for path in (ROOT / "data" / "agendas" / "it-arkitekturraadet-2023-11-30.md",
                     CORPUS / "w01-dagsorden-2024-03-14-word.docx"):
            times = []
            for _ in range(3):
                started = time.perf_counter()
                prepare(path, settings, store)
                times.append(time.perf_counter() - started)
            assert statistics.median(times) < 1.0, (path.name, times)
    finally:
        store.close()
