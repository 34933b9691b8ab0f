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


# --- Problem+json everywhere under /api/ ------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nothing/", "/api/nope", "/api/v1/orders/x/y/z/"])
def test_an_unknown_api_path_is_a_404_problem(path, client, superuser):
    for signed_in in (False, True):
        if signed_in:
            client.force_login(superuser)
        response = client.get(path)
        assert response.status_code == 404 and response["Content-Type"] == PROBLEM
        assert response.json()["type"] == "urn:console:problem:not-found"


def test_an_unknown_page_is_still_the_html_404(client, superuser):
    client.force_login(superuser)
    response = client.get("/nothing-here/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_a_bug_under_api_is_a_500_problem_and_elsewhere_the_page(rf):
    from console.views import server_error

    for path, content_type in (("/api/v1/orders/", PROBLEM), ("/orders/", "text/html")):
        try:
            raise ValueError("a bug")
        except ValueError:
            response = server_error(rf.get(path))
        assert response.status_code == 500
        assert response["Content-Type"].startswith(content_type)
    assert b"Something went wrong" in response.content


def test_the_database_down_under_api_is_a_503_problem(agent, token_client):
    from console.tests.test_failure_modes import database_down_now

    client = token_client(agent)
    client.raise_request_exception = False
    with database_down_now():
        response = client.get("/api/v1/orders/")
    assert response.status_code == 503 and response["Content-Type"] == PROBLEM
    assert response["Retry-After"] == "30"
    assert "database is unavailable" in response.json()["detail"]


def test_a_nul_is_the_same_problem_shape_as_every_other_refusal(client, superuser):
    from apps.core.web.rest import problem_body
    from console.middleware import NUL_MESSAGE

    client.force_login(superuser)
    response = client.get("/api/v1/orders/?q=%00")
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json() == problem_body(400, NUL_MESSAGE, kind="InvalidRequest")
