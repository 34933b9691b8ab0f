"""/activity/failed-work/: superusers see failed and retrying background work,
retry or dismiss it; everyone else gets 403 and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.activity.models import Event
from apps.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _job(status: str = JobStatus.FAILED, number: int = 1) -> Job:
    return Job.objects.create(
        task_path="apps.orders.tasks.send_order_email",
        arguments={"order_id": number, "kind": "shipped"},
        context="orders",
        name="shipping_email",
        subject_type="order",
        subject_id=str(number),
        subject_label=f"ORD-{number:05d}",
        subject_url=f"/orders/ORD-{number:05d}/",
        status=status,
        attempts=6,
        max_attempts=6,
        last_error="SMTPDataError: (451, b'Try again later')",
    )


def test_lists_failed_and_retrying_work_only(client: Client, superuser) -> None:
    failed, retrying = _job(JobStatus.FAILED, 1), _job(JobStatus.RETRYING, 2)
    for status in (JobStatus.SUCCEEDED, JobStatus.DISMISSED, JobStatus.QUEUED):
        _job(status, 3)
    client.force_login(superuser)
    content = client.get("/activity/failed-work/").content.decode()
    assert content.count("data-job=") == 2
    assert f'data-job="{failed.pk}"' in content and f'data-job="{retrying.pk}"' in content
    assert "Shipping email" in content and 'href="/orders/ORD-00001/"' in content
    assert "6 of 6" in content and "Try again later" in content
    assert "Retry now" in content and "Dismiss" in content


@pytest.mark.parametrize("jobs", [1, 30])
def test_query_count_does_not_grow_with_rows(client: Client, superuser, jobs: int) -> None:
    for number in range(jobs):
        _job(JobStatus.FAILED, number)
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/activity/failed-work/", headers=HTMX)
    assert response.status_code == 200
    assert response.content.decode().count("data-job=") == jobs
    assert len(queries) <= 4  # session, user, last-active check, the jobs: never per row


@pytest.mark.parametrize("action", ["retry", "dismiss"])
def test_staff_who_are_not_superusers_get_403_and_change_nothing(
    client: Client, viewer, agent, action: str
) -> None:
    job = _job()
    for user in (viewer, agent):
        client.force_login(user)
        assert client.get("/activity/failed-work/").status_code == 403
        assert client.post(f"/activity/failed-work/{job.pk}/{action}/").status_code == 403
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert not Event.objects.exists()


def test_dismiss_is_an_event_on_the_subjects_timeline(client: Client, superuser) -> None:
    job = _job()
    client.force_login(superuser)
    response = client.post(f"/activity/failed-work/{job.pk}/dismiss/")
    assert response.status_code == 302 and response["Location"] == "/activity/failed-work/"
    job.refresh_from_db()
    assert job.status == JobStatus.DISMISSED
    event = Event.objects.get()
    assert (event.name, event.aggregate_type, event.aggregate_id, event.actor) == (
        "shipping_email_dismissed",
        "order",
        "1",
        superuser,
    )


def test_unknown_actions_and_jobs(client: Client, superuser) -> None:
    client.force_login(superuser)
    assert client.post("/activity/failed-work/1/explode/").status_code == 404
    response = client.post("/activity/failed-work/999/retry/", headers=HTMX)
    assert response.status_code == 400


def test_a_job_whose_worker_stopped_is_listed_as_stuck_and_can_be_retried(
    client: Client, superuser
) -> None:
    stuck, running = _job(JobStatus.RUNNING, 1), _job(JobStatus.RUNNING, 2)
    Job.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - timedelta(minutes=20))
    client.force_login(superuser)
    content = client.get("/activity/failed-work/").content.decode()
    assert f'data-job="{stuck.pk}"' in content and "stuck: its worker stopped" in content
    assert f'data-job="{running.pk}"' not in content  # still within its time
    old_token = Job.objects.get(pk=stuck.pk).token
    assert client.post(f"/activity/failed-work/{stuck.pk}/retry/").status_code == 302
    stuck.refresh_from_db()
    assert stuck.token != old_token  # the lost attempt, should it come back, does nothing
    assert (
        client.post(f"/activity/failed-work/{running.pk}/retry/", headers=HTMX).status_code == 409
    )


def test_the_activity_page_links_superusers_to_failed_work(
    client: Client, superuser, viewer
) -> None:
    client.force_login(superuser)
    assert 'href="/activity/failed-work/"' in client.get("/activity/").content.decode()
    client.force_login(viewer)
    assert 'href="/activity/failed-work/"' not in client.get("/activity/").content.decode()


def test_a_job_never_picked_up_is_listed_as_stuck_and_can_be_retried(
    client: Client, superuser
) -> None:
    # Its enqueue failed on commit and even marking it failed did not work,
    # or no worker runs: it is not lost, it waits here.
    stuck, fresh = _job(JobStatus.QUEUED, 1), _job(JobStatus.QUEUED, 2)
    Job.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - timedelta(minutes=20))
    client.force_login(superuser)
    content = client.get("/activity/failed-work/").content.decode()
    assert f'data-job="{stuck.pk}"' in content and "stuck: never picked up" in content
    assert f'data-job="{fresh.pk}"' not in content
    assert client.post(f"/activity/failed-work/{stuck.pk}/retry/").status_code == 302


@pytest.mark.django_db(transaction=True)  # commits, so Retry now runs the job at once
def test_retry_now_on_the_immediate_backend_says_whether_it_worked(
    client: Client, superuser, mailoutbox
) -> None:
    from apps.orders.tests.factories import OrderFactory

    order = OrderFactory()
    works = _job(JobStatus.FAILED, order.pk)
    broken = _job(JobStatus.FAILED, order.pk + 1000)  # no such order: fails again
    client.force_login(superuser)
    response = client.post(f"/activity/failed-work/{works.pk}/retry/")
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == [f"Shipping email for ORD-{order.pk:05d}: done."]
    assert len(mailoutbox) == 1
    response = client.post(f"/activity/failed-work/{broken.pk}/retry/")
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert "failed again: DoesNotExist" in said[-1]


@pytest.mark.django_db(transaction=True)
def test_retry_now_when_the_queue_is_down_says_so_on_the_job(
    client: Client, superuser, monkeypatch
) -> None:
    from apps.core import work

    def queue_down(job: Job, **kwargs: object) -> None:
        raise ConnectionRefusedError("the queue is down")

    monkeypatch.setattr(work, "_enqueue", queue_down)
    job = _job(JobStatus.FAILED)
    client.force_login(superuser)
    response = client.post(f"/activity/failed-work/{job.pk}/retry/")
    assert response.status_code == 302  # not a 500 after the retry committed
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.last_error.startswith("could not be queued: ConnectionRefusedError")
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert "failed again: could not be queued" in said[-1]
