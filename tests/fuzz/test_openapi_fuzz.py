"""Schemathesis over every operation of the app's OpenAPI, against a real server: no 5xx,
and every answer conforms to the schema (status, content type, headers, body).

Two passes. With the admin key every handler runs: the documented examples, the coverage
phase (each parameter's boundaries and wrong types, positive and negative) and random
fuzzing. With a key scoped to memories.alice, fuzzing only: 403 and 404 are expected
answers there, 5xx and undocumented answers are not. Nothing is deselected: the streaming
export, /metrics' text, /readyz and the long-polling join are fuzzed like the rest (join
gets run ids the server never made, so it answers 404 at once instead of waiting).

About 3,300 requests (fixed seed), some 35 s; a failure prints the curl that reproduces it.
"""

import httpx
import hypothesis
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.config import Settings
from app.main import create_app
from tests.fuzz.conftest import ADMIN_KEY, bearer

SEED = 20261206  # fixed: the same cases every run, so a failure reproduces
# The schema the app builds; test_the_served_schema_is_the_fuzzed_one checks the server's.
OPENAPI = create_app(Settings(_env_file=None)).openapi()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
# /v1/import takes JSON Lines, which travel as text.
schemathesis.serializer.alias("application/x-ndjson", "text/plain")


def load(phases: dict) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict({"seed": SEED, "phases": phases})
    return schemathesis.openapi.from_dict(OPENAPI, config=config)


admin_schema = load({"coverage": {"unexpected-methods": []}})
scoped_schema = load({"examples": {"enabled": False}, "coverage": {"enabled": False}})


def settings(max_examples: int) -> hypothesis.settings:
    return hypothesis.settings(max_examples=max_examples, database=None, deadline=None,
                               suppress_health_check=list(hypothesis.HealthCheck))


def test_the_served_schema_is_the_fuzzed_one(fuzz_server):
    # the server builds its schema on this first request: seconds of CPU on a loaded machine
    served = httpx.get(f"{fuzz_server.url}/openapi.json", timeout=60)
    assert served.json() == OPENAPI


@admin_schema.parametrize()
@settings(max_examples=15)
def test_admin_key(case, fuzz_server):
    case.call_and_validate(base_url=fuzz_server.url, headers=bearer(ADMIN_KEY), checks=CHECKS)


@scoped_schema.parametrize()
@settings(max_examples=8)
def test_scoped_key(case, fuzz_server, scoped_key):
    case.call_and_validate(base_url=fuzz_server.url, headers=bearer(scoped_key), checks=CHECKS)
