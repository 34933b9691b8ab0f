"""Background work of the orders context, retried by ``apps.core.work``.

Scheduled in the transaction of the event by ``receivers.py`` and enqueued
on its commit: with the database backend in prod a ``manage.py db_worker``
runs them, off the request, and retries transient failures; dev and tests
run them at once (ImmediateBackend). Each is idempotent: an email is sent
once per order and kind, a charging note once per order and market event.
"""

from __future__ import annotations

from datetime import datetime

from apps.core.work import background

from . import emails, services


@background
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
