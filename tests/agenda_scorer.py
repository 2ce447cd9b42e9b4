"""Scores the meeting-document ingest on a corpus: facts correct / wrong / missing / invented.

Each document ``NAME.md``/``NAME.docx`` has ``NAME.expected.toml``, the facts a careful reader takes
from it, written by hand.  The document goes through the ingest's own face
(:func:`kg.ingest.agenda.prepare`, which tells agendas from minutes) into an empty store's
context; its graph is then flattened into the same facts and the two sets are compared key by key:

* **correct**: the key is in both with the same value;
* **wrong**: the key is in both with different values;
* **missing**: the key is expected but the graph has no value for it;
* **invented**: the graph has a key the document does not support;
* a document the ingest refuses scores all its expected facts as missing and counts as **refused**.

Keys and values (text compared with runs of white space collapsed).  Long texts (parts, own
texts, decisions, remarks, statements) are compared by their opening: the expected file gives how
the text begins (its first :data:`PREFIX` characters are used), and the fact is correct when the
graph's text begins so; titles, names, recommendations and attachments must match whole.

==================== ======================================= =========================================
category             key                                     value
==================== ======================================= =========================================
document             kind                                    ``agenda`` / ``minutes``
meeting              date, start, place                      ``2024-02-08``, ``2024-02-08T09:30:00``
section              (number, title / text)                  title; the section's own text (opening)
item                 (number, title / section / type / text) title, section number, item-type slug
case                 (number, case number)                   ``yes``
officer              (number, name)                          ``yes``
part                 (number, baggrund / indstilling / …)    the part's text (opening); ``missing``
recommendation       (number, k)                             the proposed resolution's text, in order
recommendation-kind  (number, k)                             recommendation-kind slug (``andet``)
attachment           (number, k, title / date)               title; date as ``2024-01-20``/``2024-01``
decision             (number, text / outcome / remark j)     the council's decision (minutes)
board                (date, ordinal) / (date, k, …)          a reported body's meeting and decisions
==================== ======================================= =========================================

Run ``python -m tests.agenda_scorer [FOLDER]`` for the table; ``tests/test_agenda_corpus.py`` runs it
in CI.
"""

from __future__ import annotations

import re
import sys
import time
import tomllib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF

from kg.config import Settings, load_settings
from kg.namespaces import BESLUIT, KG, SCHEMA

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus" / "meetings"
#: Long texts are compared on their first characters (after white space is collapsed).
PREFIX = 40
SUFFIXES = (".md", ".docx")
CATEGORIES = ("document", "meeting", "section", "item", "case", "officer", "part", "recommendation",
              "recommendation-kind", "attachment", "decision", "board")

Key = tuple[str, ...]
Facts = dict[Key, str]


#: The mark a part's text gives a sub-heading (``### ``, see ``kg.ingest.agenda_rdf.render``): structure,
#: not words, so a text is compared without it.
_SUBHEADING = re.compile(r"^#{1,6} ", re.MULTILINE)


def norm(text: object) -> str:
    return " ".join(_SUBHEADING.sub("", str(text)).split())


def opening(text: object) -> str:
    return norm(text)[:PREFIX]


def is_opening(key: Key) -> bool:
    """Facts compared by the opening of a text: the expected value is how the text begins."""
    return key[0] == "part" or key[-1] == "text" or key[-1].startswith(("remark ", "statement "))


# -- expected facts -------------------------------------------------------------------------------

def expected_facts(spec: dict[str, Any]) -> Facts:
    """The facts an ``.expected.toml`` states, keyed as the graph's facts are."""
    facts: Facts = {("document", "kind"): spec.get("kind", "agenda")}
    meeting = spec.get("meeting", {})
    for key in ("date", "start", "place"):
        if key in meeting:
            facts[("meeting", key)] = norm(meeting[key])
    for section in spec.get("section", []):
        n = section["number"]
        facts[("section", n, "title")] = norm(section["title"])
        if "text" in section:
            facts[("section", n, "text")] = opening(section["text"])
    for item in spec.get("item", []):
        n = item["number"]
        facts[("item", n, "title")] = norm(item["title"])
        for key in ("section", "type"):
            if key in item:
                facts[("item", n, key)] = item[key]
        if "text" in item:
            facts[("item", n, "text")] = opening(item["text"])
        for case in item.get("cases", []):
            facts[("case", n, case)] = "yes"
        for name in item.get("officers", []):
            facts[("officer", n, norm(name))] = "yes"
        for part in ("baggrund", "indstilling", "sagsfremstilling"):
            if part in item:
                facts[("part", n, part)] = opening(item[part])
        for part in item.get("missing", []):
            facts[("part", n, part)] = "missing"
        for k, (text, kind) in enumerate(item.get("recommendations", []), start=1):
            facts[("recommendation", n, str(k))] = norm(text)
            facts[("recommendation-kind", n, str(k))] = kind
        for k, (title, when) in enumerate(item.get("attachments", []), start=1):
            facts[("attachment", n, str(k), "title")] = norm(title)
            facts[("attachment", n, str(k), "date")] = when
        if "decision" in item:
            facts[("decision", n, "text")] = opening(item["decision"])
        if "outcome" in item:
            facts[("decision", n, "outcome")] = item["outcome"]
        for j, remark in enumerate(item.get("decision_remarks", []), start=1):
            facts[("decision", n, f"remark {j}")] = opening(remark)
    for board in spec.get("board", []):
        day = board["date"]
        if "ordinal" in board:
            facts[("board", day, "ordinal")] = str(board["ordinal"])
        for k, decision in enumerate(board.get("decision", []), start=1):
            facts[("board", day, str(k), "title")] = norm(decision["title"])
            if "outcome" in decision:
                facts[("board", day, str(k), "outcome")] = decision["outcome"]
            for j, text in enumerate(decision.get("statements", []), start=1):
                facts[("board", day, str(k), f"statement {j}")] = opening(text)
            for j, text in enumerate(decision.get("remarks", []), start=1):
                facts[("board", day, str(k), f"remark {j}")] = opening(text)
    return facts


# -- facts in a graph -----------------------------------------------------------------------------

def _one(graph: Graph, s: Any, p: URIRef) -> Any:
    return next(iter(sorted(graph.objects(s, p), key=str)), None)


def _slug(node: Any) -> str:
    return str(node).rstrip("/").rsplit("/", 1)[-1]


def _ordered(graph: Graph, subject: Any, predicate: URIRef) -> list[Any]:
    """Objects in the order of their ``schema:position``."""
    found = list(graph.objects(subject, predicate))
    return sorted(found, key=lambda x: (int(_one(graph, x, SCHEMA.position) or 10**6), str(x)))


def _text(graph: Graph, node: Any) -> str:
    return str(node) if isinstance(node, Literal) else str(_one(graph, node, RDF.value) or "")


def _put(facts: Facts, key: Key, value: Any, shown: Callable[[Any], str] = norm) -> None:
    """Record what the graph states under ``key``; where it states nothing there is no fact, so the
    comparison counts an expected one missing rather than wrong."""
    if value is not None:
        facts[key] = shown(value)


def graph_facts(graph: Graph, graph_path: str) -> Facts:
    """Flatten an ingested meeting document's graph into the scorer's facts."""
    facts: Facts = {("document", "kind"): "minutes" if graph_path.startswith("minutes/") else "agenda"}
    meeting_key = graph_path.split("/", 1)[1] if "/" in graph_path else ""
    meeting = next((m for m in graph.subjects(RDF.type, BESLUIT.Zitting)
                    if str(m).endswith("/id/meeting/" + meeting_key)), None)
    if meeting is not None:
        start = _one(graph, meeting, BESLUIT.geplandeStart)
        if start is not None:
            facts[("meeting", "date")] = str(start)[:10]
            facts[("meeting", "start")] = str(start)
        _put(facts, ("meeting", "place"), _one(graph, meeting, BESLUIT.opLocatie))
        for section in graph.objects(meeting, KG.hasSection):
            n = str(_one(graph, section, KG.number))
            _put(facts, ("section", n, "title"), _one(graph, section, DCTERMS.title))
            _put(facts, ("section", n, "text"), _one(graph, section, DCTERMS.description))
    items = {i: str(_one(graph, i, KG.number)) for i in graph.objects(meeting, BESLUIT.behandelt)} \
        if meeting is not None else {}
    for i, n in items.items():
        _item_facts(graph, i, n, facts)
    for decision in graph.subjects(KG.decisionOn, None):
        n = items.get(_one(graph, decision, KG.decisionOn))
        if n is None:
            continue
        _put(facts, ("decision", n, "text"), _one(graph, decision, RDF.value))
        _put(facts, ("decision", n, "outcome"), _one(graph, decision, KG.outcome), _slug)
        for j, remark in enumerate(_ordered(graph, decision, KG.remark), start=1):
            facts[("decision", n, f"remark {j}")] = norm(_text(graph, remark))
    for decision in graph.subjects(KG.proposalTitle, None):
        board_meeting = _one(graph, decision, KG.decidedAt)
        day = str(_one(graph, board_meeting, BESLUIT.geplandeStart))[:10]
        k = str(_one(graph, decision, SCHEMA.position))
        _put(facts, ("board", day, "ordinal"), _one(graph, board_meeting, KG.ordinal), str)
        facts[("board", day, k, "title")] = norm(_one(graph, decision, KG.proposalTitle))
        _put(facts, ("board", day, k, "outcome"), _one(graph, decision, KG.outcome), _slug)
        for kind, predicate in (("statement", KG.statement), ("remark", KG.remark)):
            for j, node in enumerate(_ordered(graph, decision, predicate), start=1):
                facts[("board", day, k, f"{kind} {j}")] = norm(_text(graph, node))
    return facts


def _item_facts(graph: Graph, i: Any, n: str, facts: Facts) -> None:
    facts[("item", n, "title")] = norm(_one(graph, i, DCTERMS.title))
    section = _one(graph, i, KG.inSection)
    if section is not None:
        facts[("item", n, "section")] = str(_one(graph, section, KG.number))
    _put(facts, ("item", n, "type"), _one(graph, i, KG.itemType), _slug)
    _put(facts, ("item", n, "text"), _one(graph, i, DCTERMS.description))
    for case in graph.objects(i, KG.case):
        facts[("case", n, str(_one(graph, case, DCTERMS.identifier)))] = "yes"
    for person in graph.objects(i, KG.responsibleOfficer):
        facts[("officer", n, norm(_one(graph, person, FOAF.name)))] = "yes"
    for part, predicate in (("baggrund", KG.background), ("indstilling", KG.recommendationText),
                            ("sagsfremstilling", KG.caseDescription)):
        _put(facts, ("part", n, part), _one(graph, i, predicate))
    for part in graph.objects(i, KG.missingContent):
        facts[("part", n, _slug(part))] = "missing"
    for k, r in enumerate(_ordered(graph, i, KG.hasRecommendation), start=1):
        facts[("recommendation", n, str(k))] = norm(_one(graph, r, RDF.value))
        _put(facts, ("recommendation-kind", n, str(k)), _one(graph, r, KG.recommendationKind), _slug)
    for k, a in enumerate(_ordered(graph, i, KG.hasAttachment), start=1):
        facts[("attachment", n, str(k), "title")] = norm(_one(graph, a, DCTERMS.title))
        when = _one(graph, a, DCTERMS.date)
        facts[("attachment", n, str(k), "date")] = "" if when is None else str(when)


# -- comparing ----------------------------------------------------------------------------------

@dataclass
class Tally:
    correct: int = 0
    wrong: int = 0
    missing: int = 0
    invented: int = 0

    @property
    def expected(self) -> int:
        return self.correct + self.wrong + self.missing

    def add(self, other: Tally) -> None:
        self.correct += other.correct
        self.wrong += other.wrong
        self.missing += other.missing
        self.invented += other.invented


@dataclass
class DocumentScore:
    name: str
    refused: str = ""
    seconds: float = 0.0
    warnings: int = 0
    by_category: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    #: "wrong|missing|invented  key: expected -> got", for reading what failed.
    details: list[str] = field(default_factory=list)

    @property
    def total(self) -> Tally:
        total = Tally()
        for tally in self.by_category.values():
            total.add(tally)
        return total


def compare(name: str, expected: Facts, actual: Facts) -> DocumentScore:
    score = DocumentScore(name)
    for key, value in expected.items():
        tally = score.by_category[key[0]]
        if key not in actual:
            tally.missing += 1
            score.details.append(f"missing   {key}: {value!r}")
        elif actual[key] == value or (is_opening(key) and value and value != "missing"
                                      and actual[key].startswith(value)):
            tally.correct += 1
        else:
            tally.wrong += 1
            score.details.append(f"wrong     {key}: {value!r} -> {actual[key][:80]!r}")
    for key, value in actual.items():
        if key not in expected:
            score.by_category[key[0]].invented += 1
            score.details.append(f"invented  {key}: {value[:80]!r}")
    return score


def score_document(path: Path, settings: Settings) -> DocumentScore:
    """Ingest one document (as the write path would, into an empty store's context) and score it."""
    from kg.ingest.agenda import prepare
    from kg.store import open_store

    spec = tomllib.loads(path.with_suffix(".expected.toml").read_text(encoding="utf-8"))
    expected = expected_facts(spec)
    store = open_store(settings)
    started = time.perf_counter()
    try:
        prepared = prepare(path, settings, store, body=spec.get("body", "it-arkitekturraadet"))
    except ValueError as exc:
        score = compare(path.name, expected, {})
        score.refused = str(exc)
        return score
    finally:
        store.close()
    seconds = time.perf_counter() - started
    if prepared.errors:
        score = compare(path.name, expected, {})
        score.refused = "; ".join(prepared.errors)
        return score
    score = compare(path.name, expected, graph_facts(prepared.graph, prepared.graph_path or ""))
    score.seconds, score.warnings = seconds, len(prepared.warnings)
    return score


def documents(folder: Path = CORPUS) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES
                  and p.with_suffix(".expected.toml").is_file())


def score_corpus(folder: Path = CORPUS, settings: Settings | None = None) -> list[DocumentScore]:
    settings = settings or load_settings(environ={}, config_file=ROOT / "no-such-kg.toml", store="memory",
                                         data_dir=ROOT / "data", ontologies_dir=ROOT / "ontologies",
                                         shapes_dir=ROOT / "shapes")
    return [score_document(path, settings) for path in documents(folder)]


def _percent(tally: Tally) -> str:
    return f"{100 * tally.correct / tally.expected:5.1f}%" if tally.expected else "    –"


def report(scores: list[DocumentScore]) -> str:
    """The per-document and per-category table."""
    lines = [f"{'document':45} {'correct':>8} {'wrong':>6} {'missing':>8} {'invented':>9} {'%':>7} "
             f"{'warn':>5} {'s':>5}"]
    overall = Tally()
    categories: dict[str, Tally] = defaultdict(Tally)
    for s in scores:
        t = s.total
        overall.add(t)
        for name, tally in s.by_category.items():
            categories[name].add(tally)
        flag = f"  REFUSED: {s.refused}" if s.refused else ""
        lines.append(f"{s.name:45} {t.correct:8} {t.wrong:6} {t.missing:8} {t.invented:9} {_percent(t):>7} "
                     f"{s.warnings:5} {s.seconds:5.2f}{flag}")
    lines.append("")
    lines.append(f"{'category':45} {'correct':>8} {'wrong':>6} {'missing':>8} {'invented':>9} {'%':>7}")
    for name in CATEGORIES:
        if name in categories:
            t = categories[name]
            lines.append(f"{name:45} {t.correct:8} {t.wrong:6} {t.missing:8} {t.invented:9} {_percent(t):>7}")
    refused = sum(1 for s in scores if s.refused)
    lines.append(f"{'all ' + str(len(scores)) + ' documents':45} {overall.correct:8} {overall.wrong:6} "
                 f"{overall.missing:8} {overall.invented:9} {_percent(overall):>7}   refused: {refused}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else CORPUS
    scores = score_corpus(folder)
    print(report(scores))
    for s in scores:
        for line in s.details:
            print(f"{s.name}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
