from __future__ import annotations

import inspect
import re
import typing
from dataclasses import FrozenInstanceError
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


class OtherGateway(SandboxGateway):
    name = "other"


def test_one_gateway_per_process_and_setting_value(settings) -> None:
    sandbox = get_gateway()
    # The same path read again (a new str of the same value) keeps the instance
    # and with it the answers it remembers.
    settings.PAYMENT_GATEWAY = "".join(["apps.orders.payments.", "SandboxGateway"])
    assert get_gateway() is sandbox
    settings.PAYMENT_GATEWAY = "apps.orders.tests.test_payments.OtherGateway"
    assert get_gateway().name == "other"
    settings.PAYMENT_GATEWAY = "apps.orders.payments.SandboxGateway"
    assert get_gateway().name == "sandbox"


def test_references_name_the_operation_and_the_key() -> None:
    gateway = SandboxGateway()
    charge = gateway.charge(
        amount=Decimal("5"), currency="EUR", token="tok_visa", idempotency_key="c"
    )
    refund = gateway.refund(
        reference=charge.reference, amount=Decimal("5"), currency="EUR", idempotency_key="r"
    )
    assert re.fullmatch(r"ch_[0-9a-f]{20}", charge.reference)
    assert re.fullmatch(r"re_[0-9a-f]{20}", refund.reference)
    again = SandboxGateway().charge(
        amount=Decimal("9"), currency="SEK", token="tok_visa", idempotency_key="c"
    )
    assert again.reference == charge.reference


def test_a_gateway_answer_is_a_fact_that_cannot_be_changed() -> None:
    answer = SandboxGateway().charge(
        amount=Decimal("5"), currency="EUR", token="tok_visa", idempotency_key="k"
    )
    with pytest.raises(FrozenInstanceError):
        answer.reference = "ch_other"


@pytest.mark.parametrize("gateway", [PaymentGateway, SandboxGateway])
@pytest.mark.parametrize("method", ["charge", "refund", "lookup"])
def test_gateways_take_every_argument_by_keyword(gateway: type, method: str) -> None:
    """An amount, a currency and a reference must never be swapped by position."""
    function = getattr(gateway, method)
    typing.get_type_hints(function)  # the annotations mean something
    parameters = list(inspect.signature(function).parameters.values())[1:]
    assert parameters
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)
