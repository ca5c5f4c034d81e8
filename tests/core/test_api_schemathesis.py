"""The whole API against its own OpenAPI document: schemathesis generates requests for every
operation (valid and invalid) with Ana's token and sends them to the Django app through its WSGI
transport, in the test's database transaction. Any 5xx, any answer that does not match its
documented schema or media type fails the test.

Bounded for ``make test`` on a small machine: a few examples per operation, derandomized (the same
requests on every run), no example database, no deadline (a slow shared machine is not a bug).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from vinculo.api import api

EXAMPLES_PER_OPERATION = 3
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def same_connection() -> Iterator[None]:
    """Keep the test's database connection open across requests, as Django's test client does:
    the WSGI handler would otherwise close it (and the test's transaction) after each one."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(ana, carla, same_connection):
    """The served OpenAPI document (what ``/api/v1/openapi.json`` answers), bound to the app."""
    raw = json.loads(json.dumps(api.get_openapi_schema()))
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = WSGIHandler()
    return schema


SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _failure_of(operation, headers: dict[str, str]) -> str | None:
    """Run ``operation``'s generated cases; the first failure's report, or None."""

    @SETTINGS
    @given(case=operation.as_strategy())
    def run(case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Exception as exc:
        return f"{operation.label}: {type(exc).__name__}: {str(exc)[:2000]}"
    return None


def test_every_operation_answers_as_documented(api_schema, ana):
    # One loop over the operations in one test (one database, one token) rather than
    # schemathesis's pytest plugin, which does not run under this pytest.
    headers = {"Authorization": f"Bearer {ana.token}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 150
    failures = [f for f in (_failure_of(op, headers) for op in operations) if f]
    assert not failures, "\n\n".join(failures)
