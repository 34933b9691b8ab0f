"""The dashboard's figures (OrderFigure) follow every order through every
transition, equal a rebuild from the orders after each, and the command
that checks them finds a write that bypassed them."""

from __future__ import annotations

import inspect
import typing
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.catalog.tests.factories import ProductFactory
from apps.orders import figures, selectors, services
from apps.orders.models import Order, OrderFigure, OrderStatus

from .factories import CartFactory, CartItemFactory, OrderFactory

pytestmark = pytest.mark.django_db


def _placed(agent: Any, *, price: str = "12.50", token: str = "tok_visa") -> Order:
    cart = CartFactory(payment_token=token)
    product = ProductFactory(market=cart.market, price=Decimal(price), stock=5)
    CartItemFactory(cart=cart, product=product, quantity=2)
    return services.create_order_from_cart(actor=agent, cart_id=cart.pk)


def _assert_kept() -> None:
    assert figures.stored() == figures.computed()
    assert figures.drift() == []


def test_every_transition_keeps_the_figures_equal_to_a_rebuild(
    agent, finance, manager, superuser
) -> None:
    today = timezone.localdate()
    paid = _placed(agent)
    _assert_kept()
    assert selectors.work_queue_counts()[OrderStatus.PENDING] == 1
    services.charge_payment(actor=agent, order_id=paid.pk, idempotency_key="c1")
    _assert_kept()
    assert selectors.revenue_per_day_since(first_day=today) == [
        (today, paid.currency, Decimal("25.00"))
    ]
    assert selectors.work_queue_counts()[OrderStatus.PAID] == 1
    services.ship_order(actor=agent, order_id=paid.pk, tracking_number="TRK1")
    _assert_kept()
    services.mark_delivered(actor=agent, order_id=paid.pk)
    _assert_kept()
    services.refund_order(actor=finance, order_id=paid.pk, reason="Broken", idempotency_key="r1")
    _assert_kept()
    # Refunded: not kept (the day's row stays, at zero).
    assert selectors.revenue_per_day_since(first_day=today) == [
        (today, paid.currency, Decimal("0.00"))
    ]

    declined = _placed(agent, token="tok_decline")
    with pytest.raises(services.PaymentFailed):
        services.charge_payment(actor=agent, order_id=declined.pk, idempotency_key="c2")
    _assert_kept()
    services.cancel_order(actor=agent, order_id=declined.pk)
    _assert_kept()
    assert selectors.orders_per_day_by_status(days=[today], statuses=OrderStatus.values) == [
        (today, OrderStatus.CANCELLED, 1),
        (today, OrderStatus.REFUNDED, 1),
    ]
    assert selectors.work_queue_counts()[OrderStatus.PENDING] == 0

    unpaid = _placed(agent)
    _assert_kept()
    Order.objects.get(pk=unpaid.pk).delete()
    _assert_kept()
    assert selectors.work_queue_counts()[OrderStatus.PENDING] == 0


def test_a_paid_order_counts_on_the_day_it_was_paid_and_the_day_it_was_placed() -> None:
    now = timezone.now()
    order = OrderFactory(
        status=OrderStatus.PAID,
        placed_at=now - timedelta(days=3),
        paid_at=now - timedelta(days=2),
        total=Decimal("10.00"),
    )
    placed_day, paid_day = (timezone.localdate(now - timedelta(days=d)) for d in (3, 2))
    assert selectors.orders_per_day_by_status(
        days=[placed_day, paid_day], statuses=OrderStatus.values
    ) == [(placed_day, OrderStatus.PAID, 1)]
    assert selectors.revenue_per_day_since(first_day=placed_day) == [
        (paid_day, order.currency, Decimal("10.00"))
    ]
    # An edit of the amount moves the revenue (and a reload still knows the old one).
    reloaded = Order.objects.get(pk=order.pk)
    reloaded.total = Decimal("7.50")
    reloaded.save()
    assert selectors.revenue_per_day_since(first_day=paid_day) == [
        (paid_day, order.currency, Decimal("7.50"))
    ]
    # Saved from an instance loaded without those fields: read from the database.
    partial = Order.objects.only("pk", "customer_name").get(pk=order.pk)
    partial.customer_name = "Renamed"
    partial.save()
    _assert_kept()


def test_a_write_that_bypasses_save_shows_as_drift_and_a_rebuild_mends_it() -> None:
    order = OrderFactory(status=OrderStatus.PENDING)
    call_command("order_figures", "--check")
    Order.objects.filter(pk=order.pk).update(total=Decimal("99.99"))
    with pytest.raises(CommandError, match="1 figure"):
        call_command("order_figures", "--check")
    call_command("order_figures")
    call_command("order_figures", "--check")
    assert OrderFigure.objects.get(kind=figures.PLACED).revenue == Decimal("99.99")


def test_drift_lists_a_figure_kept_without_orders_one_missing_and_one_kept_too_high() -> None:
    today = timezone.localdate()
    order = OrderFactory(status=OrderStatus.PENDING, total=Decimal("10.00"))
    currency = order.currency
    # An order whose figure is missing.
    OrderFigure.objects.all().delete()
    missing = f"placed {today} pending {currency}: kept None, orders say (1, Decimal('10.00'))"
    assert figures.drift() == [missing]
    figures.rebuild()
    # A figure kept for orders that are not there.
    OrderFigure.objects.create(
        kind=figures.PAID, day=today, status=OrderStatus.PAID, currency=currency, orders=2
    )
    assert figures.drift() == [
        f"paid {today} paid {currency}: kept (2, Decimal('0.00')), orders say None"
    ]
    figures.rebuild()
    # A figure kept higher than the orders say.
    Order.objects.filter(pk=order.pk).update(total=Decimal("4.00"))
    assert figures.drift() == [
        f"placed {today} pending {currency}: kept (1, Decimal('10.00')), "
        f"orders say (1, Decimal('4.00'))"
    ]


def test_a_partially_loaded_order_moves_its_figures_when_saved_and_when_deleted() -> None:
    order = OrderFactory(status=OrderStatus.PENDING, total=Decimal("10.00"))
    partial = Order.objects.only("pk", "total").get(pk=order.pk)
    partial.total = Decimal("6.00")
    partial.save()
    _assert_kept()
    assert OrderFigure.objects.get().revenue == Decimal("6.00")
    Order.objects.only("pk").get(pk=order.pk).delete()
    _assert_kept()
    assert figures.stored() == {}


def test_a_deleted_order_takes_back_what_it_was_saved_with_not_an_unsaved_edit() -> None:
    order = OrderFactory(status=OrderStatus.PENDING, total=Decimal("10.00"))
    loaded = Order.objects.get(pk=order.pk)
    loaded.total = Decimal("3.00")  # never saved
    loaded.delete()
    _assert_kept()
    assert figures.stored() == {}
    # A queryset delete of orders loaded without the fields does the same.
    OrderFactory.create_batch(2, status=OrderStatus.PENDING)
    Order.objects.only("pk").delete()
    assert figures.stored() == {}


def test_a_save_inside_a_transaction_moves_the_figures_without_a_savepoint() -> None:
    order = OrderFactory(status=OrderStatus.PENDING, total=Decimal("10.00"))
    loaded = Order.objects.get(pk=order.pk)
    loaded.total = Decimal("8.00")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        loaded.save()  # as a service's transition does
    assert [q["sql"] for q in queries.captured_queries if "SAVEPOINT" in q["sql"].upper()] == []
    assert len(queries.captured_queries) == 2  # the UPDATE and the figures' upsert
    _assert_kept()


def test_a_save_of_some_fields_counts_what_the_row_holds_not_unsaved_edits() -> None:
    order = OrderFactory(status=OrderStatus.PENDING, total=Decimal("10.00"))
    loaded = Order.objects.get(pk=order.pk)
    loaded.total = Decimal("3.00")  # never saved: not in update_fields
    loaded.paid_at = timezone.now()
    loaded.save(update_fields=["paid_at"])
    _assert_kept()


def test_a_refreshed_order_takes_back_what_the_row_held_when_refreshed() -> None:
    order = OrderFactory(status=OrderStatus.PENDING, total=Decimal("10.00"))
    loaded, elsewhere = Order.objects.get(pk=order.pk), Order.objects.get(pk=order.pk)
    elsewhere.total = Decimal("7.00")
    elsewhere.save()
    loaded.refresh_from_db()
    loaded.paid_at = timezone.now()
    loaded.save(update_fields=["paid_at"])
    _assert_kept()
    elsewhere = Order.objects.get(pk=order.pk)
    elsewhere.paid_at = timezone.now() - timedelta(days=2)
    elsewhere.save()
    loaded.total = Decimal("1.00")  # an edit of another field, not saved
    loaded.refresh_from_db(fields=["paid_at"])
    loaded.paid_at = timezone.now()
    loaded.save(update_fields=["paid_at"])
    _assert_kept()


def test_every_annotation_of_the_figures_module_resolves() -> None:
    """The annotations are read (by mypy and by whoever calls these): each must
    name a type, not an expression that only Python's lazy annotations let by."""
    functions = [
        value
        for value in vars(figures).values()
        if inspect.isfunction(value) and value.__module__ == figures.__name__
    ]
    assert functions
    for function in functions:
        # Order is imported for the type checker only (figures is imported by
        # the models module): given here as the checker sees it.
        typing.get_type_hints(function, localns={"Order": Order})
