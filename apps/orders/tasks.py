"""Background work of the orders context, retried by ``apps.core.work``.

Scheduled in the transaction of the event by ``receivers.py`` and enqueued
on its commit: with the database backend in prod a ``manage.py db_worker``
runs them, off the request, and retries transient failures; dev and tests
run them at once (ImmediateBackend). Each is idempotent: an email is sent
once per order and kind, a charging note once per order and market event.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from apps.core.events import DomainEvent
from apps.core.work import Adopted, background

from . import emails, services
from .models import Order

CONTEXT = "orders"


def _email_queued_by_the_previous_release(order_id: int, kind: str) -> Adopted | None:
    """Before background jobs, ``send_order_email(order_id, kind)`` was queued as is.

    Such a task, still queued when this release starts, becomes this
    release's job for the same email (sent once, retried, shown if it fails).
    """
    order = Order.objects.filter(pk=order_id).first()
    if order is None or kind not in emails.JOB_NAMES:
        return None
    name = emails.JOB_NAMES[kind]
    about = DomainEvent.of(order, context=CONTEXT, name=f"{name}_requested", actor=None)
    return Adopted(
        context=CONTEXT, name=name, about=about, arguments={"order_id": order_id, "kind": kind}
    )


@partial(background, adopt=_email_queued_by_the_previous_release)
def send_order_email(*, order_id: int, kind: str) -> None:
    emails.send_order_email(order_id=order_id, kind=kind)


@background
def note_market_charging(
    *,
    market_id: int,
    paused: bool,
    reason: str,
    actor_id: int | None,
    market_event: str,
    occurred_at: str,
) -> None:
    services.note_market_charging(
        market_id=market_id,
        paused=paused,
        reason=reason,
        actor_id=actor_id,
        market_event=market_event,
        occurred_at=datetime.fromisoformat(occurred_at),
    )
