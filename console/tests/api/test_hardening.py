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


def _operation(client, superuser, path: str) -> dict:
    client.force_login(superuser)
    schema = client.get("/api/v1/schema/?format=json").json()
    return schema["paths"][path]["post"]


def test_the_schema_documents_a_transitions_body_and_headers(client, superuser):
    ship = _operation(client, superuser, "/api/v1/orders/{number}/ship/")
    assert ship["operationId"] == "order_ship"
    body = ship["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = client.get("/api/v1/schema/?format=json").json()
    component = schema["components"]["schemas"][body.rsplit("/", 1)[-1]]
    assert "tracking_number" in component["properties"]
    headers = {p["name"] for p in ship["parameters"] if p["in"] == "header"}
    assert headers == {"If-Match"}
    charge = _operation(client, superuser, "/api/v1/orders/{number}/charge/")
    assert {p["name"] for p in charge["parameters"] if p["in"] == "header"} == {
        "If-Match",
        "Idempotency-Key",
    }
