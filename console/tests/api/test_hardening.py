"""Bodies and paths the API cannot serve still answer a problem, never a 5xx page."""

from __future__ import annotations

import pytest

from apps.markets.models import Market

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"name": "x"', "\ufeff{]"])
def test_a_body_json_cannot_read_is_a_400_problem(body, manager, token_client):
    response = token_client(manager).post(
        "/api/v1/markets/", body.encode(), content_type="application/json"
    )
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["detail"].startswith("JSON parse error")
    assert not Market.objects.exists()
