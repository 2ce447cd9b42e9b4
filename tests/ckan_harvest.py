"""Harvest a DCAT catalogue with CKAN's own RDF parser (ckanext-dcat), as CKAN's DCAT harvester does.

Run with the Python of ``.venv-ckan`` (``scripts/test`` makes it): ``python tests/ckan_harvest.py URL``.
It GETs each page without an Accept header, parses it with ``ckanext.dcat.processors.RDFParser``
(the DCAT-AP 3 profile), turns every dataset into a CKAN dataset dict and follows
``RDFParser.next_page()`` to the end.  Prints one JSON object: pages, and each dataset's URI and title.
Exits non-zero on the first failure, as a harvest job that imports nothing.
"""

from __future__ import annotations

import json
import sys

import requests
from ckanext.dcat.processors import RDFParser


def main(url: str) -> None:
    pages, datasets, seen = 0, [], set()
    while url:
        if url in seen:
            raise SystemExit(f"page loop at {url}")
        seen.add(url)
        answer = requests.get(url, timeout=120)
        answer.raise_for_status()
        parser = RDFParser(profiles=["euro_dcat_ap_3"])
        parser.parse(answer.content, _format=answer.headers["Content-Type"].split(";")[0])
        for dataset in parser.datasets():
            extras = {e["key"]: e["value"] for e in dataset.get("extras", [])}
            datasets.append({"uri": dataset.get("uri") or extras.get("uri"), "title": dataset.get("title"),
                             "identifier": dataset.get("identifier") or extras.get("identifier"),
                             "resources": len(dataset.get("resources", []))})
        pages += 1
        url = parser.next_page()
    print(json.dumps({"pages": pages, "datasets": datasets}))


if __name__ == "__main__":
    main(sys.argv[1])
