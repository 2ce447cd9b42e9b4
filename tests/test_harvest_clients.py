"""Real harvesters against a real ``kg serve``: Comunica (Hydra), a CKAN-style DCAT harvester, rdflib.

The server holds ``data/`` and a generated catalogue of a few hundred datasets, so the catalogue
has several pages.  Each client pages to the end by the links it understands and must see every
dataset exactly once; a write between two pages must not make a harvester miss or repeat one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF, Namespace

from tests.harvester import harvest, http_fetch
from tests.kg_server import TOKEN, KgServer, kg_serve

ROOT = Path(__file__).resolve().parents[1]
COMUNICA = ROOT / "node_modules" / ".bin" / "comunica-sparql"
#: The Python of the environment with CKAN and ckanext-dcat
#: (scripts/test makes it; KG_CKAN_PYTHON names another).
CKAN_PYTHON = Path(os.environ.get("KG_CKAN_PYTHON", ROOT / ".venv-ckan" / "bin" / "python"))
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
BASE = "https://kg.rammearkitektur.dk"
GENERATED = 230
COUNT = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KgServer]:
    from bench.generate import write

    folder = tmp_path_factory.mktemp("harvest")
    data = folder / "data"
    shutil.copytree(ROOT / "data", data)
    with (data / "generated-catalogue.nt").open("w", encoding="utf-8") as out:
        write(GENERATED, out, BASE)
    with kg_serve(folder, KG_DATA_DIR=str(data)) as server:
        yield server


def _datasets_in_store(server: KgServer) -> set[str]:
    answer = requests.get(server.url + "/sparql", params={
        "query": "SELECT DISTINCT ?d WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> FILTER(isIRI(?d)) }"},
        headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert answer.status_code == 200, answer.text
    return {b["d"]["value"] for b in answer.json()["results"]["bindings"]}


def _comunica(*args: str) -> str:
    if not COMUNICA.exists():
        pytest.fail(f"{COMUNICA} is missing: run `npm ci` (package.json lists @comunica/query-sparql)")
    done = subprocess.run([str(COMUNICA), *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.parametrize("path", ["/catalog", "/catalog?per_page=40", "/catalog.jsonld?page=1&per_page=70",
                                  "/catalog.rdf"])
def test_comunica_follows_the_pages_to_the_end(served: KgServer, path: str) -> None:
    """Comunica reads ``hydra:next`` only from the node the requested URL names (the page's own
    address, reached through the 303 for ``/catalog``), so it sees every dataset only if that holds."""
    expected = len(_datasets_in_store(served))
    assert expected >= GENERATED
    rows = json.loads(_comunica(served.url + path, COUNT))
    assert int(rows[0]["n"].split('"')[1]) == expected


def test_comunica_reads_the_collection_and_its_view(served: KgServer) -> None:
    query = ("SELECT ?view ?total WHERE { ?c a <http://www.w3.org/ns/hydra/core#Collection> ; "
             "<http://www.w3.org/ns/hydra/core#view> ?view ; "
             "<http://www.w3.org/ns/hydra/core#totalItems> ?total }")
    rows = json.loads(_comunica(served.url + "/catalog.ttl?page=1", query))
    assert rows and all(r["view"].startswith(served.url + "/catalog.ttl?page=") for r in rows)


def test_ckan_style_harvester_pages_to_the_end(served: KgServer) -> None:
    """No Accept header (Turtle), HEAD then GET, all or nothing, each dataset exactly once."""
    result = harvest(http_fetch(), served.url + "/catalog")
    assert set(result.datasets) == _datasets_in_store(served)
    assert result.pages == -(-(len(result.datasets) + len(result.services)) // 100)
    small = harvest(http_fetch(), served.url + "/catalog?per_page=25")
    assert small.datasets == result.datasets


@pytest.mark.parametrize("path", ["/catalog", "/catalog.rdf?page=1&per_page=60"])
def test_ckans_own_dcat_parser_pages_to_the_end(served: KgServer, path: str) -> None:
    """CKAN's RDF parser (ckanext-dcat, DCAT-AP 3 profile) reads every page, turns every dataset into a
    CKAN dataset with its URI, identifier and distributions, and finds the next page by itself."""
    if not CKAN_PYTHON.exists():
        pytest.fail(f"{CKAN_PYTHON} is missing: scripts/test installs CKAN and ckanext-dcat there "
                    "(tests/ckan-requirements.txt), or set KG_CKAN_PYTHON")
    done = subprocess.run([str(CKAN_PYTHON), str(ROOT / "tests" / "ckan_harvest.py"), served.url + path],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    uris = [d["uri"] for d in result["datasets"]]
    assert len(uris) == len(set(uris)), "a dataset came twice"
    assert set(uris) == _datasets_in_store(served)
    assert all(d["title"] and d["identifier"] for d in result["datasets"])
    generated = [d for d in result["datasets"] if d["uri"].startswith(f"{BASE}/id/dataset/bench-")]
    assert len(generated) == GENERATED and all(d["resources"] == 2 for d in generated)
    assert result["pages"] > 1


def test_rdflib_harvester_with_content_negotiation(served: KgServer) -> None:
    """rdflib's own URL loading (it asks for RDF by Accept and follows the redirect)."""
    url: str | None = served.url + "/catalog"
    seen: list[URIRef] = []
    while url:
        graph = Graph()
        graph.parse(url)
        seen += list(graph.subjects(RDF.type, DCAT.Dataset))
        views = list(graph.subjects(RDF.type, HYDRA.PartialCollectionView))
        assert len(views) == 1
        url = next((str(o) for o in graph.objects(views[0], HYDRA.next)), None)
    assert len(seen) == len(set(seen))
    assert {str(s) for s in seen} == _datasets_in_store(served)


def _stored_etag(response: requests.Response) -> str:
    """The ETag a page must carry: the hash of its bytes, naming the content coding it came in, if any."""
    coding = response.headers.get("Content-Encoding")
    return '"' + hashlib.sha256(response.content).hexdigest()[:40] + (f":{coding}" if coding else "") + '"'


def test_stored_pages_over_http(served: KgServer) -> None:
    url = served.url + "/catalog.nt?page=2"
    identity = {"Accept-Encoding": "identity"}
    page = requests.get(url, headers=identity, timeout=30)
    assert page.status_code == 200 and page.headers["ETag"] == _stored_etag(page)
    assert "Content-Encoding" not in page.headers
    assert requests.get(url, headers={**identity, "If-None-Match": page.headers["ETag"]},
                        timeout=30).status_code == 304
    head = requests.head(url, headers=identity, timeout=30)
    assert head.status_code == 200 and head.headers["ETag"] == page.headers["ETag"]
    assert int(head.headers["Content-Length"]) == len(page.content)
    part = requests.get(url, headers={**identity, "Range": "bytes=0-99"}, timeout=30)
    assert part.status_code == 206 and part.content == page.content[:100]
    # what requests asks for by default (gzip, deflate and, with brotli installed, br): the same page,
    # encoded, under an ETag that names the encoding, and a 304 for it
    packed = requests.get(url, timeout=30)
    coding = packed.headers["Content-Encoding"]
    assert packed.content == page.content and coding in ("gzip", "br", "zstd")
    assert packed.headers["ETag"] == page.headers["ETag"][:-1] + f':{coding}"' == _stored_etag(packed)
    assert requests.get(url, headers={"If-None-Match": packed.headers["ETag"]}, timeout=30).status_code == 304
    redirected = requests.get(served.url + "/catalog.nt?per_page=100&page=2",
                              allow_redirects=False, timeout=30)
    assert redirected.status_code == 303 and redirected.headers["Location"].endswith("/catalog.nt?page=2")


def _insert(server: KgServer, n: int) -> None:
    iri = f"{BASE}/id/dataset/written-{n}"
    update = (f"INSERT DATA {{ GRAPH <{BASE}/graph/harvest-writes> {{ <{iri}> a <{DCAT}Dataset> ; "
              f"<http://purl.org/dc/terms/title> \"Skrevet {n}\"@da ; "
              f"<http://purl.org/dc/terms/identifier> \"written-{n}\" . "
              f"<{BASE}/id/catalog/rammearkitektur> <{DCAT}dataset> <{iri}> }} }}")
    answer = requests.post(server.url + "/sparql/update", data={"update": update}, timeout=120,
                           headers={"Authorization": f"Bearer {TOKEN}", "Prefer": "wait=60"})
    assert answer.status_code == 200, answer.text


def test_a_write_between_two_pages_neither_hides_nor_repeats_a_dataset(served: KgServer) -> None:
    """Items keep their places: a harvest that started before a write sees every dataset of before
    exactly once, whatever the write added (new items go at the end)."""
    before = _datasets_in_store(served)
    fetch = http_fetch()
    first = fetch("GET", served.url + "/catalog.nt?page=1")
    assert first.status == 200
    graph = Graph().parse(data=first.body, format="nt")
    seen = [str(s) for s in graph.subjects(RDF.type, DCAT.Dataset)]
    _insert(served, 1)
    url = next(str(o) for o in graph.objects(None, HYDRA.next))
    rest = harvest(fetch, url)
    assert not set(seen) & set(rest.datasets), "a dataset appeared on two pages"
    assert before <= set(seen) | set(rest.datasets), "a dataset of before the write was missed"


def test_pages_stay_whole_while_the_store_changes(served: KgServer) -> None:
    """Readers in other processes see a page of before or after a write, never a mixture: every
    answer parses, its ETag is its bytes' hash, and its total is the old or the new count."""
    url = served.url + "/catalog.nt?page=1"
    stop = threading.Event()
    problems: list[str] = []
    totals: set[int] = set()

    def read() -> None:
        with requests.Session() as session:
            while not stop.is_set():
                answer = session.get(url, timeout=30)
                if answer.status_code != 200 or answer.headers["ETag"] != _stored_etag(answer):
                    problems.append(f"{answer.status_code} {answer.headers.get('ETag')}")
                    continue
                graph = Graph().parse(data=answer.content, format="nt")
                totals.update(int(t) for t in graph.objects(None, HYDRA.totalItems))

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        start = len(_datasets_in_store(served))
        for n in range(2, 5):
            _insert(served, n)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert problems == []
    assert totals and max(totals) - min(totals) <= 3
    assert len(_datasets_in_store(served)) == start + 3
