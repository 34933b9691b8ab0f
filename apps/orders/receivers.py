"""How the orders context reacts to events: its own (emails, fresh caches)
and the markets context's: a suspended market's pending orders cannot be
charged, so their timelines say so (and when charging resumes), and every
cached view of orders is recomputed.

Reactions that must not be lost (emails, the charging notes) are background
work (``apps.core.work``): retried when they fail for a passing reason,
shown to superusers when they fail for good. Cache bumps stay inline: a
missed one only means a fragment is recomputed at its timeout.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from apps.core.cache import bump_cache_version
from apps.core.events import DomainEvent
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


def _email(sender: type, signal: Any, event: DomainEvent, order: Any, **kwargs: Any) -> None:
    # These signals are sent on commit: the order the email describes exists.
    kind = EMAIL_ON[signal]
    schedule(
        tasks.send_order_email,
        context=CONTEXT,
        name=JOB_NAMES[kind],
        about=event,
        order_id=order.pk,
        kind=kind,
    )


for _signal, _kind in EMAIL_ON.items():
    _signal.connect(_email, dispatch_uid=f"orders.email.{_kind}")


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


@receiver(market_signals.market_suspended, dispatch_uid="orders.market_suspended")
def pause_charging(sender: type, event: DomainEvent, **kwargs: Any) -> None:
    # On commit of the suspension: its reason is the orders' reason too.
    _note_charging(event, paused=True, reason=event.reason)


@receiver(market_signals.market_reinstated, dispatch_uid="orders.market_reinstated")
def resume_charging(sender: type, event: DomainEvent, **kwargs: Any) -> None:
    _note_charging(event, paused=False, reason="")


def _note_charging(event: DomainEvent, *, paused: bool, reason: str) -> None:
    schedule(
        tasks.note_market_charging,
        context=CONTEXT,
        name="charging_paused_notes" if paused else "charging_resumed_notes",
        about=event,
        market_id=int(event.aggregate_id),
        paused=paused,
        reason=reason,
        actor_id=event.actor_id,
    )
