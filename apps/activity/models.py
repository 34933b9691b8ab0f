"""The audit trail: what happened, to what, by whom, when."""

from __future__ import annotations

from django.conf import settings
from django.db import connections, models
from django.db.models.expressions import RawSQL

from apps.core.text import INDEXED_SEARCH_LENGTH, every_word_in_any, fts5_phrase, search_words

ACTOR_NAME_LENGTH = 301  # first name (150), a space, last name (150): display_name's longest


# The FTS5 table of migration 0004 (SQLite): subject and reason of every event.
EVENT_SEARCH_SQLITE = "SELECT rowid FROM activity_event_search WHERE activity_event_search MATCH %s"


class EventQuerySet(models.QuerySet["Event"]):
    def for_aggregate(self, aggregate_type: str, aggregate_id: object) -> EventQuerySet:
        return self.filter(aggregate_type=aggregate_type, aggregate_id=str(aggregate_id))

    def newest_first(self) -> EventQuerySet:
        return self.order_by("-occurred_at", "-pk")

    def search(self, query: str) -> EventQuerySet:
        """Events whose subject or reason contains every word of ``query`` (bounded,
        any case; each word in either).

        Served by an index on both databases (migration 0004): PostgreSQL's
        trigram GIN indexes serve the ``icontains`` lookups; on SQLite an FTS5
        table with the trigram tokenizer finds the events with every word of
        ``INDEXED_SEARCH_LENGTH`` characters or more (``"a" AND "b"``: each
        phrase in any of the two columns), and shorter words are checked on
        those rows with the same lookups.
        """
        lookups = ("aggregate_label__icontains", "reason__icontains")
        words = search_words(query)
        indexed = [word for word in words if len(word) >= INDEXED_SEARCH_LENGTH]
        if indexed and connections[self.db].vendor == "sqlite":
            match = " AND ".join(fts5_phrase(word) for word in indexed)
            # A constant statement; what was typed is its parameter.
            matches = RawSQL(EVENT_SEARCH_SQLITE, [match])  # noqa: S611
            short = " ".join(word for word in words if len(word) < INDEXED_SEARCH_LENGTH)
            return self.filter(pk__in=matches).filter(every_word_in_any(short, *lookups))
        return self.filter(every_word_in_any(query, *lookups))


class Event(models.Model):
    """One domain event, written in the same transaction as the change it records."""

    context = models.CharField(max_length=40)
    name = models.CharField(max_length=60)
    aggregate_type = models.CharField(max_length=40)
    aggregate_id = models.CharField(max_length=64)
    aggregate_label = models.CharField(max_length=200)
    aggregate_url = models.CharField(max_length=200, blank=True)
    # PROTECT: a user who did something cannot be deleted, only deactivated,
    # so the audit trail never loses who did it (None is the system itself).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The actor's name as it read when the event happened: what the timeline
    # shows, unchanged by a later rename. Empty for the system.
    actor_name = models.CharField(max_length=ACTOR_NAME_LENGTH, blank=True)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()
    # How the actor reached us when not through the pages: "API (nightly sync)".
    via = models.CharField(max_length=120, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(
                fields=["aggregate_type", "aggregate_id", "-occurred_at"], name="event_aggregate"
            ),
            models.Index(fields=["-occurred_at"], name="event_occurred"),
            models.Index(fields=["context", "-occurred_at"], name="event_context"),
            models.Index(fields=["name", "-occurred_at"], name="event_name"),
            models.Index(fields=["actor", "-occurred_at"], name="event_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.aggregate_type}:{self.aggregate_id}"

    @property
    def reason_label(self) -> str:
        """What the event's text is, for the timeline: a gateway's answer to a
        payment, a background job's error, or the reason someone gave."""
        if "outcome" in (self.payload or {}):
            return "Gateway answer"
        if self.name.endswith("_failed") or self.name.endswith("_retried"):
            return "Error"
        return "Reason"

    @property
    def verb(self) -> str:
        """``market_suspended`` → ``suspended``: how the timeline reads it."""
        prefix = f"{self.aggregate_type}_"
        return self.name.removeprefix(prefix).replace("_", " ")
