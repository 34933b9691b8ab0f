"""What other contexts may ask of the activity context: an aggregate's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .models import Event

TIMELINE_LIMIT = 50


@dataclass(frozen=True)
class Timeline:
    """The newest events of one aggregate, for its page (``{% timeline %}``)."""

    events: list[Event]
    limit: int = TIMELINE_LIMIT


def timeline(aggregate_type: str, aggregate_id: Any) -> Timeline:
    """What happened to one aggregate, newest first, with who did it as named then (one query)."""
    events = list(
        Event.objects.for_aggregate(aggregate_type, aggregate_id).newest_first()[:TIMELINE_LIMIT]
    )
    return Timeline(events=events)


def latest_aggregate_id(event_name: str, **payload: Any) -> str | None:
    """The aggregate of the newest ``event_name`` event whose payload holds
    these values (one query), e.g. the order placed from a cart:
    ``latest_aggregate_id("order_placed", cart=7)``."""
    lookups = {f"payload__{key}": value for key, value in payload.items()}
    found: str | None = (
        Event.objects.filter(name=event_name, **lookups)
        .order_by("-occurred_at", "-pk")
        .values_list("aggregate_id", flat=True)
        .first()
    )
    return found


def has_acted(user_id: int) -> bool:
    """Whether the audit trail names this user as the actor of any event.

    Such a user cannot be deleted (``Event.actor`` is PROTECT), only deactivated.
    """
    return Event.objects.filter(actor_id=user_id).exists()
