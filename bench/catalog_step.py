"""The catalogue step of the derivation pipeline alone, in full, on an existing store: its cost and its size.

    python -m bench.catalog_step --store bench/out/h10k/kg-store

Opens the store read-only and writes every catalogue page and item document into a fresh publication
in a temporary folder (what ``kg load`` does after a change that touches
everything), then prints the seconds and the publication's size.  For a ratio between two versions of
kg, run it under an external timer with each version's code first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from kg import catalog
from kg.config import DEFAULT_BASE_IRI
from kg.publication import Publication
from kg.store.embedded import EmbeddedStore


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True, help="an embedded store loaded by kg")
    args = parser.parse_args(argv)
    store = EmbeddedStore(DEFAULT_BASE_IRI, args.store, readonly=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "published.sqlite"
        publication = Publication(path)
        started = time.perf_counter()
        built = catalog.publish_catalogue(store, publication, None)
        seconds = time.perf_counter() - started
        publication.close()
        size = sum(p.stat().st_size for p in Path(folder).iterdir())
    store.close()
    print(f"catalogue step: {seconds:.2f} s, {built} ; publication {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
