"""How the orders context reacts to events: its own (emails, fresh caches)
and the markets context's: a suspended market's pending orders cannot be
charged, so their timelines say so (and when charging resumes), and every
cached view of orders is recomputed."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from apps.core.cache import bump_cache_version
from apps.core.events import DomainEvent
from apps.markets import signals as market_signals

from . import services, signals
from .tasks import send_order_email

CACHE_NAMESPACE = "orders"

EMAIL_ON = {
    signals.order_placed: "confirmation",
    signals.order_shipped: "shipped",
    signals.order_refunded: "refunded",
}


def _email(sender: type, signal: Any, order: Any, **kwargs: Any) -> None:
    # These signals are sent on commit: the order the email describes exists.
    send_order_email.enqueue(order.pk, EMAIL_ON[signal])


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
    services.note_market_charging(
        market_id=int(event.aggregate_id), paused=True, reason=event.reason, actor_id=event.actor_id
    )


@receiver(market_signals.market_reinstated, dispatch_uid="orders.market_reinstated")
def resume_charging(sender: type, event: DomainEvent, **kwargs: Any) -> None:
    services.note_market_charging(
        market_id=int(event.aggregate_id), paused=False, reason="", actor_id=event.actor_id
    )
