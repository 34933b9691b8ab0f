"""The activity context records every domain event any context announces."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from apps.core.events import DomainEvent, event_recorded

from .models import Event


@receiver(event_recorded, dispatch_uid="activity.record_event")
def record_event(sender: type, event: DomainEvent, **kwargs: Any) -> None:
    # Runs inside the announcing service's transaction: the row commits or
    # rolls back with the change it records.
    Event.objects.create(
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
    )
