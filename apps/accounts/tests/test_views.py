"""The API tokens page: create (shown once), list, revoke — one's own only."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import ApiToken
from apps.accounts.services import create_api_token

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _shown_token(response) -> str:
    found = re.search(rb'value="([^"]+)" data-token-value', response.content)
    assert found is not None
    return found.group(1).decode()


def test_create_shows_the_token_once_and_keeps_only_its_hash(client, agent):
    client.force_login(agent)
    response = client.post("/api-tokens/new/", {"name": "nightly sync", "days": "30"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = _shown_token(response)
    token = ApiToken.objects.get(user=agent)
    assert token.name == "nightly sync" and raw.startswith(token.token_key)
    assert raw not in token.digest
    again = client.get("/api-tokens/")
    assert raw.encode() not in again.content and b"nightly sync" in again.content


def test_the_token_created_on_the_page_works_for_the_api(client, agent):
    client.force_login(agent)
    response = client.post("/api-tokens/new/", {"name": "script", "days": "7"}, headers=HTMX)
    raw = _shown_token(response)
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert api.get("/api/v1/orders/").status_code == 200


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": "", "days": "30"}, "name"), ({"name": "x", "days": "10000"}, "days"),
     ({"name": "x", "days": "soon"}, "days"), ({"name": "n" * 81, "days": "7"}, "name")],
)  # fmt: skip
def test_bad_input_is_422_with_the_reason_and_creates_nothing(client, agent, data, field):
    client.force_login(agent)
    response = client.post("/api-tokens/new/", data, headers=HTMX)
    assert response.status_code == 422
    assert f'id="token-{field}-feedback">'.encode() in response.content
    assert not ApiToken.objects.exists()


def test_revoke_own_token_only(client, agent, viewer):
    mine, _ = create_api_token(actor=agent, name="mine", days=7)
    theirs, _ = create_api_token(actor=viewer, name="theirs", days=7)
    client.force_login(agent)
    response = client.post(f"/api-tokens/{theirs.token_key}/revoke/", headers=HTMX)
    assert response.status_code == 200 and ApiToken.objects.filter(pk=theirs.pk).exists()
    client.post(f"/api-tokens/{mine.token_key}/revoke/")
    assert not ApiToken.objects.filter(pk=mine.pk).exists()


def test_the_page_lists_only_ones_own_tokens_in_flat_queries(client, agent, viewer):
    create_api_token(actor=viewer, name="not mine", days=7)
    client.force_login(agent)
    client.get("/api-tokens/")  # the session's first request also stamps last_active
    counts = []
    for count in (1, 10):
        for n in range(count):
            create_api_token(actor=agent, name=f"token {count}-{n}", days=7)
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api-tokens/")
        counts.append(len(captured))
    assert b"not mine" not in response.content and b"token 10-9" in response.content
    assert counts[0] == counts[1]


def test_the_user_menu_links_the_tokens_page_and_the_docs(client, viewer):
    client.force_login(viewer)
    page = client.get("/")
    assert b'href="/api-tokens/"' in page.content and b'href="/api/v1/docs/"' in page.content


def test_outsiders_and_anonymous_cannot_use_the_page(client, customer):
    assert client.get("/api-tokens/").status_code == 302
    client.force_login(customer)
    assert client.post("/api-tokens/new/", {"name": "x", "days": "7"}).status_code == 403
    assert not ApiToken.objects.exists()
