"""Reads of the activity context for its pages and filters."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q, QuerySet

from apps.core.cache import cache_version
from apps.core.fetching import strict
from apps.core.models import Job

from .models import Event, EventQuerySet

RECENT_EVENTS = 10
FAILED_WORK_LIMIT = 200
# Bumped on commit of every event (receivers.CACHE_NAMESPACE).
ACTIVITY_VERSION = "activity"
DISTINCT_SECONDS = 3600
MAX_CHOICE_WORDS = 10  # as a list's search box (UI.md)


def events() -> EventQuerySet:
    return strict(Event.objects.all())


def recent_events(limit: int = RECENT_EVENTS) -> list[Event]:
    return list(Event.objects.newest_first()[:limit])


def distinct_values(field: str) -> list[tuple[str, str]]:
    """The values of ``field`` that occur (contexts, event names), as filter choices.

    A DISTINCT over every event (≈50 ms at 400,000 events on SQLite), so
    computed once per event: cached under the "activity" version, which every
    committed event bumps, so a new context or event name shows at once.
    """

    def compute() -> list[tuple[str, str]]:
        values = Event.objects.order_by(field).values_list(field, flat=True).distinct()
        return [(value, value.replace("_", " ")) for value in values]

    key = f"activity:distinct:{field}:{cache_version(ACTIVITY_VERSION)}"
    values: list[tuple[str, str]] = cache.get_or_set(key, compute, DISTINCT_SECONDS) or compute()
    return values


def staff_users() -> QuerySet[Any]:
    return get_user_model().objects.filter(is_staff=True).order_by("username")


def staff_user_choices(query: str, *, limit: int) -> list[tuple[int, str, str, str]]:
    """``(id, username, first name, last name)`` of the staff whose username or
    name contains every word of ``query`` (all of them for ""), by username."""
    users = staff_users()
    for word in query.split()[:MAX_CHOICE_WORDS]:
        users = users.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
        )
    return list(users.values_list("pk", "username", "first_name", "last_name")[:limit])


def work_attention_counts() -> dict[str, int]:
    """How many jobs are failed, stuck and retrying (one query): together, the
    rows of the failed-work page (``work_needing_attention``)."""
    return Job.objects.attention_counts()


def work_needing_attention(limit: int = FAILED_WORK_LIMIT) -> list[Job]:
    return list(Job.objects.needs_attention().order_by("-updated_at", "-pk")[:limit])
