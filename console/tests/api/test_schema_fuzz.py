"""schemathesis against the live schema: every operation, a bounded number of
generated requests each, sent through the real WSGI app with a real token.
No 5xx, and every answer (status, content type, body) is what the schema says."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.services import create_api_token
from apps.catalog.tests.factories import ProductFactory
from apps.markets.tests.factories import MarketFactory
from apps.orders.tests.factories import CartFactory, CartItemFactory, OrderFactory

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, keeping the test's database connection open between
    requests (as Django's test client does) so it sees the test's rows."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_conforms_and_never_fails_with_a_5xx(superuser, wsgi_app):
    market = MarketFactory(status="active", slug="sample")
    OrderFactory(market=market, number="ORD-1")
    CartItemFactory(cart=CartFactory(market=market), product=ProductFactory(market=market))
    _, raw = create_api_token(actor=superuser, name="fuzz", days=7)
    headers = {"Authorization": f"Token {raw}"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json", wsgi_app, headers=headers
    )
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 20
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()


def test_a_nul_anywhere_in_an_api_request_is_a_problem_not_a_page(client, superuser) -> None:
    client.force_login(superuser)
    for response in (
        client.get("/api/v1/orders/?cursor=%00x"),
        client.post("/api/v1/markets/", '{"name": "A\\u0000B"}', content_type="application/json"),
    ):
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert "NUL" in response.json()["detail"]
