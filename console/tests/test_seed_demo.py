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


@pytest.mark.django_db(transaction=True)  # real commits: emails go out on commit, as in dev
def test_seeding_keeps_the_demo_emails_off_the_screen_and_ends_with_the_sign_in(
    capsys, settings, role_groups
) -> None:
    from django.core import mail

    # As in dev: emails are printed. Seeding must not print the demo's own.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    call_command("seed_demo", url="http://127.0.0.1:9000/")
    out = capsys.readouterr().out
    assert "Subject:" not in out
    assert len(mail.outbox) > 0  # they were sent, in memory
    assert out.strip().splitlines()[-6:] == [
        "Console is ready. Sign in at http://127.0.0.1:9000/ as:",
        "  manager  / console-demo   (Market managers)",
        "  agent    / console-demo   (Order agents)",
        "  finance  / console-demo   (Finance)",
        "  viewer   / console-demo   (Viewers)",
        "  admin    / console-demo   (superuser)",
    ]
    assert len(out.strip().splitlines()) <= 10
