"""The dashboard's charts: revenue per day per currency (30 days) and orders
per day by status (14 days), one grouped query each, as tables the page
draws, cached with the rest of the dashboard until the next event."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from apps.core.cache import bump_cache_version
from apps.markets.tests.factories import MarketFactory
from apps.orders.models import OrderStatus
from apps.orders.tests.factories import OrderFactory
from console import dashboard

pytestmark = pytest.mark.django_db


def test_revenue_per_day_per_currency_in_one_query(django_assert_num_queries) -> None:
    now = timezone.now()
    eur, usd = MarketFactory(currency="EUR"), MarketFactory(currency="USD")
    OrderFactory(
        market=eur, currency="EUR", status=OrderStatus.PAID, total=Decimal("10.00"), paid_at=now
    )
    OrderFactory(
        market=eur, currency="EUR", status=OrderStatus.SHIPPED, total=Decimal("5.50"), paid_at=now
    )
    OrderFactory(market=usd, currency="USD", status=OrderStatus.DELIVERED, total=Decimal("7.00"),
                 paid_at=now - timedelta(days=2))  # fmt: skip
    # Not revenue: refunded, and paid before the window.
    OrderFactory(
        market=eur, currency="EUR", status=OrderStatus.REFUNDED, total=Decimal("99"), paid_at=now
    )
    OrderFactory(market=eur, currency="EUR", status=OrderStatus.PAID, total=Decimal("99"),
                 paid_at=now - timedelta(days=40))  # fmt: skip
    with django_assert_num_queries(1):
        chart = dashboard.revenue_chart(now)
    assert [key for key, _, _ in chart.series] == ["EUR", "USD"]
    assert len(chart.rows) == 30
    today = timezone.localdate(now)
    by_day = dict(chart.rows)
    assert by_day[today] == [Decimal("15.50"), Decimal("0.00")]
    assert by_day[today - timedelta(days=2)] == [Decimal("0.00"), Decimal("7.00")]
    assert chart.rows[-1][0] == today and chart.rows[0][0] == today - timedelta(days=29)


def test_orders_per_day_by_status_in_one_query(django_assert_num_queries) -> None:
    now = timezone.now()
    OrderFactory(status=OrderStatus.PENDING, placed_at=now)
    OrderFactory(status=OrderStatus.PENDING, placed_at=now)
    OrderFactory(status=OrderStatus.CANCELLED, placed_at=now - timedelta(days=1))
    OrderFactory(status=OrderStatus.PENDING, placed_at=now - timedelta(days=20))  # outside
    with django_assert_num_queries(1):
        chart = dashboard.orders_chart(now)
    keys = [key for key, _, _ in chart.series]
    by_day = {day: dict(zip(keys, values, strict=True)) for day, values in chart.rows}
    today = timezone.localdate(now)
    assert len(chart.rows) == 14
    assert by_day[today]["pending"] == 2
    assert by_day[today - timedelta(days=1)]["cancelled"] == 1
    assert sum(sum(values) for _, values in chart.rows) == 3


def _pending_today(content: str) -> int:
    table = content[content.index('id="orders-chart"') :]
    today = timezone.localdate().isoformat()
    row = table[table.index(f">{today}</th>") :].split("</tr>", 1)[0]
    return int(re.findall(r'data-value="(\d+)"', row)[0])  # pending is the first series


def test_the_page_shows_each_chart_as_a_table_and_refreshes_after_an_event(
    client: Client, viewer
) -> None:
    OrderFactory(status=OrderStatus.PENDING)
    client.force_login(viewer)
    content = client.get("/").content.decode()
    assert 'data-chart="line"' in content and 'data-chart="stacked"' in content
    assert 'role="img" aria-label="Revenue per day, last 30 days' in content
    assert _pending_today(content) == 1
    OrderFactory(status=OrderStatus.PENDING)
    assert _pending_today(client.get("/").content.decode()) == 1  # cached
    bump_cache_version("activity")  # what every committed event does
    assert _pending_today(client.get("/").content.decode()) == 2
