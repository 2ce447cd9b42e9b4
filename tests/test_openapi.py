"""schemathesis against kg, in process: no server errors, answers as ``/openapi.json`` describes them.

The schema is read from the running app's own ``/openapi.json``; every operation is
called with generated parameters and bodies (writes with the token, on a store of
their own), and each answer is checked: not a 5xx (a 503 from the time limit is the
only server-side answer the description allows, and it must say so), a status code,
media type, headers and (for JSON) a body the description declares.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from kg.config import Settings
from kg.loading import default_sources
from kg.store import Store, open_store
from kg.write import Writer
from webapp import create_app

TOKEN = "openapi-test-token"
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_headers_conformance, checks.response_schema_conformance]


@pytest.fixture(scope="module")
def writable_store(settings: Settings) -> Iterator[Store]:
    """The data/ content in a store of its own: the generated writes may change it."""
    store = open_store(settings)
    Writer(store, settings).load(default_sources(settings))
    yield store
    store.close()


@pytest.fixture(scope="module")
def api(settings: Settings, writable_store: Store) -> object:
    app = create_app(settings.replace(write_token=TOKEN, query_timeout=2.0, max_upload_bytes=64 * 1024),
                     writable_store)
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api")


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.data_too_large])
def test_api_conforms_to_its_description(case: schemathesis.Case) -> None:
    # identity: schemathesis's in-process WSGI transport asks for gzip (requests' default header) but,
    # unlike a client over HTTP, does not decode it (compression has its own tests: test_compression.py)
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept-Encoding": "identity"}
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS, headers=headers)
    assert b"Traceback" not in response.content


def test_the_description_is_served_and_names_every_route(settings: Settings, loaded_store: Store) -> None:
    app = create_app(settings, loaded_store)
    client = app.test_client()
    description = json.loads(client.get("/openapi.json").get_data())
    assert description["openapi"].startswith("3.")
    documented = set()
    for path in description["paths"]:
        documented.add(re.sub(r"\{(\w+)\}", r"<\1>", path.replace("{rest}.{ext}", "<slug>.<ext>")))
    routes = {r.rule.replace("<path:", "<").replace("<any(ttl, rdf, jsonld, nt):", "<")
              for r in app.url_map.iter_rules() if not r.rule.startswith(("/static", "/sparql/assets"))}
    routes.discard("/sparql/")  # the W3C tests' spelling of /sparql
    assert routes - documented == set(), "routes missing from webapp/openapi.json"
    assert documented - routes == set(), "webapp/openapi.json describes routes kg does not have"
