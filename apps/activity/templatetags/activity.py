"""``{% timeline aggregate_type aggregate_id %}``: any context's page can show its history."""

from __future__ import annotations

from typing import Any

from django import template

from apps.activity.models import Event

register = template.Library()

TIMELINE_LIMIT = 50


@register.inclusion_tag("activity/timeline.html")
def timeline(aggregate_type: str, aggregate_id: Any) -> dict[str, Any]:
    events = list(
        Event.objects.for_aggregate(aggregate_type, aggregate_id)
        .with_actor()
        .newest_first()[:TIMELINE_LIMIT]
    )
    return {"events": events, "limit": TIMELINE_LIMIT}
