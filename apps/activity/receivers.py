"""The activity context records every domain event any context announces."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from apps.accounts.api import User
from apps.core.cache import bump_cache_version
from apps.core.events import DomainEvent, events_recorded

from .models import ACTOR_NAME_LENGTH, Event

CACHE_NAMESPACE = "activity"


@receiver(events_recorded, dispatch_uid="activity.record_events")
def record_events(sender: type, events: list[DomainEvent], **kwargs: Any) -> None:
    # Runs inside the announcing service's transaction: the rows commit or
    # roll back with the change they record. One INSERT for any batch.
    names = _actor_names(events)
    Event.objects.bulk_create(
        Event(
            context=event.context,
            name=event.name,
            aggregate_type=event.aggregate_type,
            aggregate_id=event.aggregate_id,
            aggregate_label=event.aggregate_label,
            aggregate_url=event.aggregate_url,
            actor_id=event.actor_id,
            actor_name=(event.actor_name or names.get(event.actor_id, ""))[:ACTOR_NAME_LENGTH],
            from_state=event.from_state,
            to_state=event.to_state,
            reason=event.reason,
            payload=event.payload,
            occurred_at=event.occurred_at,
            via=event.via,
        )
        for event in events
    )
    # Views that summarise recent history (the dashboard) key their cache on
    # this version: any committed domain event makes them stale.
    transaction.on_commit(lambda: bump_cache_version(CACHE_NAMESPACE), robust=True)


def _actor_names(events: list[DomainEvent]) -> dict[int | None, str]:
    """Display names of the actors the events name only by id (reactions carry just the id).

    No query when every event came with its actor's name (``DomainEvent.of``).
    """
    missing = {event.actor_id for event in events if event.actor_id and not event.actor_name}
    if not missing:
        return {}
    users = User.objects.filter(pk__in=missing).only("username", "first_name", "last_name")
    return {user.pk: user.display_name for user in users}
