"""Reactions: what the orders context records when other contexts or its own jobs report."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction

from apps.core.events import DomainEvent, announce, announce_many
from apps.markets.api import market_is_open

from .. import signals
from ..models import (
    ChargingNote,
    Order,
    SentEmail,
)
from ._common import CONTEXT, _event

logger = logging.getLogger(__name__)

# --- Reactions to the markets context ------------------------------------------


@transaction.atomic
def note_market_charging(
    *,
    market_id: int,
    paused: bool,
    reason: str,
    actor_id: int | None,
    market_event: str,
    occurred_at: datetime,
) -> int:
    """Put "charging paused/resumed" on the timeline of the market's pending orders.

    The rule itself needs no copy of the market's state: Charge payment
    reads the market's status when it is pressed. This tells the staff who
    look at an order why it cannot be charged, and since when (``occurred_at``,
    the market event's time, not this run's). One INSERT for all of them.

    Idempotent and order-aware, since it runs as a job that may be retried,
    repeated by Retry now or overtaken by a later event: an order already
    noted for ``market_event`` (the event's id) is not noted again, and
    nothing is noted if the market is no longer in the state the note would
    describe (a "paused" note for a market reinstated since). The orders are
    locked, so two runs do not both note them. Returns how many were noted.
    """
    name = "charging_paused" if paused else "charging_resumed"
    orders = list(
        Order.objects.pending().filter(market_id=market_id).select_for_update().order_by("pk")
    )
    if not orders:
        return 0
    if market_is_open(market_id) == paused:
        logger.info("market %s: %s notes skipped; the market changed since", market_id, name)
        return 0
    noted = set(
        ChargingNote.objects.filter(market_event=market_event, order__in=orders).values_list(
            "order_id", flat=True
        )
    )
    orders = [order for order in orders if order.pk not in noted]
    ChargingNote.objects.bulk_create(
        ChargingNote(order=order, market_event=market_event, paused=paused) for order in orders
    )
    events = [
        DomainEvent.of(
            order,
            context=CONTEXT,
            name=name,
            actor=None,
            actor_id=actor_id,
            reason=reason,
            occurred_at=occurred_at,
        )
        for order in orders
    ]
    signal = signals.charging_paused if paused else signals.charging_resumed
    announce_many(signal, sender=Order, events=events)
    return len(orders)


def record_email_sent(*, order_id: int, kind: str, name: str, recipient: str, subject: str) -> None:
    """Record that the ``kind`` email about an order went out; ``<name>_sent`` on its timeline.

    Called by the email job right after the mail server accepted it. If
    another run recorded it meanwhile (two workers sent it at once), it
    stays recorded once: the email went, which is all the job is about.
    """
    with transaction.atomic():
        order = Order.objects.get(pk=order_id)
        try:
            with transaction.atomic():
                SentEmail.objects.create(
                    order=order, kind=kind, recipient=recipient, subject=subject
                )
        except IntegrityError:
            logger.warning("order %s: %s email recorded by another run already", order_id, kind)
            return
        announce(
            signals.order_email_sent,
            sender=Order,
            event=_event(
                order, f"{name}_sent", None, payload={"to": recipient, "subject": subject}
            ),
            order=order,
        )
