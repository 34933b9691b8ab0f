from __future__ import annotations

from decimal import Decimal

import pytest

from apps.orders.payments import Outcome, PaymentGateway, SandboxGateway, get_gateway


def test_the_configured_gateway_is_the_sandbox_and_keeps_the_protocol() -> None:
    gateway = get_gateway()
    assert isinstance(gateway, SandboxGateway)
    assert isinstance(gateway, PaymentGateway)
    assert gateway is get_gateway()


@pytest.mark.parametrize(
    ("token", "amount", "outcome"),
    [
        ("tok_visa", "10.00", Outcome.SUCCEEDED),
        ("tok_anything", "10.00", Outcome.SUCCEEDED),
        ("tok_decline", "10.00", Outcome.DECLINED),
        ("tok_timeout", "10.00", Outcome.TIMED_OUT),
        ("tok_error", "10.00", Outcome.ERROR),
        ("tok_visa", "10.51", Outcome.DECLINED),
        ("tok_visa", "10.52", Outcome.TIMED_OUT),
        ("tok_visa", "10.53", Outcome.ERROR),
    ],
)
def test_sandbox_is_deterministic(token: str, amount: str, outcome: Outcome) -> None:
    for attempt in range(2):
        result = SandboxGateway().charge(
            amount=Decimal(amount), currency="EUR", token=token, idempotency_key=f"k{attempt}"
        )
        assert result.outcome is outcome
        assert result.succeeded is (outcome is Outcome.SUCCEEDED)
        assert bool(result.reference) is result.succeeded
        assert bool(result.message) is not result.succeeded


def test_timeouts_and_errors_are_not_remembered() -> None:
    gateway = SandboxGateway()
    first = gateway.charge(
        amount=Decimal("5"), currency="EUR", token="tok_timeout", idempotency_key="k"
    )
    again = gateway.charge(
        amount=Decimal("5"), currency="EUR", token="tok_visa", idempotency_key="k"
    )
    assert first.outcome is Outcome.TIMED_OUT and again.succeeded
    assert len(gateway.calls) == 2


def test_same_key_gets_the_first_answer_and_is_processed_once() -> None:
    gateway = SandboxGateway()
    first = gateway.charge(
        amount=Decimal("5"), currency="EUR", token="tok_visa", idempotency_key="k"
    )
    again = gateway.charge(
        amount=Decimal("5"), currency="EUR", token="tok_decline", idempotency_key="k"
    )
    assert again == first
    assert gateway.calls == [("charge", "k")]


def test_refund_needs_a_known_charge() -> None:
    gateway = SandboxGateway()
    charge = gateway.charge(
        amount=Decimal("5"), currency="EUR", token="tok_visa", idempotency_key="c"
    )
    refund = gateway.refund(
        reference=charge.reference, amount=Decimal("5"), currency="EUR", idempotency_key="r"
    )
    assert refund.succeeded
    unknown = gateway.refund(
        reference="", amount=Decimal("5"), currency="EUR", idempotency_key="r2"
    )
    assert unknown.outcome is Outcome.DECLINED
