"""The dashboard's per-day figures count each order on its local calendar day,
in ranges of the timestamp an index serves (OrderQuerySet.revenue_on_days)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.markets.models import MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders.models import Order, OrderStatus

from .factories import OrderFactory

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")  # UTC+9: a local day starts at 15:00 UTC the day before


def test_each_order_counts_on_its_local_day_in_the_current_time_zone() -> None:
    first, second = date(2026, 3, 10), date(2026, 3, 11)
    moments = {
        "first day, just after its midnight": datetime(2026, 3, 10, 0, 0, tzinfo=TOKYO),
        "first day, just before the next": datetime(2026, 3, 10, 23, 59, tzinfo=TOKYO),
        "second day": datetime(2026, 3, 11, 12, 0, tzinfo=TOKYO),
        "the day before (not asked)": datetime(2026, 3, 9, 23, 59, tzinfo=TOKYO),
        "the day after (not asked)": datetime(2026, 3, 12, 0, 0, tzinfo=TOKYO),
    }
    market = MarketFactory(status=MarketStatus.ACTIVE)
    for moment in moments.values():
        OrderFactory(
            market=market, status=OrderStatus.PAID, placed_at=moment, paid_at=moment,
            total=Decimal("10.00"), lines=0,
        )  # fmt: skip
    currency = market.currency
    with timezone.override(TOKYO):
        revenue = Order.objects.revenue_on_days([first, second])
        placed = Order.objects.placed_on_days_by_status([first, second])
    assert revenue == [(first, currency, Decimal("20.00")), (second, currency, Decimal("10.00"))]
    assert placed == [(first, "paid", 2), (second, "paid", 1)]
    assert Order.objects.revenue_on_days([]) == []


def test_the_figures_of_several_days_and_currencies_come_by_day_then_currency() -> None:
    days = [date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12)]
    euro = MarketFactory(status=MarketStatus.ACTIVE, currency="EUR")
    dollar = MarketFactory(status=MarketStatus.ACTIVE, currency="USD")
    noon = [datetime(day.year, day.month, day.day, 12, tzinfo=TOKYO) for day in days]
    for market, moment, total in ((euro, noon[0], "50.00"), (dollar, noon[0], "10.00"),
                                  (euro, noon[2], "5.00")):  # fmt: skip
        OrderFactory(
            market=market, status=OrderStatus.PAID, placed_at=moment, paid_at=moment,
            total=Decimal(total), lines=0,
        )  # fmt: skip
    for moment in (noon[0], noon[0], noon[0], noon[2]):
        OrderFactory(market=euro, status=OrderStatus.CANCELLED, placed_at=moment, lines=0)
    with timezone.override(TOKYO):
        revenue = Order.objects.revenue_on_days(days)
        placed = Order.objects.placed_on_days_by_status(days)
    assert revenue == [
        (days[0], "EUR", Decimal("50.00")),
        (days[0], "USD", Decimal("10.00")),
        (days[2], "EUR", Decimal("5.00")),
    ]
    assert placed == [
        (days[0], "cancelled", 3),
        (days[0], "paid", 2),
        (days[2], "cancelled", 1),
        (days[2], "paid", 1),
    ]
