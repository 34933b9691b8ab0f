"""Money as pages and the ledger read it: totals, revenue, failed payments, timestamps."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.activity.models import Event
from apps.catalog.tests.factories import ProductFactory
from apps.core.tests.conventions import assert_keyword_only
from apps.markets.models import Currency
from apps.orders import services
from apps.orders.models import (
    NUMBER_ALPHABET,
    PAYMENT_STALE_AFTER,
    Cart,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
    cents,
    new_order_number,
)

from .factories import CartFactory, CartItemFactory, OrderFactory

pytestmark = pytest.mark.django_db
P, PD, SH, DL, CX, RF = (
    OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.SHIPPED,
    OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.REFUNDED,
)  # fmt: skip


def test_the_models_match_their_migrations() -> None:
    """Field lengths, constraints and indexes are what the database has."""
    call_command("makemigrations", "orders", "--check", "--dry-run", verbosity=0)


def test_line_totals_are_price_times_quantity() -> None:
    order = OrderFactory(lines=0)
    line = OrderLine.objects.create(
        order=order, product_name="Mug", sku="M-1", unit_price=Decimal("12.50"), quantity=3
    )
    assert line.line_total == Decimal("37.50")
    # A cart line's total is the catalog's price times the quantity: see
    # test_cart_totals_add_every_line (the cart reads prices through the catalog's api).
    cart = CartFactory()
    item = CartItemFactory(cart=cart, product=ProductFactory(price=Decimal("2.50")), quantity=4)
    assert str(line) == "3 x Mug" and str(item) == f"4 x product {item.product_id}"


def test_cart_totals_add_every_line() -> None:
    cart = CartFactory()
    CartItemFactory(cart=cart, product=ProductFactory(price=Decimal("2.50")), quantity=4)
    CartItemFactory(cart=cart, product=ProductFactory(price=Decimal("0.99")), quantity=3)
    empty = CartFactory()
    totals = {c.pk: (c.item_count, c.total) for c in Cart.objects.with_totals()}
    assert totals == {cart.pk: (7, Decimal("12.97")), empty.pk: (0, Decimal("0.00"))}
    assert list(Cart.objects.open()) == [cart]


def test_revenue_counts_paid_shipped_and_delivered_per_currency() -> None:
    for status, total in [(PD, "1.00"), (SH, "2.00"), (DL, "4.00")]:
        OrderFactory(status=status, total=total)
    for status in (P, CX, RF):
        OrderFactory(status=status, total="100.00")
    OrderFactory(status=DL, total="8.00", market__currency=Currency.USD)
    assert Order.objects.revenue_by_currency() == {"EUR": Decimal("7.00"), "USD": Decimal("8.00")}
    assert list(Order.objects.revenue_by_currency()) == ["EUR", "USD"]
    assert Order.objects.none().revenue_by_currency() == {}


def test_cents_rounds_an_aggregate_to_cents() -> None:
    assert str(cents(Decimal("170.550000000000"))) == "170.55"
    assert cents(Decimal("0.1")) == Decimal("0.10") and str(cents(Decimal("3"))) == "3.00"


def _payment(order: Order, status: str, *, kind: str = "charge", **fields: object) -> Payment:
    return Payment.objects.create(
        order=order, kind=kind, amount=order.total, currency=order.currency, gateway="sandbox",
        idempotency_key=f"{kind}-{status}-{order.pk}", status=status, **fields,
    )  # fmt: skip


FAILED = {PaymentStatus.DECLINED, PaymentStatus.TIMED_OUT, PaymentStatus.ERROR, PaymentStatus.VOID}
UNRESOLVED = {PaymentStatus.PENDING, PaymentStatus.TIMED_OUT, PaymentStatus.ERROR}


@pytest.mark.parametrize("status", PaymentStatus.values)
def test_what_counts_as_failed_and_as_unresolved(status: str) -> None:
    """Not taken is a failure everywhere (it moved no money) and is settled."""
    payment = _payment(OrderFactory(), status)
    assert payment.failed is (status in FAILED)
    assert payment.unresolved is (status in UNRESOLVED)
    assert Payment.objects.failed().exists() is (status in FAILED)
    assert Payment.objects.unresolved().exists() is (status in UNRESOLVED)


def test_orders_with_a_failed_charge_on_a_day() -> None:
    today = timezone.now()
    yesterday = today - timedelta(days=1)
    failed = {s: OrderFactory(number=f"ORD-F{s[:4].upper()}") for s in FAILED}
    for status, order in failed.items():
        _payment(order, status)
    OrderFactory(number="ORD-OK", status=PD)  # its charge succeeded
    _payment(OrderFactory(number="ORD-WAIT"), PaymentStatus.PENDING)
    _payment(OrderFactory(number="ORD-OLD"), PaymentStatus.DECLINED, created_at=yesterday)
    _payment(OrderFactory(number="ORD-REF", status=PD), PaymentStatus.DECLINED, kind="refund")
    numbers = set(
        Order.objects.with_failed_payment_on(today.date()).values_list("number", flat=True)
    )
    assert numbers == {order.number for order in failed.values()}
    assert list(
        Order.objects.with_failed_payment_on(yesterday.date()).values_list("number", flat=True)
    ) == ["ORD-OLD"]


def test_a_timed_out_charge_settled_as_not_taken_still_shows_as_failed_that_day(
    agent, sandbox
) -> None:
    order = OrderFactory(payment_token="tok_timeout")
    with pytest.raises(services.PaymentFailed):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k1")
    services.cancel_order(actor=agent, order_id=order.pk)  # settles it: Not taken
    assert Payment.objects.get().status == PaymentStatus.VOID
    assert list(Order.objects.with_failed_payment_on(timezone.now().date())) == [order]


def test_replaying_the_key_of_a_charge_not_taken_answers_the_failure(agent, sandbox) -> None:
    order = OrderFactory(payment_token="tok_timeout")
    with pytest.raises(services.PaymentFailed, match="did not answer in time"):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k1")
    with pytest.raises(services.PaymentFailed, match="Not taken"):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k1")
    order.refresh_from_db()
    assert order.status == P and len(sandbox.calls) == 1
    event = Event.objects.get(name="charge_not_taken")
    assert (event.from_state, event.to_state, event.actor, event.reason) == (
        P,
        P,
        agent,
        services.NOT_TAKEN,
    )


def test_a_call_is_in_flight_for_five_minutes_then_taken_as_lost(monkeypatch) -> None:
    assert timedelta(minutes=5) == PAYMENT_STALE_AFTER
    order = OrderFactory()
    now = timezone.now()
    recent = _payment(
        order, PaymentStatus.PENDING, created_at=now - timedelta(minutes=4, seconds=50)
    )
    assert recent.in_flight and Order.objects.get().has_payment_in_flight(PaymentKind.CHARGE)
    assert not Order.objects.get().has_payment_in_flight(PaymentKind.REFUND)
    Payment.objects.update(created_at=now - timedelta(minutes=5, seconds=1))
    recent.refresh_from_db()
    assert not recent.in_flight
    assert not Order.objects.get().has_payment_in_flight(PaymentKind.CHARGE)
    declined = _payment(OrderFactory(), PaymentStatus.DECLINED)
    assert not declined.in_flight
    at_the_limit = _payment(OrderFactory(), PaymentStatus.PENDING, created_at=now)
    monkeypatch.setattr(timezone, "now", lambda: now + PAYMENT_STALE_AFTER)
    assert not at_the_limit.in_flight  # five minutes on the dot: lost
    monkeypatch.undo()
    refunding = OrderFactory(status=PD)
    _payment(refunding, PaymentStatus.PENDING, kind=PaymentKind.REFUND)
    refunding = Order.objects.get(pk=refunding.pk)
    assert refunding.has_payment_in_flight(PaymentKind.REFUND)
    assert not refunding.has_payment_in_flight(PaymentKind.CHARGE)


def test_services_and_transitions_take_keyword_arguments_only() -> None:
    """A positional argument would let a tracking number pass for a reason."""
    # The services are a package by use case; each module keeps the convention.
    from apps.orders.services import _common, fulfilment, payments, placing, reactions

    for module in (_common, placing, payments, fulfilment, reactions):
        assert_keyword_only(module, Order, Payment)


def test_payment_reads_as_staff_see_it() -> None:
    payment = _payment(OrderFactory(total="12.50"), PaymentStatus.VOID)
    assert str(payment) == "Charge 12.50 EUR (Not taken)"
    assert list(Payment.objects.charges()) == [payment]


def test_order_numbers_can_be_read_aloud() -> None:
    numbers = {new_order_number() for _ in range(50)}
    assert len(numbers) > 1
    for number in numbers:
        assert re.fullmatch(rf"ORD-[{NUMBER_ALPHABET}]{{6}}", number)


def test_queryset_reads_by_state_time_and_words() -> None:
    now = timezone.now()
    early = OrderFactory(placed_at=now - timedelta(days=2), customer_name="Ann")
    late = OrderFactory(placed_at=now, status=PD, customer_name="Bob")
    assert list(Order.objects.placed_between(now - timedelta(days=3), now)) == [early]
    assert list(Order.objects.search("  ")) == [late, early]
    assert list(Order.objects.by_number(late.number)) == [late]
    assert list(Order.objects.pending()) == [early]
    assert Order.objects.counts_by_status() == {P: 1, PD: 1, SH: 0, DL: 0, CX: 0, RF: 0}
    assert str(late) == late.number and late.get_absolute_url() == f"/orders/{late.number}/"


# --- Lifecycle: every transition stamps its time, and saves it ------------------------


def test_each_transition_stamps_and_saves_its_time(agent, finance, sandbox) -> None:
    order = OrderFactory()
    placed = Order.objects.get(pk=order.pk)

    def fresh() -> Order:
        return Order.objects.get(pk=order.pk)

    services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k")
    paid = fresh()
    assert paid.paid_at is not None and paid.updated_at > placed.updated_at
    payment = Payment.objects.get()
    assert payment.completed_at is not None and payment.completed_at >= payment.created_at
    services.ship_order(actor=agent, order_id=order.pk, tracking_number="TRK")
    shipped = fresh()
    assert shipped.shipped_at is not None and shipped.updated_at > paid.updated_at
    services.mark_delivered(actor=agent, order_id=order.pk)
    delivered = fresh()
    assert delivered.delivered_at is not None and delivered.updated_at > shipped.updated_at
    services.refund_order(actor=finance, order_id=order.pk, reason="Late", idempotency_key="r")
    refunded = fresh()
    assert refunded.refunded_at is not None and refunded.updated_at > delivered.updated_at
    assert (paid.paid_at, shipped.shipped_at, delivered.delivered_at) == (
        refunded.paid_at,
        refunded.shipped_at,
        refunded.delivered_at,
    )


def test_cancelling_stamps_and_saves_its_time(agent) -> None:
    order = OrderFactory()
    before = Order.objects.get(pk=order.pk)
    services.cancel_order(actor=agent, order_id=order.pk)
    cancelled = Order.objects.get(pk=order.pk)
    assert cancelled.status == CX and cancelled.cancelled_at is not None
    assert cancelled.updated_at > before.updated_at


def test_events_of_the_order_lifecycle_name_the_states_and_the_actor(agent, finance) -> None:
    order = OrderFactory()
    services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k")
    services.ship_order(actor=agent, order_id=order.pk, tracking_number="TRK")
    services.mark_delivered(actor=agent, order_id=order.pk)
    services.refund_order(actor=finance, order_id=order.pk, reason="Late", idempotency_key="r")
    rows = Event.objects.filter(aggregate_id=str(order.pk)).order_by("pk")
    assert [(e.name, e.from_state, e.to_state, e.actor) for e in rows] == [
        ("order_paid", P, PD, agent),
        ("order_shipped", PD, SH, agent),
        ("order_delivered", SH, DL, agent),
        ("order_refunded", DL, RF, finance),
    ]
    paid = rows[0]
    payment = Payment.objects.get(kind="charge")
    assert paid.payload == {"amount": "40.00", "reference": payment.gateway_reference}
    assert rows[3].reason == "Late"
