"""The activity context records every domain event any context announces."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from apps.core.cache import bump_cache_version
from apps.core.events import DomainEvent, events_recorded

from .models import Event

CACHE_NAMESPACE = "activity"


@receiver(events_recorded, dispatch_uid="activity.record_events")
def record_events(sender: type, events: list[DomainEvent], **kwargs: Any) -> None:
    # Runs inside the announcing service's transaction: the rows commit or
    # roll back with the change they record. One INSERT for any batch.
    Event.objects.bulk_create(
        Event(
            context=event.context,
            name=event.name,
            aggregate_type=event.aggregate_type,
            aggregate_id=event.aggregate_id,
            aggregate_label=event.aggregate_label,
            aggregate_url=event.aggregate_url,
            actor_id=event.actor_id,
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
