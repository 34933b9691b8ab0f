"""What each benchmark grows and which pages it then measures.

Rows are made with bulk_create (fast, and the benchmark measures pages,
not seeding); each grow() tops the table up to the requested count.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from apps.accounts.roles import sync_roles
from apps.accounts.services import upsert_staff_user
from apps.activity.models import Event
from apps.markets.models import Market, MarketStatus
from apps.orders.models import Order, OrderLine, OrderStatus

ROW_COUNTS = (10, 100, 1000)


def staff_client() -> Client:
    sync_roles()
    user = upsert_staff_user(
        username="bench", password="bench-password", role=None, is_superuser=True
    )
    client = Client()
    client.force_login(user)
    return client


def _market() -> Market:
    market, _ = Market.objects.get_or_create(
        slug="bench-market",
        defaults={
            "name": "Bench Market",
            "description": "d",
            "currency": "EUR",
            "status": MarketStatus.ACTIVE,
            "published_at": timezone.now(),
        },
    )
    return market


def grow_markets(count: int) -> None:
    have = Market.objects.count()
    Market.objects.bulk_create(
        Market(name=f"Market {n:05d}", slug=f"market-{n:05d}", description="d", currency="EUR")
        for n in range(have, count)
    )
    market = _market()
    have_events = Event.objects.count()
    Event.objects.bulk_create(
        Event(
            context="markets", name="market_updated", aggregate_type="market",
            aggregate_id=str(market.pk), aggregate_label=market.name, occurred_at=timezone.now(),
        )
        for _ in range(have_events, count)
    )  # fmt: skip


def grow_orders(count: int) -> None:
    market = _market()
    have = Order.objects.count()
    statuses = [OrderStatus.PENDING, OrderStatus.CANCELLED]
    orders = Order.objects.bulk_create(
        Order(
            number=f"ORD-B{n:06d}", market=market, customer_name=f"Customer {n}",
            customer_email=f"c{n}@example.com", payment_token="tok_visa",
            status=statuses[n % 2], currency="EUR", total=Decimal("10.00"),
        )
        for n in range(have, count)
    )  # fmt: skip
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order, product_name="Thing", sku="SKU", unit_price=Decimal("5.00"), quantity=2
        )
        for order in orders
    )


def _first_market() -> str:
    return f"/markets/{_market().slug}/"


def _first_order() -> str:
    return f"/orders/{Order.objects.order_by('pk').first().number}/"  # type: ignore[union-attr]


SCENARIOS: list[tuple[str, Callable[[int], None], Callable[[], dict[str, str]]]] = [
    ("markets", grow_markets, lambda: {
        "list": "/markets/", "filtered": "/markets/?status=draft&q=market",
        "detail": _first_market(), "activity": "/activity/",
    }),
    ("orders", grow_orders, lambda: {
        "list": "/orders/", "filtered": "/orders/?status=pending&sort=-total",
        "detail": _first_order(), "dashboard": "/", "carts": "/carts/",
    }),
]  # fmt: skip
