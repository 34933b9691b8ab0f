"""The dashboard's "Failed background work" card: failed, stuck and retrying
jobs, each said apart, counting exactly the rows its link opens; a link only
for those who may follow it."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client, TestCase
from django.utils import timezone

from apps.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db
CARD = 'data-queue="Failed background work"'


def _job(status: str, *, minutes_ago: float = 0) -> Job:
    # As the task worker's writes, committed: the "jobs" cache version is bumped on commit.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return _write_job(status, minutes_ago)


def _write_job(status: str, minutes_ago: float) -> Job:
    job = Job.objects.create(
        task_path="apps.orders.tasks.send_order_email",
        arguments={"order_id": 1, "kind": "shipped"},
        context="orders",
        name="shipping_email",
        subject_type="order",
        subject_id="1",
        subject_label="ORD-00001",
        status=status,
        attempts=1,
        max_attempts=6,
    )
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes_ago))
    return job


def _card(content: str) -> str:
    start = content.rindex("<", 0, content.index(CARD))  # the card's <a> or <div>
    return content[start : content.index("</p>", start)]


def test_the_card_counts_the_rows_its_link_opens_each_kind_said_apart(
    client: Client, superuser
) -> None:
    _job(JobStatus.FAILED)
    _job(JobStatus.RUNNING, minutes_ago=20)  # its worker died
    _job(JobStatus.QUEUED, minutes_ago=20)  # never picked up
    _job(JobStatus.RUNNING)  # running now: fine
    _job(JobStatus.SUCCEEDED, minutes_ago=20)  # done: fine
    for _ in range(2):
        _job(JobStatus.RETRYING)
    client.force_login(superuser)
    card = _card(client.get("/").content.decode())
    assert "data-count>5<" in card
    assert "1 failed" in card and "2 stuck" in card and "2 retrying" in card
    assert 'href="/activity/failed-work/"' in card
    listed = client.get("/activity/failed-work/").content.decode().count("<tr data-job=")
    assert listed == 5


def test_only_stuck_work_shows_the_card(client: Client, superuser) -> None:
    _job(JobStatus.RUNNING, minutes_ago=20)
    client.force_login(superuser)
    card = _card(client.get("/").content.decode())
    assert "data-count>1<" in card and "1 stuck" in card


def test_retrying_alone_shows_the_card_with_nothing_failed(client: Client, superuser) -> None:
    _job(JobStatus.RETRYING)
    client.force_login(superuser)
    card = _card(client.get("/").content.decode())
    assert "data-count>1<" in card and "1 retrying" in card


def test_others_see_the_count_but_no_link_they_could_not_follow(
    client: Client, manager, superuser
) -> None:
    _job(JobStatus.FAILED)
    client.force_login(manager)
    content = client.get("/").content.decode()
    assert CARD in content
    assert 'href="/activity/failed-work/"' not in content
    assert client.get("/activity/failed-work/").status_code == 403
    # The cached fragment is per kind of viewer: the superuser gets the link.
    client.force_login(superuser)
    assert 'href="/activity/failed-work/"' in client.get("/").content.decode()


def test_the_card_is_never_stale_though_retries_announce_nothing(client: Client, superuser) -> None:
    """The page is cached until the next domain event; a job going to retrying
    or succeeding on a retry announces none, but every write to a job bumps
    the "jobs" version the cached page is keyed on too, whatever wrote it (a
    model's save, a QuerySet's update)."""
    client.force_login(superuser)
    assert CARD not in client.get("/").content.decode()  # the cached page is filled
    job = _job(JobStatus.RETRYING)
    assert "data-count>1<" in _card(client.get("/").content.decode())
    with TestCase.captureOnCommitCallbacks(execute=True):
        Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED)
    assert CARD not in client.get("/").content.decode()
    assert "<tr data-job=" not in client.get("/activity/failed-work/").content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        job.status = JobStatus.FAILED
        job.save(update_fields=["status", "updated_at"])
    assert "1 failed" in _card(client.get("/").content.decode())
    with TestCase.captureOnCommitCallbacks(execute=True):
        job.delete()
    assert CARD not in client.get("/").content.decode()


def test_a_job_getting_stuck_shows_though_nothing_was_written(client: Client, superuser) -> None:
    """Stuck is the clock's doing, no write: the cached page holds only until
    the oldest queued or running job would get stuck."""
    _job(JobStatus.RUNNING, minutes_ago=14)  # stuck in a minute
    client.force_login(superuser)
    assert CARD not in client.get("/").content.decode()
    assert CARD not in client.get("/").content.decode()  # from the cache
    later = timezone.now() + timedelta(minutes=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert "1 stuck" in _card(client.get("/").content.decode())
