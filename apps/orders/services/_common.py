"""What every use case of the orders context shares: its name, its error, its events."""

from __future__ import annotations

from typing import Any

from apps.accounts.api import User
from apps.core.errors import DomainError
from apps.core.events import DomainEvent
from apps.markets import api as markets_api

from ..models import (
    Order,
)

CONTEXT = "orders"


class PaymentFailed(DomainError):
    """The gateway declined, timed out or failed. The order is unchanged; the
    failed Payment is recorded with the gateway's message."""

    http_status = 402


def _event(order: Order, name: str, actor: User | None, **details: Any) -> DomainEvent:
    return DomainEvent.of(order, context=CONTEXT, name=name, actor=actor, **details)


def _locked_order(order_id: int) -> Order:
    try:
        return Order.objects.select_for_update().get(pk=order_id)
    except Order.DoesNotExist:
        raise DomainError("That order does not exist (any more).") from None


def _hold_market(order: Order) -> None:
    """Read the order's market and hold its row until this transaction ends.

    For recording a charge attempt: a suspension committing at the same time
    waits for the attempt's transaction, so an attempt is recorded only while
    the market is open, and a suspension sees every attempt made before it
    (its "charging paused" notes). The gateway is called after that commit:
    a suspension that lands while the gateway answers does not stop that one
    charge. ``FOR NO KEY UPDATE`` on PostgreSQL: new carts, orders and products
    of the market (whose foreign-key checks take a key-share lock) go on.
    """
    summary = markets_api.market_summary(order.market_id, lock=True)
    assert summary is not None  # the foreign key guarantees it
    order.market_info = summary
