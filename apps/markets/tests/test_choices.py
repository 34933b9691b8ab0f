"""``/markets/choices.json``: one cached response for every staff member, never stale."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.tests.factories import UserFactory
from apps.core.cache import cache_version
from apps.markets import services

from .factories import MarketFactory

pytestmark = pytest.mark.django_db

URL = "/markets/choices.json"


def _choices(client: Client, q: str) -> tuple[list[dict[str, str]], int]:
    """The results for ``q`` (following the redirect to the current version) and
    how many queries read markets to answer."""
    first = client.get(URL, {"q": q})
    assert first.status_code == 302
    with CaptureQueriesContext(connection) as captured:
        response = client.get(first["Location"])
    assert response.status_code == 200
    reads = [query for query in captured if 'FROM "markets_market"' in query["sql"]]
    return json.loads(response.content)["results"], len(reads)


def test_the_url_carries_the_markets_version_and_any_other_is_redirected(
    client: Client, viewer
) -> None:
    client.force_login(viewer)
    version = cache_version("markets")
    assert client.get(URL, {"q": "a"})["Location"] == f"{URL}?q=a&v={version}"
    assert client.get(URL, {"q": "a", "v": "old"})["Location"] == f"{URL}?q=a&v={version}"


def test_the_answer_is_cached_and_fresh_right_after_a_market_event(
    client: Client, manager, django_capture_on_commit_callbacks
) -> None:
    market = MarketFactory(name="Alpha")
    MarketFactory(name="Beta")
    client.force_login(manager)

    results, reads = _choices(client, "alp")
    assert results == [{"value": market.slug, "label": "Alpha", "id": market.pk}]
    assert reads == 1
    assert _choices(client, "alp") == (results, 0)  # served from the cache

    with django_capture_on_commit_callbacks(execute=True):
        services.update_market(
            actor=manager, market_id=market.pk, version=market.version, name="Alpine"
        )

    results, reads = _choices(client, "alp")
    assert results == [{"value": market.slug, "label": "Alpine", "id": market.pk}]
    assert reads == 1


def test_a_second_user_gets_the_shared_answer_and_nothing_of_the_first_user(
    client: Client, manager, viewer
) -> None:
    MarketFactory(name="Alpha")
    client.force_login(manager)
    first = client.get(client.get(URL, {"q": ""})["Location"])

    other = Client()
    other.force_login(viewer)
    second = other.get(other.get(URL, {"q": ""})["Location"])

    assert second.content == first.content  # the one cached copy
    body = second.content.decode()
    assert manager.username not in body and "csrf" not in body.lower()
    assert "private" in second["Cache-Control"] and "no-store" in second["Cache-Control"]
    # The permission check runs before the cache: a cached answer is no way in.
    current = {"q": "", "v": cache_version("markets")}
    no_role = Client()
    no_role.force_login(UserFactory(role=None, is_staff=True))
    refused = no_role.get(URL, current)
    assert refused.status_code == 403
    assert b"Alpha" not in refused.content
