"""Property-based tests of the JSON API from its own OpenAPI schema (schemathesis), against the served corpus.

Schemathesis reads /openapi.json from the live server and generates requests for each operation: valid
ones (positive) and ones that break the schema (negative). Whatever is sent, the server must never answer
with a 5xx. POST /api/ingest is left out: it needs multipart files and the API key, and is tested on its own.

The schema only exists once the server runs, so operations are loaded inside the test and each one is run
as a Hypothesis test of its own (a pytest subtest). Schemathesis' lazy ``from_fixture(...).parametrize()``
is not used: with pytest 9 it fails on ``Function._nodeid``, which pytest no longer has.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

pytestmark = [pytest.mark.integration, pytest.mark.model]

EXAMPLES = {GenerationMode.POSITIVE: 60, GenerationMode.NEGATIVE: 30}  # per operation


@pytest.fixture(scope="module")
def api_schema(api_server):
    return schemathesis.openapi.from_url(api_server + "/openapi.json").exclude(method="POST", path="/api/ingest")


def check_operation(operation, mode: GenerationMode) -> None:
    """Send generated requests for one operation; fail on the first 5xx (shrunk to a minimal example)."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def no_server_error(case):
        case.call_and_validate(checks=[not_a_server_error], timeout=60)

    try:
        no_server_error()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        pytest.skip("no request can break this operation's schema (nothing to make invalid)")


def test_the_schema_covers_the_api(api_schema):
    labels = {result.ok().label for result in api_schema.get_all_operations()}
    assert {"GET /api/search", "GET /api/ask", "GET /api/practices/{key}", "GET /id/{key}"} <= labels
    assert "POST /api/ingest" not in labels


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_no_generated_request_gets_a_server_error(api_schema, subtests, mode):
    for result in api_schema.get_all_operations():
        operation = result.ok()
        with subtests.test(msg=operation.label):
            check_operation(operation, mode)
