"""Payment.status is a protected state machine: every (state, transition) pair."""

from __future__ import annotations

import pytest
from django_fsm import TransitionNotAllowed

from apps.orders.models import NOT_TAKEN, Payment, PaymentKind, PaymentStatus

from .factories import OrderFactory

pytestmark = pytest.mark.django_db

S = PaymentStatus
ARGUMENTS = {
    "succeed": {"reference": "ch_1"},
    "decline": {"message": "Card declined"},
    "time_out": {"message": "No answer"},
    "fail_with_error": {"message": "Gateway error"},
    "void": {},
}
TARGETS = {
    "succeed": S.SUCCEEDED,
    "decline": S.DECLINED,
    "time_out": S.TIMED_OUT,
    "fail_with_error": S.ERROR,
    "void": S.VOID,
}
# What may happen from each state: any answer over anything but a success
# (an answer is a fact); Not taken only while the outcome is unknown.
ALLOWED = {
    S.PENDING: {"succeed", "decline", "time_out", "fail_with_error", "void"},
    S.TIMED_OUT: {"succeed", "decline", "time_out", "fail_with_error", "void"},
    S.ERROR: {"succeed", "decline", "time_out", "fail_with_error", "void"},
    S.DECLINED: {"succeed", "decline", "time_out", "fail_with_error"},
    S.VOID: {"succeed", "decline", "time_out", "fail_with_error"},
    S.SUCCEEDED: set(),
}


def _payment(status: str) -> Payment:
    order = OrderFactory()
    return Payment.objects.create(
        order=order, kind=PaymentKind.CHARGE, amount=order.total, currency=order.currency,
        gateway="sandbox", idempotency_key=f"k-{order.number}", status=status,
    )  # fmt: skip


@pytest.mark.parametrize("name", list(TARGETS))
@pytest.mark.parametrize("state", list(ALLOWED))
def test_every_state_and_transition(state: str, name: str) -> None:
    payment = _payment(state)
    if name not in ALLOWED[state]:
        with pytest.raises(TransitionNotAllowed):
            getattr(payment, name)(**ARGUMENTS[name])
        assert payment.status == state
        return
    getattr(payment, name)(**ARGUMENTS[name])
    payment.save()
    payment.refresh_from_db()
    assert payment.status == TARGETS[name]
    assert payment.completed_at is not None
    if name == "succeed":
        assert (payment.gateway_reference, payment.failure_message) == ("ch_1", "")
    elif name == "void":
        assert payment.failure_message == NOT_TAKEN
    else:
        assert payment.failure_message == ARGUMENTS[name]["message"]


@pytest.mark.parametrize("name", list(TARGETS))
def test_a_success_is_never_overwritten(name: str) -> None:
    payment = _payment(S.SUCCEEDED)
    with pytest.raises(TransitionNotAllowed):
        getattr(payment, name)(**ARGUMENTS[name])
    assert Payment.objects.get(pk=payment.pk).status == S.SUCCEEDED


def test_the_status_cannot_be_assigned() -> None:
    payment = _payment(S.PENDING)
    with pytest.raises(AttributeError):
        payment.status = S.SUCCEEDED


@pytest.mark.django_db
def test_a_stale_copy_cannot_overwrite_a_success() -> None:
    from django.db import transaction
    from django_fsm import ConcurrentTransition

    order = OrderFactory()
    payment = Payment.objects.create(
        order=order, kind=PaymentKind.CHARGE, amount=order.total, currency=order.currency,
        gateway="sandbox", idempotency_key="k-stale",
    )  # fmt: skip
    stale = Payment.objects.get(pk=payment.pk)
    fresh = Payment.objects.get(pk=payment.pk)
    fresh.succeed(reference="ch_1")
    fresh.save()
    stale.decline(message="a late decline")
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        stale.save()
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
