"""``seed_demo`` makes every state the demo needs, through the services, and is idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.activity.models import Event
from apps.catalog.models import Product
from apps.markets.models import Market, MarketStatus
from apps.orders.models import Cart, Order, OrderStatus, Payment


@pytest.mark.django_db
def test_seed_demo_covers_every_state_and_runs_twice(capsys) -> None:
    call_command("seed_demo")
    first = capsys.readouterr().out
    assert "manager  / console-demo" in first

    assert set(Market.objects.values_list("status", flat=True)) == set(MarketStatus.values)
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    assert Product.objects.filter(active=False).exists()
    assert Product.objects.filter(stock=0).exists()
    assert Cart.objects.open().exists()
    assert set(Payment.objects.values_list("status", flat=True)) >= {
        "succeeded",
        "declined",
        "timeout",
    }
    # Made through services: every order has its history.
    assert Event.objects.filter(name="order_placed").count() == Order.objects.count()
    # An order whose market was suspended after it was placed: charge disabled.
    assert Order.objects.filter(
        status=OrderStatus.PENDING, market__status=MarketStatus.SUSPENDED
    ).exists()

    counts = (
        Market.objects.count(),
        Product.objects.count(),
        Order.objects.count(),
        Event.objects.count(),
    )
    call_command("seed_demo")
    assert "Markets: 0 created." in capsys.readouterr().out
    assert (
        Market.objects.count(),
        Product.objects.count(),
        Order.objects.count(),
        Event.objects.count(),
    ) == counts
