"""Reads of the activity context for its pages and filters."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q, QuerySet

from apps.core.fetching import strict
from apps.core.models import Job

from .models import Event, EventQuerySet

RECENT_EVENTS = 10
FAILED_WORK_LIMIT = 200
MAX_CHOICE_WORDS = 10  # as a list's search box (UI.md)


def events() -> EventQuerySet:
    return strict(Event.objects.all())


def recent_events(limit: int = RECENT_EVENTS) -> list[Event]:
    return list(Event.objects.newest_first()[:limit])


# The distinct values of an indexed column, one index seek per value (a "loose
# index scan", which neither database plans for DISTINCT by itself): a dozen
# seeks instead of reading 360,000 events (60 ms each on PostgreSQL).
_DISTINCT = """
    WITH RECURSIVE found(value) AS (
        SELECT MIN({column}) FROM activity_event
        UNION ALL
        SELECT (SELECT MIN({column}) FROM activity_event WHERE {column} > found.value)
        FROM found WHERE found.value IS NOT NULL
    )
    SELECT value FROM found WHERE value IS NOT NULL
"""
# Only these columns (each the first of an index: event_context, event_name).
DISTINCT_SQL = {column: _DISTINCT.format(column=column) for column in ("context", "name")}


def distinct_values(field: str) -> list[tuple[str, str]]:
    """The values of ``field`` that occur (contexts, event names), in order, as filter choices."""
    with connection.cursor() as cursor:
        cursor.execute(DISTINCT_SQL[field])
        values = [value for (value,) in cursor.fetchall()]
    return [(value, value.replace("_", " ")) for value in values]


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


def work_attention_counts_until() -> tuple[dict[str, int], Any]:
    """``work_attention_counts`` and until when they hold if no job is written
    (a queued or running job gets stuck by the clock alone); None: until the
    next write. Writes bump the "jobs" cache version (apps/core/models.py)."""
    return Job.objects.attention_counts_until()


def work_needing_attention(limit: int = FAILED_WORK_LIMIT) -> list[Job]:
    return list(Job.objects.needs_attention().order_by("-updated_at", "-pk")[:limit])
