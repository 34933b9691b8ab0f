"""Refunds are as safe as charges: replays, double clicks, unknown outcomes, late answers.

Every test reads what the customer's money and the ledger show: how many
times the gateway was asked to move money, the Payment rows, the order's
state and the timeline's events.
"""

from __future__ import annotations

from typing import Any

import pytest

from apps.activity.models import Event
from apps.core.errors import DomainError, InvalidInput, TransitionNotAllowed
from apps.core.transitions import transition_options
from apps.orders import services
from apps.orders.models import Order, OrderStatus, Payment, PaymentKind, PaymentStatus
from apps.orders.payments import GatewayResult, Outcome

from .factories import OrderFactory

pytestmark = pytest.mark.django_db
PD, SH, DL, RF = OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.REFUNDED


def _refund(finance: Any, order: Order, key: str, reason: str = "Arrived broken") -> Order:
    return services.refund_order(
        actor=finance, order_id=order.pk, reason=reason, idempotency_key=key
    )


def _refund_calls(sandbox: Any) -> list[str]:
    return [key for operation, key in sandbox.calls if operation == "refund"]


def _lost_refund(finance: Any, order: Order, sandbox: Any, monkeypatch: Any) -> Payment:
    """A refund whose call raised: its outcome is unknown (Gateway error)."""

    def broken(**kwargs: Any) -> None:
        raise ConnectionResetError("peer reset")

    with monkeypatch.context() as patch:
        patch.setattr(sandbox, "refund", broken)
        with pytest.raises(services.PaymentFailed, match="ConnectionResetError"):
            _refund(finance, order, "click-1")
    refund = Payment.objects.get(kind=PaymentKind.REFUND)
    assert refund.status == PaymentStatus.ERROR and refund.unresolved
    return refund


# --- Unknown outcomes are settled before anything else -----------------------------


def test_a_second_refund_after_an_unknown_outcome_waits_until_the_gateway_can_tell(
    finance, sandbox, monkeypatch
) -> None:
    order = OrderFactory(status=PD)
    _lost_refund(finance, order, sandbox, monkeypatch)

    def cannot_tell(**kwargs: Any) -> None:
        raise TimeoutError("gateway down")

    monkeypatch.setattr(sandbox, "lookup", cannot_tell)
    with pytest.raises(DomainError, match="cannot say yet whether the last refund went through"):
        _refund(finance, order, "click-2")
    order.refresh_from_db()
    assert order.status == PD
    assert _refund_calls(sandbox) == []  # no second refund was sent
    assert Payment.objects.filter(kind=PaymentKind.REFUND).count() == 1


def test_a_refund_that_did_go_through_is_recorded_and_never_sent_again(
    finance, sandbox, monkeypatch
) -> None:
    order = OrderFactory(status=PD)
    lost = _lost_refund(finance, order, sandbox, monkeypatch)
    # The gateway had refunded after all; it says so when asked.
    sandbox.answers[lost.idempotency_key] = GatewayResult(Outcome.SUCCEEDED, reference="re_late")
    with pytest.raises(TransitionNotAllowed, match="is Refunded: Refund is not possible"):
        _refund(finance, order, "click-2")
    order.refresh_from_db()
    lost.refresh_from_db()
    assert (order.status, order.refund_reason) == (RF, "Arrived broken")
    assert (lost.status, lost.gateway_reference) == (PaymentStatus.SUCCEEDED, "re_late")
    assert _refund_calls(sandbox) == []
    assert Payment.objects.filter(kind=PaymentKind.REFUND).count() == 1
    assert Event.objects.filter(name="order_refunded").count() == 1


def test_a_refund_that_never_arrived_is_not_taken_and_the_retry_refunds_once(
    finance, sandbox, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    order = OrderFactory(status=PD)
    lost = _lost_refund(finance, order, sandbox, monkeypatch)
    _refund(finance, order, "click-2")
    lost.refresh_from_db()
    assert (lost.status, lost.failure_message) == (PaymentStatus.VOID, services.NOT_TAKEN)
    assert lost.failed and not lost.unresolved and lost.completed_at is not None
    retry = Payment.objects.filter(kind=PaymentKind.REFUND).exclude(pk=lost.pk).get()
    assert retry.status == PaymentStatus.SUCCEEDED
    assert _refund_calls(sandbox) == [retry.idempotency_key]
    order.refresh_from_db()
    assert order.status == RF
    not_taken = Event.objects.get(name="refund_not_taken")
    assert (not_taken.from_state, not_taken.to_state, not_taken.reason) == (
        PD,
        PD,
        services.NOT_TAKEN,
    )
    assert not_taken.actor == finance
    assert not_taken.payload == {"outcome": PaymentStatus.VOID, "amount": str(order.total)}


def test_shipping_settles_a_refund_whose_outcome_is_unknown(
    agent, finance, sandbox, monkeypatch
) -> None:
    order = OrderFactory(status=PD)
    lost = _lost_refund(finance, order, sandbox, monkeypatch)
    sandbox.answers[lost.idempotency_key] = GatewayResult(Outcome.SUCCEEDED, reference="re_late")
    with pytest.raises(TransitionNotAllowed, match="is Refunded: Ship is not possible"):
        services.ship_order(actor=agent, order_id=order.pk, tracking_number="TRK-1")
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (RF, "")


def test_shipping_is_refused_while_the_gateway_cannot_tell_about_a_refund(
    agent, finance, sandbox, monkeypatch
) -> None:
    order = OrderFactory(status=PD)
    _lost_refund(finance, order, sandbox, monkeypatch)

    def cannot_tell(**kwargs: Any) -> None:
        raise TimeoutError("gateway down")

    monkeypatch.setattr(sandbox, "lookup", cannot_tell)
    with pytest.raises(DomainError, match="last refund went through"):
        services.ship_order(actor=agent, order_id=order.pk, tracking_number="TRK-1")
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (PD, "")


def test_a_charge_whose_outcome_is_unknown_does_not_block_a_refund(
    finance, sandbox, monkeypatch
) -> None:
    """Refunding settles refunds: an old charge attempt is not its business."""
    order = OrderFactory(status=PD)
    Payment.objects.create(
        order=order, kind=PaymentKind.CHARGE, amount=order.total, currency=order.currency,
        gateway="sandbox", idempotency_key="old-charge", status=PaymentStatus.ERROR,
    )  # fmt: skip

    def cannot_tell(**kwargs: Any) -> None:
        raise TimeoutError("gateway down")

    monkeypatch.setattr(sandbox, "lookup", cannot_tell)
    _refund(finance, order, "r1")
    order.refresh_from_db()
    assert order.status == RF


# --- Replays and double clicks --------------------------------------------------------


def test_replaying_a_refund_key_answers_the_refund_without_refunding_again(
    finance, sandbox
) -> None:
    order = OrderFactory(status=PD)
    first = _refund(finance, order, "same")
    again = _refund(finance, order, "same")
    assert first.pk == again.pk and again.status == RF
    assert len(_refund_calls(sandbox)) == 1
    assert Payment.objects.filter(kind=PaymentKind.REFUND).count() == 1
    assert Event.objects.filter(name="order_refunded").count() == 1


def test_replaying_a_refused_refund_answers_the_refusal_without_calling_again(
    finance, sandbox
) -> None:
    order = OrderFactory(status=PD)
    Payment.objects.filter(order=order).update(gateway_reference="unknown")
    for _ in range(2):
        with pytest.raises(services.PaymentFailed, match="Refund failed: Unknown charge"):
            _refund(finance, order, "same")
    assert len(_refund_calls(sandbox)) == 1
    refused = Event.objects.get(name="refund_failed")
    assert (refused.from_state, refused.to_state, refused.actor) == (PD, PD, finance)
    assert "Unknown charge" in refused.reason


def test_replaying_the_key_of_a_refund_not_taken_answers_the_failure(
    finance, sandbox, monkeypatch
) -> None:
    order = OrderFactory(status=PD)
    _lost_refund(finance, order, sandbox, monkeypatch)
    # The same page pressed again: the lost attempt is settled as Not taken,
    # and its key gets that answer, not a success.
    with pytest.raises(services.PaymentFailed, match="Not taken"):
        _refund(finance, order, "click-1")
    order.refresh_from_db()
    assert order.status == PD and _refund_calls(sandbox) == []


def test_a_double_click_while_a_refund_is_in_flight_is_refused(finance, sandbox) -> None:
    order = OrderFactory(status=PD)
    services._record_refund_attempt(
        actor=finance, order_id=order.pk, reason="Arrived broken", key="first"
    )
    with pytest.raises(
        TransitionNotAllowed,
        match=r"^Refund is not possible: A refund is in progress; wait for its outcome\.$",
    ):
        _refund(finance, order, "second")
    with pytest.raises(TransitionNotAllowed, match="a refund is in progress"):
        _refund(finance, order, "first")
    assert _refund_calls(sandbox) == []
    assert Payment.objects.filter(kind=PaymentKind.REFUND).count() == 1


def test_the_refund_button_waits_while_a_refund_is_in_flight(finance, superuser) -> None:
    order = OrderFactory(status=DL)
    services._record_refund_attempt(actor=finance, order_id=order.pk, reason="Lost", key="first")
    order = Order.objects.get(pk=order.pk)
    options = {o.name: o.disabled_reason for o in transition_options(order, superuser)}
    assert options == {"refund": "A refund is in progress; wait for its outcome."}


def test_the_database_is_the_last_guard_against_a_second_concurrent_refund(finance) -> None:
    """Two clicks that both passed the checks: the partial unique index stops the second."""
    order = OrderFactory(status=PD)
    from apps.orders.services import payments as payment_services

    payment_services._new_payment(order=order, kind=PaymentKind.REFUND, request_key="a", reason="x")
    with pytest.raises(
        TransitionNotAllowed, match=f"A refund is in progress for {order.number}; wait"
    ):
        payment_services._new_payment(
            order=order, kind=PaymentKind.REFUND, request_key="b", reason="x"
        )
    with pytest.raises(InvalidInput, match="belongs to another payment"):
        payment_services._new_payment(order=order, kind=PaymentKind.CHARGE, request_key="a")
    assert list(Payment.objects.filter(request_key__in=["a", "b"]).values_list("request_key")) == [
        ("a",)
    ]


def test_a_charge_key_cannot_be_replayed_as_a_refund(agent, finance, sandbox) -> None:
    order = OrderFactory()
    services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="page-key")
    with pytest.raises(InvalidInput, match="belongs to another payment"):
        _refund(finance, order, "page-key")
    order.refresh_from_db()
    assert order.status == PD and _refund_calls(sandbox) == []


@pytest.mark.parametrize("key", ["", "k" * 81])
def test_a_refund_with_a_missing_or_oversized_key_is_refused(finance, sandbox, key: str) -> None:
    order = OrderFactory(status=PD)
    with pytest.raises(InvalidInput, match="refund request has no valid idempotency key"):
        _refund(finance, order, key)
    assert _refund_calls(sandbox) == [] and not Payment.objects.filter(kind="refund").exists()


def test_keys_of_exactly_eighty_characters_are_accepted(agent, finance, sandbox) -> None:
    order = OrderFactory()
    services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="c" * 80)
    _refund(finance, order, "r" * 80)
    order.refresh_from_db()
    assert order.status == RF
    assert set(Payment.objects.values_list("request_key", flat=True)) == {"c" * 80, "r" * 80}


def test_a_refund_sends_the_charge_reference_and_records_the_reason(finance, sandbox) -> None:
    order = OrderFactory(status=PD)
    _refund(finance, order, "r1", reason="  Wrong size  ")
    refund = Payment.objects.get(kind=PaymentKind.REFUND)
    assert (refund.reason, refund.payment_token, refund.amount, refund.currency) == (
        "Wrong size",
        "",
        order.total,
        order.currency,
    )
    assert refund.idempotency_key.startswith(f"refund-{order.number}-")
    assert refund.completed_at is not None and refund.completed_at >= refund.created_at
    order.refresh_from_db()
    assert order.refund_reason == "Wrong size"
    assert order.refunded_at is not None and order.updated_at >= order.refunded_at


# --- Late answers: an answer is a fact ------------------------------------------------


def _pending(order: Order, kind: str, key: str) -> Payment:
    return Payment.objects.create(
        order=order, kind=kind, amount=order.total, currency=order.currency,
        gateway="sandbox", idempotency_key=key, reason="Late" if kind == "refund" else "",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("state", "kind"),
    [(PD, "charge"), (SH, "charge"), (DL, "charge"), (RF, "charge"), (SH, "refund")],
)
def test_a_late_success_the_order_cannot_take_is_recorded_and_flagged(
    agent, state: str, kind: str
) -> None:
    order = OrderFactory(status=state)
    payment = _pending(order, kind, "late")
    services._record_answer(
        actor=agent,
        payment_id=payment.pk,
        answer=GatewayResult(Outcome.SUCCEEDED, reference="ref_late"),
    )
    payment.refresh_from_db()
    order.refresh_from_db()
    assert order.status == state
    assert (payment.status, payment.gateway_reference) == (PaymentStatus.SUCCEEDED, "ref_late")
    assert payment.completed_at is not None
    note = Event.objects.get(name="payment_needs_reconciliation")
    label = OrderStatus(state).label
    assert note.reason == (
        f"The gateway completed a {kind} of {order.total} {order.currency} "
        f"after the order became {label}: reconcile it by hand."
    )
    assert (note.from_state, note.to_state, note.actor) == (state, state, agent)
    assert note.payload == {"amount": str(order.total), "reference": "ref_late"}


def test_a_late_refund_success_on_a_delivered_order_refunds_it(agent) -> None:
    order = OrderFactory(status=DL)
    payment = _pending(order, "refund", "late")
    services._record_answer(
        actor=agent, payment_id=payment.pk, answer=GatewayResult(Outcome.SUCCEEDED, reference="re")
    )
    order.refresh_from_db()
    assert (order.status, order.refund_reason) == (RF, "Late")
    event = Event.objects.get(name="order_refunded")
    assert (event.from_state, event.to_state, event.reason) == (DL, RF, "Late")


def test_settling_leaves_an_answer_already_recorded_alone(agent, sandbox) -> None:
    order = OrderFactory()
    declined = _pending(order, "charge", "declined-once")
    Payment.objects.filter(pk=declined.pk).update(status=PaymentStatus.DECLINED)
    sandbox.answers["declined-once"] = GatewayResult(Outcome.SUCCEEDED, reference="ch_x")
    services._record_answer(actor=agent, payment_id=declined.pk, answer=None, settled=True)
    declined.refresh_from_db()
    order.refresh_from_db()
    assert declined.status == PaymentStatus.DECLINED and order.status == OrderStatus.PENDING
    assert not Event.objects.exists()


def test_each_role_sees_only_its_buttons(agent, finance) -> None:
    paid = OrderFactory(status=PD)
    assert [o.name for o in transition_options(paid, finance)] == ["refund"]
    assert [o.name for o in transition_options(paid, agent)] == ["ship"]


def test_the_first_failing_condition_is_the_reason_shown(superuser) -> None:
    from apps.markets.models import MarketStatus

    order = OrderFactory(market__status=MarketStatus.SUSPENDED)
    Payment.objects.create(
        order=order, kind=PaymentKind.CHARGE, amount=order.total, currency=order.currency,
        gateway="sandbox", idempotency_key="in-flight",
    )  # fmt: skip
    order = Order.objects.get(pk=order.pk)
    charge = transition_options(order, superuser)[0]
    assert (charge.name, charge.enabled, charge.disabled_reason) == (
        "charge",
        False,
        "Market is suspended.",
    )


def test_a_refund_key_cannot_be_replayed_as_a_charge(agent, finance, sandbox) -> None:
    order = OrderFactory()
    services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="charge-key")
    _refund(finance, order, "refund-key")
    with pytest.raises(InvalidInput, match="belongs to another payment"):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="refund-key")
    assert [operation for operation, _ in sandbox.calls] == ["charge", "refund"]


def test_a_charge_key_replayed_as_a_refund_with_no_reason_is_refused(
    agent, finance, sandbox
) -> None:
    """The charge's own reason is empty too: only its kind tells it from a refund."""
    order = OrderFactory()
    services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="page-key")
    with pytest.raises(InvalidInput, match="belongs to another payment"):
        _refund(finance, order, "page-key", reason="")
    order.refresh_from_db()
    assert order.status == PD and _refund_calls(sandbox) == []


@pytest.mark.parametrize("reason", ["Broken", "Lost in transit"])
def test_a_refund_key_replayed_with_another_reason_is_refused(finance, sandbox, reason) -> None:
    order = OrderFactory(status=PD)
    _refund(finance, order, "refund-key", reason="Damaged")
    with pytest.raises(InvalidInput, match="belongs to another payment"):
        _refund(finance, order, "refund-key", reason=reason)
    refund = Payment.objects.get(kind=PaymentKind.REFUND)
    assert refund.reason == "Damaged"
    assert _refund_calls(sandbox) == [refund.idempotency_key]
