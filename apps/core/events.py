"""Domain events: recorded inside the transaction, announced after commit.

A service announces each domain event once, with ``announce``:

1. ``events_recorded`` is sent at once, inside the service's transaction. Its
   receivers (the activity audit) write in that transaction, so a rolled-back
   change leaves no record and a committed one always has its record.
2. The context's own signal (``market_published``, ...) is sent on commit.
   Its receivers do side effects (cache invalidation, emails, reactions of
   other contexts) and never see a change that did not happen.

A reaction that must not be lost (an email, a note on other aggregates)
cannot wait for the commit: if recording it failed then, the change would
stand and the reaction would be gone. It registers with ``@in_transaction(
signal)`` instead and is called at once, inside the announcing transaction,
where it only *records* the work to do (``apps.core.work.schedule``: the
outbox). The record commits or rolls back with the change; the work itself
runs after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from apps.core.actors import Actor

_via: ContextVar[str] = ContextVar("via", default="")


@contextmanager
def acting_via(channel: str) -> Iterator[None]:
    """Every event announced inside says how the actor reached us ("API (nightly sync)").

    Set by an inbound adapter other than the pages (the API, once it knows
    the token); the pages set nothing, and their events say nothing.
    """
    token = _via.set(channel)
    try:
        yield
    finally:
        _via.reset(token)


def set_via(channel: str) -> None:
    """``acting_via`` for an adapter that runs each request in a context of its own
    (``contextvars.copy_context().run``), where nothing needs resetting."""
    _via.set(channel)


def current_via() -> str:
    return _via.get()


events_recorded = Signal()
"""Sent inside the transaction for every domain event, or batch of them.

Arguments: ``events`` (list of :class:`DomainEvent`). Receivers must only
write to the database (same transaction); anything else belongs to the
on-commit signal.
"""


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """What happened to which aggregate, by whom, as the audit trail keeps it."""

    context: str
    name: str
    aggregate_type: str
    aggregate_id: str
    aggregate_label: str
    aggregate_url: str = ""
    actor_id: int | None
    actor_name: str = ""
    """The actor's display name now; the audit keeps it as written at the time.
    Left empty, the recorder looks it up from ``actor_id``."""
    from_state: str = ""
    to_state: str = ""
    reason: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    occurred_at: datetime = field(default_factory=timezone.now)
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    """Names this occurrence, so a reaction can tell whether it already reacted to it."""
    via: str = field(default_factory=current_via)
    """The channel the actor used, when not the pages: ``API (token name)``."""

    @classmethod
    def of(
        cls,
        aggregate: Any,
        *,
        context: str,
        name: str,
        actor: Actor | None,
        actor_id: int | None = None,
        **details: Any,
    ) -> DomainEvent:
        """The event ``name`` about a model instance: its type, id, ``str()`` and URL.

        ``actor`` is a user, or None with ``actor_id`` when reacting to
        another context's event (which carries only the id).
        """
        return cls(
            context=context,
            name=name,
            aggregate_type=aggregate._meta.model_name,
            aggregate_id=str(aggregate.pk),
            aggregate_label=str(aggregate),
            aggregate_url=aggregate.get_absolute_url(),
            actor_id=actor.pk if actor is not None else actor_id,
            actor_name=actor.display_name if actor is not None else "",
            **details,
        )


InTransactionReaction = Callable[[DomainEvent], None]
_IN_TRANSACTION: dict[Signal, dict[str, InTransactionReaction]] = {}


def in_transaction(signal: Signal) -> Callable[[InTransactionReaction], InTransactionReaction]:
    """Call the decorated ``reaction(event)`` inside the transaction of every ``signal`` announced.

    For reactions that must not be lost: the reaction records what is to be
    done (a job) in the same transaction as the change. It may only write to
    the database; if it raises, the change is rolled back with it.
    """

    def register(reaction: InTransactionReaction) -> InTransactionReaction:
        key = f"{reaction.__module__}.{reaction.__qualname__}"
        _IN_TRANSACTION.setdefault(signal, {})[key] = reaction
        return reaction

    return register


def _react_in_transaction(signal: Signal, events: list[DomainEvent]) -> None:
    for reaction in _IN_TRANSACTION.get(signal, {}).values():
        for event in events:
            reaction(event)


def announce(signal: Signal, *, sender: type, event: DomainEvent, **arguments: Any) -> None:
    """Record ``event`` now and send ``signal(event=...)`` once the transaction commits."""
    events_recorded.send(sender=sender, events=[event])
    _react_in_transaction(signal, [event])
    transaction.on_commit(lambda: signal.send(sender=sender, event=event, **arguments), robust=True)


def announce_many(
    signal: Signal, *, sender: type, events: list[DomainEvent], **arguments: Any
) -> None:
    """Bulk work: record all ``events`` at once, send ``signal(events=...)`` on commit."""
    if not events:
        return
    events_recorded.send(sender=sender, events=events)
    _react_in_transaction(signal, events)
    transaction.on_commit(
        lambda: signal.send(sender=sender, events=events, **arguments), robust=True
    )
