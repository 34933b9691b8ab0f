"""Payment gateways: one protocol, chosen by the ``PAYMENT_GATEWAY`` setting.

The shipped ``SandboxGateway`` is deterministic and honest about failure, so
demos and tests can exercise every path without a network:

===================  ==========================================================
payment token        outcome of ``charge``
===================  ==========================================================
``tok_visa``         succeeds (any token not listed here succeeds too)
``tok_decline``      declined: "Card declined: insufficient funds."
``tok_timeout``      times out: the gateway did not answer in time
``tok_error``        gateway error: "Gateway error: service unavailable."
===================  ==========================================================

An amount whose cents are ``.51`` is declined, ``.52`` times out and ``.53``
errors, whatever the token, so totals alone can drive a failure too.
Refunds succeed unless the charge's reference is unknown. A decided
answer (success, decline) is remembered by idempotency key, given again to a
retry and to ``lookup``; a timeout or an error is a request that never
arrived, so ``lookup`` answers None for it: nothing moved.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    TIMED_OUT = "timeout"
    ERROR = "error"


@dataclass(frozen=True)
class GatewayResult:
    """What the gateway said. ``reference`` identifies a success for refunds."""

    outcome: Outcome
    reference: str = ""
    message: str = ""

    @property
    def succeeded(self) -> bool:
        return self.outcome is Outcome.SUCCEEDED


@runtime_checkable
class PaymentGateway(Protocol):
    """Adapters never raise for a refused payment: they return the outcome.

    A network timeout or a 5xx becomes ``TIMED_OUT`` / ``ERROR`` with a
    message staff can read; the idempotency key lets a retry be answered
    with the first outcome instead of a second charge.
    """

    name: str

    def charge(
        self, *, amount: Decimal, currency: str, token: str, idempotency_key: str
    ) -> GatewayResult: ...

    def refund(
        self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult: ...

    def lookup(self, *, idempotency_key: str) -> GatewayResult | None:
        """What became of the request sent with this key: its outcome, or None
        when it never reached the gateway (nothing moved). Raises when the
        gateway cannot tell now."""
        ...


TOKEN_OUTCOMES = {
    "tok_decline": Outcome.DECLINED,
    "tok_timeout": Outcome.TIMED_OUT,
    "tok_error": Outcome.ERROR,
}
CENT_OUTCOMES = {51: Outcome.DECLINED, 52: Outcome.TIMED_OUT, 53: Outcome.ERROR}
MESSAGES = {
    Outcome.DECLINED: "Card declined: insufficient funds.",
    Outcome.TIMED_OUT: "The payment gateway did not answer in time; whether money moved is "
    "checked with the gateway before anything else is done with this order.",
    Outcome.ERROR: "Gateway error: service unavailable. Try again later.",
}


class SandboxGateway:
    """A deterministic in-process gateway for development, demos and tests."""

    name = "sandbox"

    def __init__(self) -> None:
        # Answers by idempotency key: a retry gets the first answer back.
        self.answers: dict[str, GatewayResult] = {}
        self.calls: list[tuple[str, str]] = []  # (operation, idempotency key) actually processed

    @staticmethod
    def _reference(prefix: str, key: str) -> str:
        return f"{prefix}_{hashlib.sha256(key.encode()).hexdigest()[:20]}"

    def charge(
        self, *, amount: Decimal, currency: str, token: str, idempotency_key: str
    ) -> GatewayResult:
        if idempotency_key in self.answers:
            return self.answers[idempotency_key]
        cents = int((amount * 100) % 100)
        outcome = TOKEN_OUTCOMES.get(token) or CENT_OUTCOMES.get(cents) or Outcome.SUCCEEDED
        if outcome is Outcome.SUCCEEDED:
            result = GatewayResult(outcome, reference=self._reference("ch", idempotency_key))
        else:
            result = GatewayResult(outcome, message=MESSAGES[outcome])
        self.calls.append(("charge", idempotency_key))
        if outcome in (Outcome.SUCCEEDED, Outcome.DECLINED):
            self.answers[idempotency_key] = result
        return result

    def refund(
        self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> GatewayResult:
        if idempotency_key in self.answers:
            return self.answers[idempotency_key]
        if not reference.startswith("ch_"):
            result = GatewayResult(Outcome.DECLINED, message=f"Unknown charge {reference!r}.")
        else:
            result = GatewayResult(
                Outcome.SUCCEEDED, reference=self._reference("re", idempotency_key)
            )
        self.calls.append(("refund", idempotency_key))
        self.answers[idempotency_key] = result
        return result

    def lookup(self, *, idempotency_key: str) -> GatewayResult | None:
        # Timeouts and errors are the requests that never arrived: not remembered.
        return self.answers.get(idempotency_key)


_gateway: PaymentGateway | None = None
_gateway_path: str | None = None


def get_gateway() -> PaymentGateway:
    """The configured gateway, one instance per process (and per setting value)."""
    global _gateway, _gateway_path  # a process-wide adapter instance
    path = getattr(settings, "PAYMENT_GATEWAY", "apps.orders.payments.SandboxGateway")
    if _gateway is None or path != _gateway_path:
        _gateway = import_string(path)()
        _gateway_path = path
    assert isinstance(_gateway, PaymentGateway)
    return _gateway


def reset_gateway() -> None:
    """Forget the instance (tests start each from a fresh sandbox)."""
    global _gateway
    _gateway = None
