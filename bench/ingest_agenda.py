"""Time to ingest an agenda: the seed of 30 November 2023, Markdown and Word, median of N runs.

Three phases are timed separately, because they scale differently: reading and
building the graph (``read_agenda``, with the store's known labels for product
and mention matching), fetching those labels from the store (one CONSTRUCT),
and replacing the agenda's named graph in an in-memory store.  The Word copy is
built once with the same converter the tests use.

    python -m bench.ingest_agenda --repeat 15
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from kg.config import load_settings
from kg.ingest.agenda import known_labels, read_agenda
from kg.loading import default_sources, graph_for, load_paths
from kg.store import open_store

ROOT = Path(__file__).resolve().parents[1]
AGENDA = ROOT / "data" / "agendas" / "it-arkitekturraadet-2023-11-30.md"


def _median_ms(action: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs per measurement (median reported)")
    args = parser.parse_args()
    settings = load_settings(environ={}, config_file=ROOT / "no-such-kg.toml", store="memory",
                             data_dir=ROOT / "data", ontologies_dir=ROOT / "ontologies")
    store = open_store(settings)
    load_paths(store, settings, [p for p in default_sources(settings)])
    known = known_labels(store)
    graph = graph_for(AGENDA, settings)
    result = read_agenda(AGENDA, settings, known=known)
    rows = [
        ("read_agenda .md, no known labels", _median_ms(lambda: read_agenda(AGENDA, settings), args.repeat)),
        ("read_agenda .md, with known labels",
         _median_ms(lambda: read_agenda(AGENDA, settings, known=known), args.repeat)),
        ("known labels CONSTRUCT from the store", _median_ms(lambda: known_labels(store), args.repeat)),
        ("replace_graph (in-memory store)",
         _median_ms(lambda: store.replace_graph(graph, result.graph), args.repeat)),
    ]
    with tempfile.TemporaryDirectory() as folder:
        from tests.test_agenda import markdown_to_docx

        word = Path(folder) / "agenda.docx"
        markdown_to_docx(AGENDA.read_text(encoding="utf-8"), word)
        rows.insert(2, ("read_agenda .docx, with known labels",
                        _median_ms(lambda: read_agenda(word, settings, known=known), args.repeat)))
    print(f"agenda {AGENDA.name}: {len(result.graph)} triples, {len(known)} known-label triples; "
          f"median of {args.repeat} runs")
    for name, ms in rows:
        print(f"  {name:<40} {ms:8.1f} ms")
    store.close()


if __name__ == "__main__":
    main()
