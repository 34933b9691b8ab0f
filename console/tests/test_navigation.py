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


def test_the_links_mark_the_section_in_view_and_carry_their_shortcuts() -> None:
    from console.context_processors import navigation_links

    html = navigation_links("/orders/ORD-1/", "/static/sprite.svg", {"Orders": 3, "Markets": 0})
    orders = re.search(r'<a class="nav-link active" href="/orders/"[^>]*>.*?</a>', html)
    assert orders is not None
    assert 'data-hotkey="g o" data-hotkey-label="Go to Orders"' in orders.group(0)
    assert '<use href="/static/sprite.svg#receipt">' in orders.group(0)
    assert "aria-current" not in orders.group(0)  # a page inside the section, not the list
    assert 'data-nav-count="orders" title="Awaiting payment or to ship">' in orders.group(0)
    assert '<span class="visually-hidden"> awaiting payment or to ship)</span>' in orders.group(0)
    assert 'data-nav-count="markets"' not in html  # no work, no badge
    assert html.count(" active") == 1
    listed = navigation_links("/markets/", "/s.svg", {"Markets": 1})
    assert '<a class="nav-link active" aria-current="page" href="/markets/"' in listed
    assert 'title="Suspended">' in listed
    home = navigation_links("/", "/s.svg", {})
    assert '<a class="nav-link active" aria-current="page" href="/"' in home
    assert home.count(" active") == 1  # "/" is in every path: only itself marks it
    hostile = navigation_links('/"><script>', '/s.svg"><x', {})
    assert "<script>" not in hostile and '"><x' not in hostile
