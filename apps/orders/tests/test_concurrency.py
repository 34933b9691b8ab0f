"""Two clicks at the same moment: exactly one charge reaches the gateway.

Real threads against the real database (SQLite or PostgreSQL): each
request's transaction runs on its own connection, as in production.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from apps.core.errors import DomainError
from apps.orders import services
from apps.orders.models import Order, OrderStatus, Payment
from apps.orders.payments import GatewayResult, Outcome, reset_gateway

from .factories import OrderFactory


class SlowGateway:
    """Takes its time, like a real network call, and counts what reaches it."""

    name = "slow-test"
    calls: list[str] = []
    lock = threading.Lock()

    def charge(
        self, *, amount: Decimal, currency: str, token: str, idempotency_key: str
    ) -> GatewayResult:
        with self.lock:
            SlowGateway.calls.append(idempotency_key)
        time.sleep(0.3)
        return GatewayResult(Outcome.SUCCEEDED, reference=f"ch_{idempotency_key}")

    def refund(self, **kwargs: Any) -> GatewayResult:  # pragma: no cover - not used here
        raise NotImplementedError("these tests only charge")

    def lookup(self, *, idempotency_key: str) -> GatewayResult | None:  # pragma: no cover
        return None


@pytest.fixture
def slow_gateway(settings):
    settings.PAYMENT_GATEWAY = "apps.orders.tests.test_concurrency.SlowGateway"
    SlowGateway.calls = []
    reset_gateway()
    yield SlowGateway
    reset_gateway()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_key", [True, False], ids=["double-click", "two-tabs"])
def test_concurrent_clicks_charge_once(agent, slow_gateway, same_key: bool) -> None:
    order = OrderFactory()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def click(key: str) -> None:
        start.wait()
        try:
            services.charge_payment(actor=agent, order_id=order.pk, idempotency_key=key)
            outcomes.append("charged")
        except DomainError as error:
            outcomes.append(f"refused: {error.message}")
        finally:
            connection.close()  # each thread had its own connection

    keys = ["same", "same"] if same_key else ["tab-1", "tab-2"]
    threads = [threading.Thread(target=click, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(slow_gateway.calls) == 1
    assert Payment.objects.filter(kind="charge").count() == 1
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert "charged" in outcomes
    assert len(outcomes) == 2
    other = [outcome for outcome in outcomes if outcome != "charged"]
    # The other click was told a charge is in progress, or (same key, after
    # the first finished) answered with the first outcome.
    assert all("charge is in progress" in outcome for outcome in other)
