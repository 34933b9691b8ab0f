"""Reads of the activity context for its pages and filters."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from apps.core.fetching import strict
from apps.core.models import Job

from .models import Event, EventQuerySet

RECENT_EVENTS = 10
FAILED_WORK_LIMIT = 200


def events() -> EventQuerySet:
    return strict(Event.objects.all())


def recent_events(limit: int = RECENT_EVENTS) -> list[Event]:
    return list(Event.objects.newest_first()[:limit])


def distinct_values(field: str) -> list[tuple[str, str]]:
    """The values of ``field`` that occur (contexts, event names), as filter choices."""
    values = Event.objects.order_by(field).values_list(field, flat=True).distinct()
    return [(value, value.replace("_", " ")) for value in values]


def staff_users() -> QuerySet[Any]:
    return get_user_model().objects.filter(is_staff=True).order_by("username")


def work_attention_counts() -> dict[str, int]:
    """How many jobs are failed, stuck and retrying (one query): together, the
    rows of the failed-work page (``work_needing_attention``)."""
    return Job.objects.attention_counts()


def work_needing_attention(limit: int = FAILED_WORK_LIMIT) -> list[Job]:
    return list(Job.objects.needs_attention().order_by("-updated_at", "-pk")[:limit])
