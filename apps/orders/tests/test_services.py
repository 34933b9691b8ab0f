from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.dispatch import receiver

from apps.activity.models import Event
from apps.catalog.models import Product
from apps.catalog.tests.factories import ProductFactory
from apps.core.errors import DomainError, InvalidInput, NotPermitted, TransitionNotAllowed
from apps.core.events import events_recorded
from apps.markets.models import MarketStatus
from apps.orders import services
from apps.orders.models import Cart, CartItem, Order, OrderStatus, Payment, PaymentStatus

from .factories import CartFactory, CartItemFactory, OrderFactory

pytestmark = pytest.mark.django_db
P, PD, SH, DL = OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED


def _cart(*, stock: int = 5, quantity: int = 2, price: str = "12.50", **cart: Any) -> Cart:
    cart_object = CartFactory(**cart)
    product = ProductFactory(
        market=cart_object.market, price=Decimal(price), stock=stock, name="Teapot"
    )
    CartItemFactory(cart=cart_object, product=product, quantity=quantity)
    return cart_object


# --- Placing ------------------------------------------------------------------


def test_placing_an_order_from_a_cart(
    agent, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    cart = _cart(stock=5, quantity=2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order = services.create_order_from_cart(actor=agent, cart_id=cart.pk)
        assert mailoutbox == []  # not before commit
    assert callbacks
    assert (order.status, order.total, order.currency) == (
        P,
        Decimal("25.00"),
        cart.market.currency,
    )
    line = order.lines.get()
    assert (line.product_name, line.unit_price, line.quantity) == ("Teapot", Decimal("12.50"), 2)
    assert Product.objects.get().stock == 3
    assert not CartItem.objects.filter(cart=cart).exists()
    assert Event.objects.get(name="order_placed").aggregate_label == order.number
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert order.number in email.subject
    assert "Teapot" in email.body and "25.00" in email.body
    assert email.alternatives and "Teapot" in email.alternatives[0][0]


def test_lines_are_created_with_one_insert(agent, django_assert_max_num_queries) -> None:
    cart = CartFactory()
    for number in range(8):
        CartItemFactory(
            cart=cart, product=ProductFactory(market=cart.market, stock=10, name=f"P{number}")
        )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        services.create_order_from_cart(actor=agent, cart_id=cart.pk)
    line_inserts = [
        q for q in captured if q["sql"].startswith("INSERT") and "orders_orderline" in q["sql"]
    ]
    assert len(line_inserts) == 1


def test_not_enough_stock_names_the_product_and_changes_nothing(agent) -> None:
    cart = _cart(stock=1, quantity=3)
    with pytest.raises(InvalidInput, match="Teapot"):
        services.create_order_from_cart(actor=agent, cart_id=cart.pk)
    assert not Order.objects.exists()
    assert Product.objects.get().stock == 1
    assert CartItem.objects.filter(cart=cart).count() == 1
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "status", [MarketStatus.DRAFT, MarketStatus.SUSPENDED, MarketStatus.ARCHIVED]
)
def test_a_market_that_is_not_active_takes_no_orders(agent, status: str) -> None:
    cart = _cart(market__status=status, market__name="Old Town")
    label = MarketStatus(status).label
    # The message names the market and the state it is in.
    with pytest.raises(TransitionNotAllowed) as refused:
        services.create_order_from_cart(actor=agent, cart_id=cart.pk)
    assert str(refused.value) == f"Old Town is {label}: it does not take orders."
    assert not Order.objects.exists()


def test_an_empty_cart_or_a_product_off_sale_is_refused(agent) -> None:
    empty = CartFactory()
    with pytest.raises(InvalidInput, match="empty"):
        services.create_order_from_cart(actor=agent, cart_id=empty.pk)
    cart = _cart()
    Product.objects.update(active=False)
    with pytest.raises(InvalidInput, match="no longer on sale"):
        services.create_order_from_cart(actor=agent, cart_id=cart.pk)
    assert not Order.objects.exists()


def test_viewers_cannot_place_orders(viewer) -> None:
    cart = _cart()
    with pytest.raises(NotPermitted):
        services.create_order_from_cart(actor=viewer, cart_id=cart.pk)


# --- Charging -----------------------------------------------------------------


def test_charge_succeeds_once(agent, sandbox) -> None:
    order = OrderFactory()
    outcome = services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k1")
    order.refresh_from_db()
    assert order.status == PD and order.paid_at is not None
    assert outcome.payment.status == PaymentStatus.SUCCEEDED
    assert outcome.payment.gateway_reference.startswith("ch_")
    assert outcome.payment.request_key == "k1"
    assert Event.objects.filter(name="order_paid").count() == 1
    assert sandbox.calls == [("charge", outcome.payment.idempotency_key)]


def test_retrying_with_the_same_key_charges_once(agent, sandbox) -> None:
    order = OrderFactory()
    first = services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="same")
    again = services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="same")
    assert again.charged_now is False and again.payment.pk == first.payment.pk
    assert Payment.objects.count() == 1
    assert sandbox.calls == [("charge", first.payment.idempotency_key)]


def test_a_second_click_while_a_charge_is_in_flight_is_refused(agent, sandbox) -> None:
    order = OrderFactory()
    services._record_charge_attempt(actor=agent, order_id=order.pk, key="first-click")
    with pytest.raises(TransitionNotAllowed, match="charge is in progress"):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="second-click")
    with pytest.raises(TransitionNotAllowed, match="charge is in progress"):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="first-click")
    assert sandbox.calls == []


@pytest.mark.parametrize(
    ("token", "status", "message"),
    [
        ("tok_decline", PaymentStatus.DECLINED, "Card declined"),
        ("tok_timeout", PaymentStatus.TIMED_OUT, "did not answer in time"),
        ("tok_error", PaymentStatus.ERROR, "Gateway error"),
    ],
)
def test_each_gateway_failure_leaves_the_order_pending_with_the_failed_payment(
    agent, token: str, status: str, message: str
) -> None:
    order = OrderFactory(payment_token=token)
    with pytest.raises(services.PaymentFailed, match=message):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k")
    order.refresh_from_db()
    assert order.status == P
    payment = Payment.objects.get()
    assert payment.status == status and message in payment.failure_message
    failed = Event.objects.get(name="payment_failed")
    assert message in failed.reason
    # A retry (a new click) may succeed once the cause is fixed.
    Order.objects.filter(pk=order.pk).update(payment_token="tok_visa")
    services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k2")
    order.refresh_from_db()
    assert order.status == PD


def test_replaying_a_failed_key_answers_the_failure_without_calling_again(agent, sandbox) -> None:
    order = OrderFactory(payment_token="tok_decline")
    for _ in range(2):
        with pytest.raises(services.PaymentFailed):
            services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k")
    assert len(sandbox.calls) == 1


def test_an_order_of_a_suspended_market_cannot_be_charged(agent, sandbox) -> None:
    order = OrderFactory(market__status=MarketStatus.SUSPENDED)
    with pytest.raises(TransitionNotAllowed, match=r"Market is suspended\."):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k")
    assert not Payment.objects.exists() and sandbox.calls == []


@pytest.mark.parametrize("role", ["finance", "viewer", "manager"])
def test_only_order_agents_charge(request, role: str, sandbox) -> None:
    order = OrderFactory()
    with pytest.raises(NotPermitted):
        services.charge_payment(
            actor=request.getfixturevalue(role), order_id=order.pk, idempotency_key="k"
        )
    assert sandbox.calls == []


def test_a_failure_after_the_change_leaves_no_change_and_no_event(agent) -> None:
    order = OrderFactory(status=PD)

    @receiver(events_recorded, weak=False, dispatch_uid="test.explode")
    def explode(sender: type, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    try:
        with pytest.raises(RuntimeError):
            services.ship_order(actor=agent, order_id=order.pk, tracking_number="TRK")
    finally:
        events_recorded.disconnect(dispatch_uid="test.explode")
    order.refresh_from_db()
    assert order.status == PD and order.tracking_number == ""
    assert not Event.objects.exists()


# --- Fulfilment, cancelling, refunds --------------------------------------------


def test_ship_records_tracking_and_emails_it(
    agent, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    order = OrderFactory(status=PD)
    with pytest.raises(InvalidInput, match="tracking number is required"):
        services.ship_order(actor=agent, order_id=order.pk, tracking_number=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.ship_order(actor=agent, order_id=order.pk, tracking_number=" TRK-42 ")
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (SH, "TRK-42")
    assert Event.objects.get(name="order_shipped").payload == {"tracking_number": "TRK-42"}
    assert len(mailoutbox) == 1 and "TRK-42" in mailoutbox[0].body


def test_mark_delivered(agent) -> None:
    order = OrderFactory(status=SH)
    services.mark_delivered(actor=agent, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == DL and order.delivered_at is not None


def test_cancel_restocks(agent) -> None:
    cart = _cart(stock=5, quantity=2)
    order = services.create_order_from_cart(actor=agent, cart_id=cart.pk)
    assert Product.objects.get().stock == 3
    services.cancel_order(actor=agent, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Product.objects.get().stock == 5
    with pytest.raises(TransitionNotAllowed):
        services.cancel_order(actor=agent, order_id=order.pk)
    assert Product.objects.get().stock == 5


def test_a_paid_order_cannot_be_cancelled(agent) -> None:
    order = OrderFactory(status=PD)
    with pytest.raises(TransitionNotAllowed, match="is Paid: Cancel order is not possible"):
        services.cancel_order(actor=agent, order_id=order.pk)


@pytest.mark.parametrize("state", [PD, DL])
def test_refund_goes_through_the_gateway(
    finance, sandbox, mailoutbox, django_capture_on_commit_callbacks, state: str
) -> None:
    order = OrderFactory(status=state)
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_order(
            actor=finance, order_id=order.pk, reason="Arrived broken", idempotency_key="r1"
        )
    order.refresh_from_db()
    assert (order.status, order.refund_reason) == (OrderStatus.REFUNDED, "Arrived broken")
    refund = Payment.objects.get(kind="refund")
    assert sandbox.calls == [("refund", refund.idempotency_key)]
    assert refund.status == PaymentStatus.SUCCEEDED and refund.gateway_reference.startswith("re_")
    assert Event.objects.get(name="order_refunded").reason == "Arrived broken"
    assert len(mailoutbox) == 1 and "Arrived broken" in mailoutbox[0].body


def test_refund_needs_a_reason_and_the_finance_role(finance, agent, sandbox) -> None:
    order = OrderFactory(status=PD)
    with pytest.raises(InvalidInput, match="reason is required"):
        services.refund_order(actor=finance, order_id=order.pk, reason=" ", idempotency_key="r1")
    with pytest.raises(NotPermitted):
        services.refund_order(actor=agent, order_id=order.pk, reason="x", idempotency_key="r2")
    order.refresh_from_db()
    assert order.status == PD and sandbox.calls == []


def test_a_refused_refund_leaves_the_order_as_it_was(finance) -> None:
    order = OrderFactory(status=PD)
    Payment.objects.filter(order=order).update(gateway_reference="unknown")
    with pytest.raises(services.PaymentFailed, match="Refund failed"):
        services.refund_order(actor=finance, order_id=order.pk, reason="x", idempotency_key="r1")
    order.refresh_from_db()
    assert order.status == PD
    assert Payment.objects.get(kind="refund").status == PaymentStatus.DECLINED


def test_bulk_reports_each_row(agent) -> None:
    shipped = OrderFactory(status=SH, number="ORD-A")
    pending = OrderFactory(status=P, number="ORD-B")
    outcome = services.bulk_transition_orders(
        actor=agent, order_ids=[shipped.pk, pending.pk], action="mark_delivered"
    )
    assert [o.number for o in outcome.done] == ["ORD-A"]
    assert outcome.skipped == [(pending, "ORD-B is Pending: Mark delivered is not possible.")]


@pytest.mark.parametrize("token", ["tok_timeout", "tok_error"])
def test_an_unknown_outcome_is_settled_with_the_gateway_before_a_retry(
    agent, sandbox, token: str
) -> None:
    """A timeout or an error may have taken the money: the gateway is asked
    first; here the request never arrived, so it is Not taken, and the retry
    is a new payment with the customer's current token."""
    order = OrderFactory(payment_token=token)
    with pytest.raises(services.PaymentFailed):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="click-1")
    Order.objects.filter(pk=order.pk).update(payment_token="tok_visa")
    services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="click-2")
    first, second = Payment.objects.order_by("pk")
    assert (first.status, second.status) == (PaymentStatus.VOID, PaymentStatus.SUCCEEDED)
    assert first.failure_message == services.NOT_TAKEN
    assert second.payment_token == "tok_visa"
    assert [key for _, key in sandbox.calls] == [first.idempotency_key, second.idempotency_key]


def test_a_timed_out_charge_that_did_take_the_money_is_recorded_not_cancelled(
    agent, sandbox
) -> None:
    from apps.orders.payments import GatewayResult, Outcome

    order = OrderFactory(payment_token="tok_timeout")
    with pytest.raises(services.PaymentFailed):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="click-1")
    payment = Payment.objects.get()
    # The gateway had captured after all; it says so when asked.
    sandbox.answers[payment.idempotency_key] = GatewayResult(Outcome.SUCCEEDED, reference="ch_late")
    with pytest.raises(TransitionNotAllowed, match="is Paid: Cancel order is not possible"):
        services.cancel_order(actor=agent, order_id=order.pk)
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status, payment.gateway_reference) == (PD, "succeeded", "ch_late")
    assert Event.objects.filter(name="order_paid").count() == 1


def test_a_timed_out_charge_that_never_arrived_lets_the_order_be_cancelled(agent, sandbox) -> None:
    order = OrderFactory(payment_token="tok_timeout")
    with pytest.raises(services.PaymentFailed):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="click-1")
    services.cancel_order(actor=agent, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Payment.objects.get().status == PaymentStatus.VOID


def test_when_the_gateway_cannot_tell_nothing_is_changed(agent, sandbox, monkeypatch) -> None:
    order = OrderFactory(payment_token="tok_timeout")
    with pytest.raises(services.PaymentFailed):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="click-1")

    def unreachable(**kwargs: Any) -> None:
        raise TimeoutError("gateway down")

    monkeypatch.setattr(sandbox, "lookup", unreachable)
    with pytest.raises(DomainError, match="cannot say yet whether the last charge went through"):
        services.cancel_order(actor=agent, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == P
    assert Payment.objects.get().status == PaymentStatus.TIMED_OUT


def test_a_success_for_an_order_that_moved_on_is_recorded_for_reconciliation(agent) -> None:
    from apps.orders.payments import GatewayResult, Outcome

    order = OrderFactory(status=OrderStatus.CANCELLED)
    payment = Payment.objects.create(
        order=order, kind="charge", amount=order.total, currency="EUR",
        gateway="sandbox", idempotency_key="late", status="pending",
    )  # fmt: skip
    services._record_answer(
        actor=agent,
        payment_id=payment.pk,
        answer=GatewayResult(Outcome.SUCCEEDED, reference="ch_x"),
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Payment.objects.get().status == PaymentStatus.SUCCEEDED
    note = Event.objects.get(name="payment_needs_reconciliation")
    assert "after the order became Cancelled" in note.reason


def test_a_recorded_success_is_never_downgraded(agent) -> None:
    from apps.orders.payments import GatewayResult, Outcome

    order = OrderFactory()
    services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k")
    payment = Payment.objects.get()
    services._record_answer(
        actor=agent, payment_id=payment.pk, answer=GatewayResult(Outcome.ERROR, message="late 409")
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED


def test_a_request_key_used_on_another_order_is_refused(agent) -> None:
    first, second = OrderFactory(), OrderFactory()
    services.charge_payment(actor=agent, order_id=first.pk, idempotency_key="shared")
    with pytest.raises(InvalidInput, match="belongs to another payment"):
        services.charge_payment(actor=agent, order_id=second.pk, idempotency_key="shared")


def test_a_zero_total_cart_places_no_order(agent) -> None:
    cart = _cart(price="0.00")
    with pytest.raises(InvalidInput, match="nothing to charge"):
        services.create_order_from_cart(actor=agent, cart_id=cart.pk)
    assert not Order.objects.exists()


def test_a_declined_charge_is_retried_as_a_new_payment(agent, sandbox) -> None:
    order = OrderFactory(payment_token="tok_decline")
    with pytest.raises(services.PaymentFailed):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="click-1")
    Order.objects.filter(pk=order.pk).update(payment_token="tok_visa")
    services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="click-2")
    assert list(Payment.objects.order_by("pk").values_list("status", flat=True)) == [
        PaymentStatus.DECLINED,
        PaymentStatus.SUCCEEDED,
    ]


def test_a_lost_call_stops_blocking_after_a_while(agent, sandbox) -> None:
    from datetime import timedelta

    from django.utils import timezone

    order = OrderFactory()
    services._record_charge_attempt(actor=agent, order_id=order.pk, key="lost")  # the worker died
    with pytest.raises(TransitionNotAllowed, match="charge is in progress"):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="soon")
    Payment.objects.update(created_at=timezone.now() - timedelta(minutes=6))
    services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="later")
    statuses = list(Payment.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [PaymentStatus.VOID, PaymentStatus.SUCCEEDED]


def test_an_adapter_that_raises_leaves_an_error_not_a_stuck_payment(
    agent, sandbox, monkeypatch
) -> None:
    order = OrderFactory()

    def broken(**kwargs: Any) -> None:
        raise ConnectionResetError("peer reset")

    monkeypatch.setattr(sandbox, "charge", broken)
    with pytest.raises(services.PaymentFailed, match="ConnectionResetError"):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k")
    assert Payment.objects.get().status == PaymentStatus.ERROR


def test_a_market_suspended_while_the_gateway_answers_still_records_the_capture(
    agent, manager, sandbox, monkeypatch
) -> None:
    from apps.markets import services as market_services

    order = OrderFactory()
    real_charge = sandbox.charge

    def charge_while_the_market_is_suspended(**kwargs: Any) -> Any:
        market_services.suspend_market(actor=manager, market_id=order.market_id, reason="Fraud")
        return real_charge(**kwargs)

    monkeypatch.setattr(sandbox, "charge", charge_while_the_market_is_suspended)
    services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k")
    order.refresh_from_db()
    assert order.status == PD  # the money was taken: recorded, not a 500
    assert Payment.objects.get().status == PaymentStatus.SUCCEEDED


def test_shipping_waits_while_a_refund_is_in_flight(agent, finance, sandbox, monkeypatch) -> None:
    order = OrderFactory(status=PD)
    real_refund = sandbox.refund
    refused: list[str] = []

    def refund_while_an_agent_ships(**kwargs: Any) -> Any:
        try:
            services.ship_order(actor=agent, order_id=order.pk, tracking_number="TRK")
        except TransitionNotAllowed as error:
            refused.append(error.message)
        return real_refund(**kwargs)

    monkeypatch.setattr(sandbox, "refund", refund_while_an_agent_ships)
    services.refund_order(actor=finance, order_id=order.pk, reason="Lost", idempotency_key="r")
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert refused == ["Ship is not possible: A refund is in progress; wait for its outcome."]


def test_a_role_without_the_permission_learns_nothing_from_a_known_key(viewer, agent) -> None:
    order = OrderFactory()
    services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="known")
    with pytest.raises(NotPermitted):
        services.charge_payment(actor=viewer, order_id=order.pk, idempotency_key="known")


@pytest.mark.parametrize("key", ["", "x" * 81])
def test_a_missing_or_oversized_key_is_refused(agent, key: str) -> None:
    order = OrderFactory()
    with pytest.raises(InvalidInput, match="idempotency key"):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key=key)


def test_emails_are_plain_text_and_quote_awkward_names(
    agent, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    cart = _cart(customer_name="O'Brien, Pat & Co")
    with django_capture_on_commit_callbacks(execute=True):
        services.create_order_from_cart(actor=agent, cart_id=cart.pk)
    email = mailoutbox[0]
    assert "Hello O'Brien, Pat & Co," in email.body  # not &#x27; or &amp;
    assert email.to == [f'"O\'Brien, Pat & Co" <{cart.customer_email}>']


def test_suspending_a_market_notes_its_pending_orders_and_reinstating_resumes(
    agent, manager, django_capture_on_commit_callbacks
) -> None:
    from apps.markets import services as market_services

    pending = OrderFactory(number="ORD-PEND1")
    OrderFactory(number="ORD-PAID1", market=pending.market, status=PD)
    OrderFactory(number="ORD-ELSE1")  # another market
    with django_capture_on_commit_callbacks(execute=True):
        market_services.suspend_market(
            actor=manager, market_id=pending.market_id, reason="Fraud review"
        )
    paused = Event.objects.filter(name="charging_paused")
    assert [(e.aggregate_label, e.reason, e.actor) for e in paused] == [
        ("ORD-PEND1", "Fraud review", manager)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        market_services.reinstate_market(actor=manager, market_id=pending.market_id)
    assert list(
        Event.objects.filter(name="charging_resumed").values_list("aggregate_label", flat=True)
    ) == ["ORD-PEND1"]
    # The rule itself reads the market at the moment of charging.
    services.charge_payment(actor=agent, order_id=pending.pk, idempotency_key="k")


def test_charging_notes_are_once_per_market_event_and_only_while_true() -> None:
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    from apps.markets.tests.factories import MarketFactory

    market = MarketFactory(status=MarketStatus.ACTIVE)
    order = OrderFactory(market=market)
    suspended_at = timezone.now() - timedelta(hours=1)

    def note(*, paused: bool, event: str) -> int:
        return services.note_market_charging(
            market_id=market.pk,
            paused=paused,
            reason="Fraud review" if paused else "",
            actor_id=None,
            market_event=event,
            occurred_at=suspended_at,
        )

    # The suspension's job comes late, after the reinstatement: the market is
    # active, so "charging paused" would be untrue now.
    assert note(paused=True, event=str(uuid.uuid4())) == 0
    type(market).objects.filter(pk=market.pk).update(
        status=MarketStatus.SUSPENDED, suspension_reason="Fraud review"
    )
    suspension = str(uuid.uuid4())
    assert note(paused=True, event=suspension) == 1
    assert note(paused=True, event=suspension) == 0  # retried or repeated: once per event
    assert note(paused=False, event=str(uuid.uuid4())) == 0  # a stale "resumed"
    notes = Event.objects.for_aggregate("order", order.pk).filter(name__startswith="charging_")
    assert [(e.name, e.occurred_at) for e in notes] == [("charging_paused", suspended_at)]


def test_charging_notes_of_a_market_without_pending_orders_note_nothing() -> None:
    import uuid

    from django.utils import timezone

    from apps.markets.tests.factories import MarketFactory

    market = MarketFactory(status=MarketStatus.SUSPENDED)
    paid = OrderFactory(market=market, status=PD)
    noted = services.note_market_charging(
        market_id=market.pk,
        paused=True,
        reason="Fraud review",
        actor_id=None,
        market_event=str(uuid.uuid4()),
        occurred_at=timezone.now(),
    )
    assert noted == 0
    assert not Event.objects.for_aggregate("order", paid.pk).filter(name="charging_paused")
