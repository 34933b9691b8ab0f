"""Transaction boundaries of the orders context, and the rare paths they protect.

A row is locked (``select_for_update``) only inside a transaction: on
PostgreSQL a lock outside one is an error, and on every database a change
that fails half-way must leave nothing behind.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from apps.catalog.tests.factories import ProductFactory
from apps.core.errors import DomainError, InvalidInput, TransitionNotAllowed
from apps.markets.models import MarketStatus
from apps.orders import services
from apps.orders.models import Cart, CartItem, Order, OrderStatus, Payment, PaymentStatus
from apps.orders.payments import GatewayResult, Outcome
from apps.orders.services import placing

from .factories import CartFactory, CartItemFactory, OrderFactory

PD = OrderStatus.PAID


def _place(agent: Any) -> Order:
    cart = CartFactory()
    CartItemFactory(cart=cart, product=ProductFactory(market=cart.market, stock=3), quantity=1)
    return services.create_order_from_cart(actor=agent, cart_id=cart.pk)


SERVICES: dict[str, Callable[[Any, Any, Order], Any]] = {
    "charge": lambda agent, finance, order: services.charge_payment(
        actor=agent, order_id=order.pk, idempotency_key="k"
    ),
    "cancel": lambda agent, finance, order: services.cancel_order(actor=agent, order_id=order.pk),
    "ship": lambda agent, finance, order: services.ship_order(
        actor=agent, order_id=order.pk, tracking_number="TRK"
    ),
    "deliver": lambda agent, finance, order: services.mark_delivered(
        actor=agent, order_id=order.pk
    ),
    "refund": lambda agent, finance, order: services.refund_order(
        actor=finance, order_id=order.pk, reason="Broken", idempotency_key="r"
    ),
}
STATES = {
    "charge": OrderStatus.PENDING,
    "cancel": OrderStatus.PENDING,
    "ship": PD,
    "deliver": OrderStatus.SHIPPED,
    "refund": OrderStatus.DELIVERED,
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", list(SERVICES))
def test_every_lock_is_taken_inside_a_transaction(
    request, role_groups, name: str, locks: list[tuple[str, bool]]
) -> None:
    agent, finance = request.getfixturevalue("agent"), request.getfixturevalue("finance")
    order = OrderFactory(status=STATES[name])
    SERVICES[name](agent, finance, order)
    assert locks and all(in_transaction for _, in_transaction in locks), locks


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", list(SERVICES))
def test_only_a_charge_attempt_holds_the_market(
    request, role_groups, name: str, locks: list[tuple[str, bool]]
) -> None:
    """A suspension waits for a charge attempt being recorded (and so sees it);
    shipping, delivering, cancelling and refunding never hold the market."""
    agent, finance = request.getfixturevalue("agent"), request.getfixturevalue("finance")
    order = OrderFactory(status=STATES[name])
    SERVICES[name](agent, finance, order)
    held = [lock for lock in locks if lock[0] == "Market"]
    assert held == ([("Market", True)] if name == "charge" else [])


@pytest.mark.django_db(transaction=True)
def test_placing_locks_the_cart_inside_its_transaction(
    role_groups, agent, locks: list[tuple[str, bool]]
) -> None:
    _place(agent)
    # Background work (the confirmation email's job) takes its own locks.
    assert [lock for lock in locks if lock[0] != "Job"] == [("Cart", True)]


@pytest.mark.django_db(transaction=True)
def test_a_cart_whose_items_cannot_be_saved_leaves_no_cart(monkeypatch) -> None:
    product = ProductFactory()

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(CartItem.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        services.create_cart(
            market_id=product.market_id, customer_name="Ann", customer_email="a@example.com",
            payment_token="tok_visa", items=[(product.pk, 1)],
        )  # fmt: skip
    assert not Cart.objects.exists()


# --- Settling -------------------------------------------------------------------------


@pytest.mark.django_db
def test_settling_skips_a_call_in_flight_and_settles_the_lost_ones_after_it(agent) -> None:
    order = OrderFactory()
    now = timezone.now()
    Payment.objects.create(
        order=order, kind="charge", amount=order.total, currency="EUR", gateway="sandbox",
        idempotency_key="in-flight", created_at=now - timedelta(minutes=1),
    )  # fmt: skip
    lost = Payment.objects.create(
        order=order, kind="charge", amount=order.total, currency="EUR", gateway="sandbox",
        idempotency_key="lost", status=PaymentStatus.ERROR, created_at=now,
    )  # fmt: skip
    with pytest.raises(TransitionNotAllowed, match="charge is in progress"):
        services.cancel_order(actor=agent, order_id=order.pk)
    lost.refresh_from_db()
    assert lost.status == PaymentStatus.VOID
    assert Payment.objects.get(idempotency_key="in-flight").status == PaymentStatus.PENDING


@pytest.mark.django_db
def test_an_answer_recorded_while_the_gateway_was_asked_is_kept(agent, sandbox) -> None:
    """The worker that made the call answered meanwhile: its answer stands."""
    order = OrderFactory(payment_token="tok_timeout")
    with pytest.raises(services.PaymentFailed):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k1")
    payment = Payment.objects.get()

    def lookup_while_the_worker_records(*, idempotency_key: str) -> None:
        Payment.objects.filter(pk=payment.pk).update(
            status=PaymentStatus.DECLINED, failure_message="Card declined."
        )
        return None

    sandbox.lookup = lookup_while_the_worker_records
    services.cancel_order(actor=agent, order_id=order.pk)
    payment.refresh_from_db()
    assert (payment.status, payment.failure_message) == (PaymentStatus.DECLINED, "Card declined.")


# --- Placing --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_cart_of_one_cent_is_placed(agent) -> None:
    cart = CartFactory()
    CartItemFactory(cart=cart, product=ProductFactory(market=cart.market, price=Decimal("0.01")))
    order = services.create_order_from_cart(actor=agent, cart_id=cart.pk)
    assert order.total == Decimal("0.01")


@pytest.mark.django_db
def test_a_taken_order_number_is_drawn_again(agent, monkeypatch) -> None:
    OrderFactory(number="ORD-TAKEN")
    numbers = iter(["ORD-TAKEN", "ORD-TAKEN", "ORD-FREE1"])
    monkeypatch.setattr(placing, "new_order_number", lambda: next(numbers))
    assert _place(agent).number == "ORD-FREE1"


@pytest.mark.django_db
def test_after_five_taken_numbers_placing_asks_to_try_again(agent, monkeypatch) -> None:
    OrderFactory(number="ORD-TAKEN")
    draws: list[str] = []

    def taken() -> str:
        draws.append("ORD-TAKEN")
        return "ORD-TAKEN"

    monkeypatch.setattr(placing, "new_order_number", taken)
    with pytest.raises(DomainError, match="Could not allocate an order number"):
        _place(agent)
    assert len(draws) == 5
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_gateway_keys_name_the_kind_and_the_order(agent, finance) -> None:
    order = OrderFactory()
    services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k")
    services.refund_order(actor=finance, order_id=order.pk, reason="x", idempotency_key="r")
    charge, refund = Payment.objects.order_by("pk")
    assert re.fullmatch(rf"charge-{order.number}-[0-9a-f]{{16}}", charge.idempotency_key)
    assert re.fullmatch(rf"refund-{order.number}-[0-9a-f]{{16}}", refund.idempotency_key)
    assert (charge.payment_token, charge.gateway) == ("tok_visa", "sandbox")


@pytest.mark.django_db
def test_an_unknown_bulk_action_is_refused(agent) -> None:
    order = OrderFactory()
    with pytest.raises(InvalidInput, match="Unknown bulk action 'ship'"):
        services.bulk_transition_orders(actor=agent, order_ids=[order.pk], action="ship")
    outcome = services.bulk_transition_orders(actor=agent, order_ids=[order.pk], action="cancel")
    assert [o.pk for o in outcome.done] == [order.pk] and outcome.skipped == []


@pytest.mark.django_db
def test_an_order_or_cart_that_does_not_exist(agent) -> None:
    with pytest.raises(DomainError, match="That order does not exist"):
        services.mark_delivered(actor=agent, order_id=0)
    with pytest.raises(DomainError, match="That cart does not exist"):
        services.create_order_from_cart(actor=agent, cart_id=0)


@pytest.mark.django_db
def test_a_late_answer_for_a_failed_charge_is_still_a_success(agent) -> None:
    """A decline recorded, then the gateway says it captured after all: recorded, Paid."""
    order = OrderFactory()
    payment = Payment.objects.create(
        order=order, kind="charge", amount=order.total, currency="EUR", gateway="sandbox",
        idempotency_key="k", status=PaymentStatus.DECLINED,
    )  # fmt: skip
    services._record_answer(
        actor=agent, payment_id=payment.pk, answer=GatewayResult(Outcome.SUCCEEDED, reference="c")
    )
    order.refresh_from_db()
    assert order.status == PD


@pytest.mark.django_db
def test_a_first_charge_says_so_and_its_replay_says_it_was_already_done(agent) -> None:
    order = OrderFactory()
    first = services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k")
    again = services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k")
    assert (first.charged_now, again.charged_now) == (True, False)
    assert (again.order.status, again.payment.pk) == (PD, first.payment.pk)


@pytest.mark.django_db
def test_replays_work_for_ids_beyond_the_small_ones(agent, finance, sandbox) -> None:
    """Ids are compared by value: production ids are not the small integers
    Python keeps one copy of."""
    order = OrderFactory(pk=100_000)
    services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="c")
    again = services.charge_payment(actor=agent, order_id=100_000, idempotency_key="c")
    assert again.charged_now is False
    services.refund_order(actor=finance, order_id=order.pk, reason="x", idempotency_key="r")
    refunded = services.refund_order(
        actor=finance, order_id=100_000, reason="x", idempotency_key="r"
    )
    assert refunded.status == OrderStatus.REFUNDED
    assert [operation for operation, _ in sandbox.calls] == ["charge", "refund"]


@pytest.mark.django_db
def test_placing_works_for_ids_beyond_the_small_ones(agent) -> None:
    from apps.markets.models import MarketStatus
    from apps.markets.tests.factories import MarketFactory

    market = MarketFactory(pk=100_001, status=MarketStatus.ACTIVE)
    cart = CartFactory(market=market)
    CartItemFactory(cart=cart, product=ProductFactory(pk=100_002, market=market), quantity=2)
    order = services.create_order_from_cart(actor=agent, cart_id=cart.pk)
    assert order.lines.get().quantity == 2


@pytest.mark.django_db
def test_a_request_key_of_a_newer_order_is_refused_on_an_older_one(agent, sandbox) -> None:
    older, newer = OrderFactory(), OrderFactory()
    services.charge_payment(actor=agent, order_id=newer.pk, idempotency_key="shared")
    with pytest.raises(InvalidInput, match="belongs to another payment"):
        services.charge_payment(actor=agent, order_id=older.pk, idempotency_key="shared")
    older.refresh_from_db()
    assert older.status == OrderStatus.PENDING and len(sandbox.calls) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("paused", [True, False])
def test_charging_paused_or_resumed_is_announced_after_commit(
    django_capture_on_commit_callbacks, paused: bool
) -> None:
    from apps.orders import signals

    # The market is in the state the note describes (a note for a state the
    # market has left since is skipped).
    order = OrderFactory(market__status=MarketStatus.SUSPENDED if paused else MarketStatus.ACTIVE)
    heard: list[tuple[str, list[str]]] = []

    def listener(name: str) -> Callable[..., None]:
        def listen(sender: type, events: list[Any], **kwargs: Any) -> None:
            heard.append((name, [event.aggregate_label for event in events]))

        return listen

    on_paused, on_resumed = listener("paused"), listener("resumed")
    signals.charging_paused.connect(on_paused, dispatch_uid="test.paused")
    signals.charging_resumed.connect(on_resumed, dispatch_uid="test.resumed")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            noted = services.note_market_charging(
                market_id=order.market_id,
                paused=paused,
                reason="Review",
                actor_id=None,
                market_event=str(uuid.uuid4()),
                occurred_at=timezone.now(),
            )
    finally:
        signals.charging_paused.disconnect(dispatch_uid="test.paused")
        signals.charging_resumed.disconnect(dispatch_uid="test.resumed")
    assert noted == 1
    assert heard == [("paused" if paused else "resumed", [order.number])]


@pytest.mark.django_db(transaction=True)
def test_noting_charging_paused_is_all_or_nothing() -> None:
    from django.dispatch import receiver

    from apps.activity.models import Event
    from apps.core.events import events_recorded

    order = OrderFactory(market__status=MarketStatus.SUSPENDED)
    OrderFactory(market=order.market)

    @receiver(events_recorded, weak=False, dispatch_uid="test.explode")
    def explode(sender: type, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    try:
        with pytest.raises(RuntimeError):
            services.note_market_charging(
                market_id=order.market_id,
                paused=True,
                reason="Review",
                actor_id=None,
                market_event=str(uuid.uuid4()),
                occurred_at=timezone.now(),
            )
    finally:
        events_recorded.disconnect(dispatch_uid="test.explode")
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_a_product_of_an_older_market_cannot_be_ordered(agent) -> None:
    older = ProductFactory(name="Old teapot")  # its market is created first
    cart = CartFactory()
    CartItemFactory(cart=cart, product=older)
    assert older.market_id < cart.market_id
    with pytest.raises(InvalidInput, match=f"Old teapot is not sold in {cart.market.name}"):
        services.create_order_from_cart(actor=agent, cart_id=cart.pk)
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_a_charge_outcome_is_a_fact_and_a_failure_is_a_402(agent) -> None:
    import dataclasses

    order = OrderFactory()
    outcome = services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k")
    with pytest.raises(dataclasses.FrozenInstanceError):
        outcome.charged_now = False
    assert services.PaymentFailed("Card declined.").http_status == 402


# --- A repeat while the first call is at the gateway -----------------------------------


def _charge_at_the_gateway(order: Order) -> Payment:
    """The first request's attempt, recorded a moment ago and not answered yet."""
    return Payment.objects.create(
        order=order, kind="charge", amount=order.total, currency="EUR", gateway="sandbox",
        idempotency_key=f"charge-{order.number}-first", request_key="k",
    )  # fmt: skip


class Clock:
    """The payments service's clock: its waits pass at once, and are counted."""

    def __init__(self, on_wait: Callable[[int], None] = lambda waits: None) -> None:
        self.now, self.waits, self.on_wait = 1_000.0, 0, on_wait

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.waits += 1
        assert self.waits < 100, "still waiting well past the deadline"
        self.on_wait(self.waits)


@pytest.mark.django_db
def test_a_repeat_waits_up_to_its_seconds_then_says_in_progress(
    agent, sandbox, monkeypatch
) -> None:
    from apps.orders.services import payments

    order = OrderFactory()
    _charge_at_the_gateway(order)
    clock = Clock()
    monkeypatch.setattr(payments, "time", clock)
    with pytest.raises(TransitionNotAllowed, match="a charge is in progress"):
        services.charge_payment(
            actor=agent, order_id=order.pk, idempotency_key="k", await_seconds=0.3
        )
    assert 0.3 <= clock.now - 1_000 < 0.4  # 0.3 s, in steps of 0.05
    assert sandbox.calls == []
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING


@pytest.mark.django_db
def test_a_repeat_gets_the_first_answer_as_soon_as_it_is_recorded(
    agent, sandbox, monkeypatch
) -> None:
    """The API's repeat of a charge (same key) while the first is at the gateway."""
    from apps.orders.services import payments

    order = OrderFactory()
    first = _charge_at_the_gateway(order)

    def the_first_answer_arrives(waits: int) -> None:
        if waits == 2:  # the first request records its answer meanwhile
            payments._record_answer(
                actor=agent, payment_id=first.pk,
                answer=GatewayResult(Outcome.SUCCEEDED, reference="ch_first"),
            )  # fmt: skip

    clock = Clock(the_first_answer_arrives)
    monkeypatch.setattr(payments, "time", clock)
    again = services.charge_payment(
        actor=agent, order_id=order.pk, idempotency_key="k", await_seconds=30
    )
    assert clock.waits == 2  # not the whole 30 seconds
    assert (again.charged_now, again.payment.pk, again.payment.gateway_reference) == (
        False, first.pk, "ch_first",
    )  # fmt: skip
    assert again.order.status == PD
    assert sandbox.calls == []  # the repeat never reached the gateway


@pytest.mark.django_db
def test_a_repeat_from_a_page_does_not_wait(agent, finance, monkeypatch) -> None:
    """A double click is told "in progress" at once (only the API's repeats wait)."""
    from apps.orders.services import payments

    clock = Clock()
    monkeypatch.setattr(payments, "time", clock)
    order = OrderFactory()
    _charge_at_the_gateway(order)
    with pytest.raises(TransitionNotAllowed, match="a charge is in progress"):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k")
    paid = OrderFactory(status=PD)
    Payment.objects.create(
        order=paid, kind="refund", amount=paid.total, currency="EUR", gateway="sandbox",
        idempotency_key=f"refund-{paid.number}-first", request_key="r", reason="Broken",
    )  # fmt: skip
    with pytest.raises(TransitionNotAllowed, match="a refund is in progress"):
        services.refund_order(actor=finance, order_id=paid.pk, reason="Broken", idempotency_key="r")
    assert clock.waits == 0
