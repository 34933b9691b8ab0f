"""A Redis outage makes pages recompute, never fail."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from apps.core.cache import bump_cache_version, cache_version
from apps.markets.tests.factories import MarketFactory

DEAD_REDIS = {
    "default": {
        "BACKEND": "console.cache.ResilientRedisCache",
        # Nothing listens on port 1; connections are refused at once.
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def dead_cache():
    # Django swaps the cache handlers when CACHES is overridden.
    with override_settings(CACHES=DEAD_REDIS):
        yield caches["default"]


def test_resilient_cache_degrades_to_misses(dead_cache) -> None:
    assert dead_cache.get("anything") is None
    dead_cache.set("anything", 1)
    assert dead_cache.add("anything", 1) is True
    assert dead_cache.delete("anything") is False
    assert cache_version("markets") != ""
    bump_cache_version("markets")


def test_pages_render_without_redis(client: Client, manager, dead_cache) -> None:
    market = MarketFactory(name="Still Here")
    client.force_login(manager)
    listing = client.get("/markets/")
    assert listing.status_code == 200
    assert b"Still Here" in listing.content
    assert b'data-status-count="draft"' in listing.content
    assert client.get(f"/markets/{market.slug}/").status_code == 200
    assert client.get("/").status_code == 200
