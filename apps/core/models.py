"""Background work, as the shared kernel records it: one row per job.

A job is one side effect a context hands to the task worker (an email, the
notes a market's suspension puts on its orders). The row says what it is,
about which aggregate, how it went and what to run; ``apps.core.work`` runs
and retries it, and the failed-work page lists the ones that need a person.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .cache import bump_cache_version


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    RETRYING = "retrying", "Retrying"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    DISMISSED = "dismissed", "Dismissed"


NEEDS_ATTENTION = (JobStatus.FAILED, JobStatus.RETRYING)
# An attempt takes seconds (the mail timeout is 10 s); one "running" this long
# lost its worker (killed, out of memory) and will not finish on its own. One
# "queued" this long was never enqueued (the queue failed on commit) or no
# worker is running: either way a person should look.
STUCK_AFTER = timedelta(minutes=15)
CAN_GET_STUCK = (JobStatus.QUEUED, JobStatus.RUNNING)


def stuck_query() -> models.Q:
    return models.Q(status__in=CAN_GET_STUCK, updated_at__lt=timezone.now() - STUCK_AFTER)


# The cache version of whatever counts jobs (the dashboard's failed-work card):
# bumped on commit of every write to the table, through a model (save,
# delete: the signals below) or a QuerySet (update, bulk writes: JobQuerySet).
# Retries, successes and failures announce no domain event, so the "activity"
# version cannot stand for them; a job getting stuck is no write at all, so
# what is cached also says until when it holds (``attention_counts_until``).
JOBS_CACHE = "jobs"


def jobs_changed(using: str | None = None) -> None:
    """Make everything cached about the jobs stale once this transaction commits."""
    transaction.on_commit(lambda: bump_cache_version(JOBS_CACHE), using=using)


class JobQuerySet(models.QuerySet["Job"]):
    def update(self, **kwargs: Any) -> int:
        updated = super().update(**kwargs)
        jobs_changed(self.db)
        return updated

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[Job]:  # type: ignore[override]
        created = cast("list[Job]", super().bulk_create(*args, **kwargs))
        jobs_changed(self.db)
        return created

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        updated = super().bulk_update(*args, **kwargs)
        jobs_changed(self.db)
        return updated

    def needs_attention(self) -> JobQuerySet:
        """Failed for good, failing and waiting for its next attempt, or stuck running."""
        return self.filter(models.Q(status__in=NEEDS_ATTENTION) | stuck_query())

    def failed(self) -> JobQuerySet:
        return self.filter(status=JobStatus.FAILED)

    def stuck(self) -> JobQuerySet:
        return self.filter(stuck_query())

    def attention_counts(self) -> dict[str, int]:
        """How many jobs are failed, stuck and retrying: one query."""
        return self.attention_counts_until()[0]

    def attention_counts_until(self) -> tuple[dict[str, int], Any]:
        """``attention_counts`` and the moment they stop holding without any
        write: when the oldest queued or running job that is not stuck yet
        gets stuck (None: no such job). One query."""
        cutoff = timezone.now() - STUCK_AFTER
        row = self.aggregate(
            failed=models.Count("pk", filter=models.Q(status=JobStatus.FAILED)),
            stuck=models.Count(
                "pk", filter=models.Q(status__in=CAN_GET_STUCK, updated_at__lt=cutoff)
            ),
            retrying=models.Count("pk", filter=models.Q(status=JobStatus.RETRYING)),
            next_stuck=models.Min(
                "updated_at", filter=models.Q(status__in=CAN_GET_STUCK, updated_at__gte=cutoff)
            ),
        )
        next_stuck = row.pop("next_stuck")
        return row, None if next_stuck is None else next_stuck + STUCK_AFTER


class Job(models.Model):
    """One piece of background work and the story of its attempts.

    ``token`` names the attempt that may run next: an attempt enqueued with
    another token (superseded by Retry now, or dismissed) does nothing.
    """

    task_path = models.CharField(max_length=200)
    arguments = models.JSONField(default=dict, blank=True)
    context = models.CharField(max_length=40)
    name = models.CharField(max_length=60)
    subject_type = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=64)
    subject_label = models.CharField(max_length=200)
    subject_url = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField()
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    token = models.UUIDField(default=uuid.uuid4)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["status", "-updated_at"], name="job_status")]

    def __str__(self) -> str:
        return f"{self.label} for {self.subject_label}"

    @property
    def is_stuck(self) -> bool:
        return self.status in CAN_GET_STUCK and self.updated_at < timezone.now() - STUCK_AFTER

    @property
    def label(self) -> str:
        """``confirmation_email`` → ``Confirmation email``."""
        return self.name.replace("_", " ").capitalize()


def _job_written(sender: Any, instance: Job, using: str, **kwargs: Any) -> None:
    jobs_changed(using)


models.signals.post_save.connect(_job_written, sender=Job, dispatch_uid="core.jobs_changed")
models.signals.post_delete.connect(_job_written, sender=Job, dispatch_uid="core.jobs_changed")


class SavedViewQuerySet(models.QuerySet["SavedView"]):
    def visible_to(self, user: Any, list_name: str) -> SavedViewQuerySet:
        """A list's views the user may open: their own and those shared with everyone."""
        return (
            self.filter(list_name=list_name)
            .filter(models.Q(owner=user) | models.Q(shared=True))
            .order_by("name", "pk")
        )


class SavedView(models.Model):
    """A list's filters and sort under a name, private or shared with everyone.

    Its URL (``/views/<id>/``) is stable: it opens the list with ``query``.
    Others see a shared view read-only: only its owner may delete it.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    list_name = models.CharField(max_length=40)
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, blank=True)
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "list_name", "name"], name="saved_view_name_unique_per_owner"
            )
        ]

    def __str__(self) -> str:
        return self.name
