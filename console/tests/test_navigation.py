"""The side navigation's work-queue badges: counted once per event, not per page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.core.cache import bump_cache_version
from apps.markets.models import MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders.models import OrderStatus
from apps.orders.tests.factories import OrderFactory
from console.context_processors import work_counts

pytestmark = pytest.mark.django_db


def _badge(content: str, name: str) -> int | None:
    match = re.search(rf'data-nav-count="{name}"[^>]*>.*?(\d+)', content, re.S)
    return int(match.group(1)) if match else None


def test_badges_count_the_queues_and_refresh_after_an_event(client: Client, viewer) -> None:
    OrderFactory(status=OrderStatus.PENDING)
    OrderFactory(status=OrderStatus.PAID)
    OrderFactory(status=OrderStatus.DELIVERED)
    MarketFactory(status=MarketStatus.SUSPENDED)
    client.force_login(viewer)
    content = client.get("/activity/").content.decode()
    assert _badge(content, "orders") == 2  # awaiting payment + to ship
    assert _badge(content, "markets") == 1
    assert _badge(content, "products") is None

    OrderFactory(status=OrderStatus.PENDING)
    assert _badge(client.get("/activity/").content.decode(), "orders") == 2  # cached
    bump_cache_version("activity")  # what every committed event does
    assert _badge(client.get("/activity/").content.decode(), "orders") == 3


def test_cached_counts_cost_no_query() -> None:
    work_counts()
    with CaptureQueriesContext(connection) as captured:
        work_counts()
    assert len(captured) == 0
