"""Charging and refunding through the gateway, between two transactions."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django_fsm import can_proceed

from apps.accounts.api import User
from apps.core.errors import (
    DomainError,
    InvalidInput,
    NotPermitted,
    RuleViolation,
    TransitionNotAllowed,
    invalid_input,
)
from apps.core.events import announce
from apps.core.transitions import check_transition

from .. import signals
from ..models import (
    UNRESOLVED_STATUSES,
    Order,
    Payment,
    PaymentKind,
    PaymentStatus,
)
from ..payments import GatewayResult, Outcome, get_gateway
from ._common import PaymentFailed, _event, _hold_market, _locked_order

logger = logging.getLogger("apps.orders.services")

# The Payment transition that records each failed outcome.
FAILED_TRANSITION = {
    Outcome.DECLINED: "decline",
    Outcome.TIMED_OUT: "time_out",
    Outcome.ERROR: "fail_with_error",
}


# --- Charging and refunding ---------------------------------------------------
#
# Every gateway call is a Payment recorded first (Pending, with a fresh
# idempotency key sent to the gateway and the page's request key that dedups
# clicks), made with no lock held, and answered in a second transaction.
# An answer is a fact: a success is recorded even if the order moved on
# meanwhile (flagged for reconciliation, never a 500), and never downgraded.
#
# An attempt whose outcome is unknown (timed out, errored, or Pending for
# longer than a call can take) is settled before anything else is done with
# the order: the gateway is asked what became of it (``lookup``) and the
# answer recorded; "never arrived" is Not taken. So an order is never
# cancelled, shipped, charged or refunded again while money may have moved.

MAX_KEY_LENGTH = 80
SETTLE_ERROR = (
    "The payment gateway cannot say yet whether the last {kind} went through; "
    "nothing was changed. Try again in a moment."
)


@dataclass(frozen=True)
class ChargeOutcome:
    order: Order
    payment: Payment
    charged_now: bool  # False when the key had been seen: the first answer is returned


def _check_key(key: str, action: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"The {action} request has no valid idempotency key; reload the page.")


def _call_gateway(operation: Callable[..., GatewayResult], **arguments: Any) -> GatewayResult:
    """Never let an adapter's exception leave a payment Pending for good."""
    try:
        return operation(**arguments)
    except Exception as error:
        logger.exception("payment gateway raised")
        return GatewayResult(
            Outcome.ERROR,
            message=f"Gateway error ({error.__class__.__name__}); whether money moved is "
            "checked with the gateway before anything else is done with this order.",
        )


def settle_payments(*, actor: User, order_id: int, kind: str) -> None:
    """Ask the gateway about every attempt of ``kind`` whose outcome is unknown.

    Called before an action that must not run while money may have moved.
    Attempts still in flight are left alone (the action's condition waits
    for them). Raises ``DomainError`` when the gateway cannot tell now.
    """
    gateway = get_gateway()
    for payment in Payment.objects.unresolved().filter(order_id=order_id, kind=kind):
        if payment.in_flight:
            continue
        try:
            answer = gateway.lookup(idempotency_key=payment.idempotency_key)
        except Exception as error:
            logger.exception("payment gateway lookup raised")
            raise DomainError(SETTLE_ERROR.format(kind=kind)) from error
        _record_answer(actor=actor, payment_id=payment.pk, answer=answer, settled=True)


def _new_payment(*, order: Order, kind: str, request_key: str, reason: str = "") -> Payment:
    try:
        with transaction.atomic():
            return Payment.objects.create(
                order=order,
                kind=kind,
                amount=order.total,
                currency=order.currency,
                gateway=get_gateway().name,
                idempotency_key=f"{kind}-{order.number}-{uuid.uuid4().hex[:16]}",
                request_key=request_key,
                payment_token=order.payment_token if kind == PaymentKind.CHARGE else "",
                reason=reason,
            )
    except IntegrityError:
        if Payment.objects.filter(request_key=request_key).exists():
            raise InvalidInput("That idempotency key belongs to another payment.") from None
        # The partial unique index: another click is making this payment now.
        raise TransitionNotAllowed(
            f"A {kind} is in progress for {order.number}; wait for its outcome."
        ) from None


def _seen(key: str, *, order: Order, kind: str, reason: str | None = None) -> Payment | None:
    seen = Payment.objects.filter(request_key=key).first()
    if seen is not None and (
        seen.order_id != order.pk
        or seen.kind != kind
        or (reason is not None and seen.reason != reason.strip())
    ):
        raise InvalidInput("That idempotency key belongs to another payment.")
    return seen


def _await_outcome(payment: Payment, seconds: float) -> Payment:
    """The payment once its gateway call has an answer, waiting up to ``seconds``.

    A repeated request (same key) that arrives while the first is still at
    the gateway is then answered as the first was, instead of "in progress".
    """
    deadline = time.monotonic() + seconds
    while payment.in_flight and time.monotonic() < deadline:
        time.sleep(0.05)
        # A fresh read, not refresh_from_db: the status field is protected.
        payment = Payment.objects.get(pk=payment.pk)
    return payment


def charge_payment(
    *, actor: User, order_id: int, idempotency_key: str, await_seconds: float = 0.0
) -> ChargeOutcome:
    """Charge a Pending order's total through the gateway; Paid on success.

    ``idempotency_key`` comes from the page the user pressed the button on: a
    double click, a retry or a replayed request with the same key never
    charges again; it gets the first outcome back. A decline, timeout or
    gateway error leaves the order Pending and raises ``PaymentFailed`` with
    the gateway's message; the failed Payment stays on record. A repeat that
    arrives while the first is at the gateway waits up to ``await_seconds``
    for its answer (the API's repeats); the pages' double click does not wait.
    """
    if not actor.has_perm("orders.charge_order"):
        raise NotPermitted("Your role does not allow Charge payment.")
    _check_key(idempotency_key, "charge")
    settle_payments(actor=actor, order_id=order_id, kind=PaymentKind.CHARGE)
    payment, seen = _record_charge_attempt(actor=actor, order_id=order_id, key=idempotency_key)
    if seen:
        return _answer_seen_charge(_await_outcome(payment, await_seconds))
    result = _call_gateway(
        get_gateway().charge,
        amount=payment.amount,
        currency=payment.currency,
        token=payment.payment_token,
        idempotency_key=payment.idempotency_key,
    )
    payment = _record_answer(actor=actor, payment_id=payment.pk, answer=result)
    if payment.failed:
        raise PaymentFailed(payment.failure_message)
    return ChargeOutcome(order=payment.order, payment=payment, charged_now=True)


@transaction.atomic
def _record_charge_attempt(*, actor: User, order_id: int, key: str) -> tuple[Payment, bool]:
    order = _locked_order(order_id)
    seen = _seen(key, order=order, kind=PaymentKind.CHARGE)
    if seen is not None:
        return seen, True
    _hold_market(order)
    check_transition(order, "charge", actor=actor)
    return _new_payment(order=order, kind=PaymentKind.CHARGE, request_key=key), False


def _answer_seen_charge(payment: Payment) -> ChargeOutcome:
    if payment.unresolved:
        raise TransitionNotAllowed(
            "Charge payment is not possible: a charge is in progress; wait for its outcome."
        )
    if payment.failed:
        raise PaymentFailed(payment.failure_message)
    # A fresh read, not refresh_from_db: the order's status field is protected.
    order = Order.objects.get(pk=payment.order_id)
    return ChargeOutcome(order=order, payment=payment, charged_now=False)


@transaction.atomic
def _record_answer(
    *, actor: User, payment_id: int, answer: GatewayResult | None, settled: bool = False
) -> Payment:
    """Record what the gateway said about a payment, whatever happened meanwhile.

    ``answer`` None (from ``lookup``) means the request never arrived. A
    success already recorded is never overwritten. On success the order
    takes the transition when its state still allows it; otherwise the
    money moved for an order that has moved on, which is recorded as an
    event that asks staff to reconcile, not raised as an error.
    """
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    order = _locked_order(payment.order_id)
    payment.order = order
    if payment.status == PaymentStatus.SUCCEEDED or (
        settled and payment.status not in UNRESOLVED_STATUSES
    ):
        return payment
    if answer is None:
        payment.void()
    elif answer.succeeded:
        payment.succeed(reference=answer.reference)
    else:
        getattr(payment, FAILED_TRANSITION[answer.outcome])(message=answer.message)
    payment.save(update_fields=["status", "gateway_reference", "failure_message", "completed_at"])
    if payment.status == PaymentStatus.SUCCEEDED:
        _apply_success(actor=actor, order=order, payment=payment)
    else:
        name = "payment_failed" if payment.kind == PaymentKind.CHARGE else "refund_failed"
        if payment.status == PaymentStatus.VOID:
            name = f"{payment.kind}_not_taken"
        announce(
            signals.payment_failed,
            sender=Order,
            event=_event(
                order,
                name,
                actor,
                from_state=order.status,
                to_state=order.status,
                reason=payment.failure_message,
                payload={"outcome": payment.status, "amount": str(payment.amount)},
            ),
            order=order,
        )
    return payment


def _apply_success(*, actor: User, order: Order, payment: Payment) -> None:
    # The preconditions (role, market, nothing in flight) held when the
    # gateway was called; they are not asked again: the money has moved.
    from_state = order.status
    # Whether the order's state still allows the transition (its sources, as
    # the model declares them); the conditions are not asked again.
    if payment.kind == PaymentKind.CHARGE and can_proceed(order.charge, check_conditions=False):
        order.charge()
        order.save(update_fields=["status", "paid_at", "updated_at"])
        name, signal, details = "order_paid", signals.order_paid, {}
    elif payment.kind == PaymentKind.REFUND and can_proceed(order.refund, check_conditions=False):
        order.refund(reason=payment.reason)
        order.save(update_fields=["status", "refund_reason", "refunded_at", "updated_at"])
        name, signal, details = (
            "order_refunded",
            signals.order_refunded,
            {"reason": order.refund_reason},
        )
    else:
        name, signal = "payment_needs_reconciliation", signals.payment_failed
        details = {
            "reason": f"The gateway completed a {payment.kind} of {payment.amount} "
            f"{payment.currency} after the order became {order.get_status_display()}: "
            "reconcile it by hand."
        }
    announce(
        signal,
        sender=Order,
        event=_event(
            order,
            name,
            actor,
            from_state=from_state,
            to_state=order.status,
            payload={"amount": str(payment.amount), "reference": payment.gateway_reference},
            **details,
        ),
        order=order,
    )


def refund_order(
    *, actor: User, order_id: int, reason: str, idempotency_key: str, await_seconds: float = 0.0
) -> Order:
    """Refund a Paid or Delivered order's charge through the gateway; Refunded on success.

    Like charging: the refund is recorded first, the gateway is called with
    no lock held, the answer recorded after. A refusal leaves the order as it
    was and raises ``PaymentFailed``. The same key with another reason is
    refused (``InvalidInput``); a repeat waits as ``charge_payment``'s does.
    """
    if not actor.has_perm("orders.refund_order"):
        raise NotPermitted("Your role does not allow Refund.")
    _check_key(idempotency_key, "refund")
    settle_payments(actor=actor, order_id=order_id, kind=PaymentKind.REFUND)
    refund, seen = _record_refund_attempt(
        actor=actor, order_id=order_id, reason=reason, key=idempotency_key
    )
    if seen:
        refund = _await_outcome(refund, await_seconds)
        if refund.unresolved:
            raise TransitionNotAllowed("Refund is not possible: a refund is in progress.")
        if refund.failed:
            raise PaymentFailed(f"Refund failed: {refund.failure_message}")
        return Order.objects.get(pk=refund.order_id)
    charge = (
        Payment.objects.charges().filter(order_id=order_id, status=PaymentStatus.SUCCEEDED).first()
    )
    result = _call_gateway(
        get_gateway().refund,
        reference=charge.gateway_reference if charge else "",
        amount=refund.amount,
        currency=refund.currency,
        idempotency_key=refund.idempotency_key,
    )
    refund = _record_answer(actor=actor, payment_id=refund.pk, answer=result)
    if refund.failed:
        raise PaymentFailed(f"Refund failed: {refund.failure_message}")
    return refund.order


@transaction.atomic
def _record_refund_attempt(
    *, actor: User, order_id: int, reason: str, key: str
) -> tuple[Payment, bool]:
    order = _locked_order(order_id)
    seen = _seen(key, order=order, kind=PaymentKind.REFUND, reason=reason)
    if seen is not None:
        return seen, True
    transition = check_transition(order, "refund", actor=actor)
    try:
        reason = Order.refund_reason_for(reason)
    except RuleViolation as error:
        raise invalid_input(error, field=transition.custom["input"]) from error
    refund = _new_payment(order=order, kind=PaymentKind.REFUND, request_key=key, reason=reason)
    return refund, False
