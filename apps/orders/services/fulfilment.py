"""Fulfilment and cancelling: ship, mark delivered, cancel, one at a time or in bulk."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from apps.accounts.api import User
from apps.catalog import api as catalog_api
from apps.catalog.api import StockLine
from apps.core.bulk import BulkOutcome, each_on_its_own
from apps.core.errors import InvalidInput
from apps.core.transitions import transition_and_announce

from .. import signals
from ..models import (
    Order,
    PaymentKind,
)
from ._common import CONTEXT, _locked_order
from .payments import charge_payment, refund_order, settle_payments

# --- Fulfilment and cancelling --------------------------------------------------


def ship_order(*, actor: User, order_id: int, tracking_number: str) -> Order:
    """Paid → Shipped, with the carrier's tracking number; the customer is emailed.

    Not while a refund's outcome is unknown: the gateway is asked first.
    """
    settle_payments(actor=actor, order_id=order_id, kind=PaymentKind.REFUND)
    return _ship(actor=actor, order_id=order_id, tracking_number=tracking_number)


@transaction.atomic
def _ship(*, actor: User, order_id: int, tracking_number: str) -> Order:
    return transition_and_announce(
        _locked_order(order_id),
        "ship",
        actor=actor,
        context=CONTEXT,
        event_name="order_shipped",
        signal=signals.order_shipped,
        update_fields=["tracking_number", "shipped_at"],
        arguments={"tracking_number": tracking_number},
        payload=lambda order: {"tracking_number": order.tracking_number},
    )


@transaction.atomic
def mark_delivered(*, actor: User, order_id: int) -> Order:
    """Shipped → Delivered."""
    return transition_and_announce(
        _locked_order(order_id),
        "mark_delivered",
        actor=actor,
        context=CONTEXT,
        event_name="order_delivered",
        signal=signals.order_delivered,
        update_fields=["delivered_at"],
    )


def _give_stock_back(order: Order) -> None:
    catalog_api.return_stock(
        StockLine(line.product_id, line.quantity)
        for line in order.lines.all()
        if line.product_id is not None
    )


def cancel_order(*, actor: User, order_id: int) -> Order:
    """Pending → Cancelled; the stock goes back to the catalog in the same transaction.

    Not while a charge's outcome is unknown: the gateway is asked first, and
    if the money was taken the order is Paid (and cannot be cancelled).
    """
    settle_payments(actor=actor, order_id=order_id, kind=PaymentKind.CHARGE)
    return _cancel(actor=actor, order_id=order_id)


@transaction.atomic
def _cancel(*, actor: User, order_id: int) -> Order:
    return transition_and_announce(
        _locked_order(order_id),
        "cancel",
        actor=actor,
        context=CONTEXT,
        event_name="order_cancelled",
        signal=signals.order_cancelled,
        update_fields=["cancelled_at"],
        before=_give_stock_back,
    )


TRANSITION_SERVICES: dict[str, Callable[..., Any]] = {
    "charge": charge_payment,
    "cancel": cancel_order,
    "ship": ship_order,
    "mark_delivered": mark_delivered,
    "refund": refund_order,
}


# The transitions staff may run on many orders at once (labels: the model's).
BULK_ACTIONS = ("mark_delivered", "cancel")


def bulk_transition_orders(*, actor: User, order_ids: list[int], action: str) -> BulkOutcome[Order]:
    """Run ``action`` on each order in its own transaction; report done and skipped rows."""
    if action not in BULK_ACTIONS:
        raise InvalidInput(f"Unknown bulk action {action!r}.")
    service = TRANSITION_SERVICES[action]
    orders = Order.objects.filter(pk__in=order_ids).order_by("placed_at", "pk")
    return each_on_its_own(orders, lambda order: service(actor=actor, order_id=order.pk))
