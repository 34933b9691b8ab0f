"""Reactions: what the orders context records when other contexts or its own jobs report."""

from __future__ import annotations

from django.db import transaction

from apps.core.events import DomainEvent, announce, announce_many

from .. import signals
from ..models import (
    Order,
    SentEmail,
)
from ._common import CONTEXT, _event

# --- Reactions to the markets context ------------------------------------------


@transaction.atomic
def note_market_charging(*, market_id: int, paused: bool, reason: str, actor_id: int | None) -> int:
    """Put "charging paused/resumed" on the timeline of the market's pending orders.

    The rule itself needs no copy of the market's state: Charge payment
    reads the market's status when it is pressed. This tells the staff who
    look at an order why it cannot be charged, and since when. One INSERT for
    all of them. Returns how many orders were noted.
    """
    orders = list(Order.objects.pending().filter(market_id=market_id))
    name = "charging_paused" if paused else "charging_resumed"
    events = [
        DomainEvent.of(
            order, context=CONTEXT, name=name, actor=None, actor_id=actor_id, reason=reason
        )
        for order in orders
    ]
    signal = signals.charging_paused if paused else signals.charging_resumed
    announce_many(signal, sender=Order, events=events)
    return len(orders)


def record_email_sent(*, order_id: int, kind: str, name: str, recipient: str, subject: str) -> None:
    """Record that the ``kind`` email about an order went out; ``<name>_sent`` on its timeline.

    Called by the email job right after the mail server accepted it.
    """
    with transaction.atomic():
        order = Order.objects.get(pk=order_id)
        SentEmail.objects.create(order=order, kind=kind, recipient=recipient, subject=subject)
        announce(
            signals.order_email_sent,
            sender=Order,
            event=_event(
                order, f"{name}_sent", None, payload={"to": recipient, "subject": subject}
            ),
            order=order,
        )
