"""How the orders context reacts to events: its own (emails, fresh caches)
and the markets context's: a suspended market's pending orders cannot be
charged, so their timelines say so (and when charging resumes), and every
cached view of orders is recomputed.

Reactions that must not be lost (emails, the charging notes) are background
work (``apps.core.work``), recorded *inside* the transaction of the event
(``@in_transaction``: the job row commits with the change or not at all) and
run after it: retried when they fail for a passing reason, shown to
superusers when they fail for good. Cache bumps stay inline, on commit: a
missed one only means a fragment is recomputed at its timeout.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from apps.core.cache import bump_cache_version
from apps.core.events import DomainEvent, in_transaction
from apps.core.work import schedule
from apps.markets import signals as market_signals

from . import signals, tasks
from .emails import JOB_NAMES

CACHE_NAMESPACE = "orders"
CONTEXT = "orders"

EMAIL_ON = {
    signals.order_placed: "confirmation",
    signals.order_shipped: "shipped",
    signals.order_refunded: "refunded",
}


def _schedule_email(kind: str, event: DomainEvent) -> None:
    # In the transaction that placed, shipped or refunded the order: the job
    # commits with it; the email is sent once it has.
    schedule(
        tasks.send_order_email,
        context=CONTEXT,
        name=JOB_NAMES[kind],
        about=event,
        order_id=int(event.aggregate_id),
        kind=kind,
    )


@in_transaction(signals.order_placed)
def email_confirmation(event: DomainEvent) -> None:
    _schedule_email("confirmation", event)


@in_transaction(signals.order_shipped)
def email_shipped(event: DomainEvent) -> None:
    _schedule_email("shipped", event)


@in_transaction(signals.order_refunded)
def email_refunded(event: DomainEvent) -> None:
    _schedule_email("refunded", event)


@receiver(signals.order_placed, dispatch_uid="orders.cache.placed")
@receiver(signals.order_paid, dispatch_uid="orders.cache.paid")
@receiver(signals.payment_failed, dispatch_uid="orders.cache.payment_failed")
@receiver(signals.order_shipped, dispatch_uid="orders.cache.shipped")
@receiver(signals.order_delivered, dispatch_uid="orders.cache.delivered")
@receiver(signals.order_cancelled, dispatch_uid="orders.cache.cancelled")
@receiver(signals.order_refunded, dispatch_uid="orders.cache.refunded")
@receiver(market_signals.market_published, dispatch_uid="orders.cache.market_published")
@receiver(market_signals.market_suspended, dispatch_uid="orders.cache.market_suspended")
@receiver(market_signals.market_reinstated, dispatch_uid="orders.cache.market_reinstated")
@receiver(market_signals.market_archived, dispatch_uid="orders.cache.market_archived")
def invalidate_order_fragments(sender: type, **kwargs: Any) -> None:
    bump_cache_version(CACHE_NAMESPACE)


@in_transaction(market_signals.market_suspended)
def pause_charging(event: DomainEvent) -> None:
    # In the suspension's transaction: its reason is the orders' reason too.
    _note_charging(event, paused=True, reason=event.reason)


@in_transaction(market_signals.market_reinstated)
def resume_charging(event: DomainEvent) -> None:
    _note_charging(event, paused=False, reason="")


def _note_charging(event: DomainEvent, *, paused: bool, reason: str) -> None:
    # The market event's id and time: the job notes each order once per
    # event, stamped when it happened, not when the job ran.
    schedule(
        tasks.note_market_charging,
        context=CONTEXT,
        name="charging_paused_notes" if paused else "charging_resumed_notes",
        about=event,
        market_id=int(event.aggregate_id),
        paused=paused,
        reason=reason,
        actor_id=event.actor_id,
        market_event=str(event.id),
        occurred_at=event.occurred_at.isoformat(),
    )
