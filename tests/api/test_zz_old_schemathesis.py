"""Property-based run of every operation against the live schema (schemathesis): no 5xx, and every
response (status, content type, headers, body) conforms to the schema. Bounded and deterministic:
MAX_EXAMPLES per operation, derandomized generation, a fixed seed.

(schemathesis' own pytest loader does not run under pytest 9, so each operation is a parametrized
pytest test that builds its Hypothesis test from the live schema.)
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, seed, settings
from schemathesis import GenerationMode

from tests.api.operations import schema_operations

MAX_EXAMPLES = 15
SEED = 20260501

# Business-rule answers (documented per operation) are legitimate for schema-valid input: 400 for
# cross-field rules, 412/428 for generated If-Match headers, 422 for refused values.
POSITIVE_STATUSES = ["2xx", "400", "401", "403", "404", "409", "412", "422", "428", "429"]


def config_with_key(token: str) -> schemathesis.Config:
    # Auth through the schema's security scheme: negative cases then never "forget" the key.
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "auth": {"openapi": {"ApiKey": {"bearer": token}}},
        "checks": {"positive_data_acceptance": {"expected-statuses": POSITIVE_STATUSES}},
    })


@pytest.fixture
def wsgi_app():  # type: ignore[no-untyped-def]
    """Django's WSGI application, minus closing the database connection after each request (as the
    test client does), so requests see the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def live_schema(partner_a, issue_key, settings, wsgi_app):  # type: ignore[no-untyped-def]
    """The schema as /api/v1/schema/ serves it, called in-process (WSGI) with an all-scopes key of partner A."""
    settings.API_RATE_LIMIT = ""
    _key, token = issue_key(partner_a.admin)
    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app, config=config_with_key(token))


def existing_path_parameters(operation, objects) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Aim at partner A's own objects (so detail operations also answer 2xx, not only 404)."""
    from tests.api.operations import path_for

    if not operation.has_path_object:
        return {}
    filled = path_for(operation, objects).split("/")
    template = operation.path.split("/")
    return {t[1:-1]: f for t, f in zip(template, filled, strict=True) if t.startswith("{")}


VARIANTS = {
    "positive": (GenerationMode.POSITIVE, False),
    "positive-own-objects": (GenerationMode.POSITIVE, True),
    "negative": (GenerationMode.NEGATIVE, False),
}


CASES = [
    pytest.param(operation, variant, id=f"{operation}-{variant}")
    for operation in schema_operations()
    for variant, (_mode, own_objects) in VARIANTS.items()
    if operation.has_path_object or not own_objects
]


@pytest.mark.django_db
@pytest.mark.parametrize(("operation", "variant"), CASES)
def test_operation_conforms_to_the_schema(operation, variant, live_schema, api_objects):  # type: ignore[no-untyped-def]
    mode, own_objects = VARIANTS[variant]
    schema = live_schema
    statuses: list[int] = []
    api_operation = schema[operation.path][operation.method.upper()]
    path_parameters = existing_path_parameters(operation, api_objects) if own_objects else None

    @seed(SEED)
    @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=api_operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case):  # type: ignore[no-untyped-def]
        statuses.append(case.call_and_validate().status_code)

    run()
    assert statuses
    if mode == GenerationMode.POSITIVE:
        assert 401 not in statuses, "the key was not sent"
