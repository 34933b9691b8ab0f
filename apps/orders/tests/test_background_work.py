"""Order emails and reactions as retried background work, on the database task backend.

The worker is django-tasks-db's, run in this process; mail goes by SMTP to a
loopback server (or to a port where nothing listens). See also
test_worker_process.py, which runs ``manage.py db_worker`` with the prod
settings.
"""

from __future__ import annotations

import errno
import smtplib
import socket
import ssl
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from apps.activity.models import Event
from apps.catalog.tests.factories import ProductFactory
from apps.core import work
from apps.core.models import Job, JobStatus
from apps.markets import services as market_services
from apps.markets.models import MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders import services, tasks
from apps.orders.models import Order, SentEmail

from .factories import CartFactory, CartItemFactory, OrderFactory
from .smtp import free_port, mailers_for, smtp_server

pytestmark = pytest.mark.django_db(transaction=True)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def port(settings) -> int:
    """Tasks on the database backend, retried at once, mail by SMTP to a free port."""
    settings.TASKS = DATABASE_TASKS
    settings.BACKGROUND_WORK = {"MAX_ATTEMPTS": 6, "FIRST_RETRY_SECONDS": 0}
    chosen = free_port()
    settings.MAILERS = mailers_for(chosen)
    return chosen


def run_worker(max_tasks: int | None = None) -> None:
    """``manage.py db_worker --batch [--max-tasks N]``, without its signal handlers."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def place_order(agent: Any, email: str = "ada@example.com") -> Order:
    cart = CartFactory(customer_name="Ada Lovelace", customer_email=email)
    product = ProductFactory(market=cart.market, price=Decimal("9.50"), stock=5, name="Kettle")
    CartItemFactory(cart=cart, product=product, quantity=1)
    return services.create_order_from_cart(actor=agent, cart_id=cart.pk)


def timeline(order: Order) -> list[str]:
    return list(
        Event.objects.for_aggregate("order", order.pk).order_by("pk").values_list("name", flat=True)
    )


def test_refused_twice_then_sent_exactly_once(agent, port: int, caplog) -> None:
    caplog.set_level("INFO", logger="apps.core.work")
    order = place_order(agent)
    job = Job.objects.get()
    assert (job.name, job.status, job.subject_label) == (
        "confirmation_email",
        JobStatus.QUEUED,
        order.number,
    )
    for attempt in (1, 2):
        run_worker(max_tasks=1)  # nothing listens: connection refused
        job.refresh_from_db()
        assert (job.status, job.attempts) == (JobStatus.RETRYING, attempt)
        assert "ConnectionRefusedError" in job.last_error
        assert job.next_attempt_at is not None
    with smtp_server(port) as mailbox:
        run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 3)
    assert len(mailbox.messages) == 1
    assert mailbox.messages[0]["Subject"] == f"Your order {order.number} is confirmed"
    # Each attempt is a task result of its own: two failed, one succeeded.
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == [
        "FAILED",
        "FAILED",
        "SUCCESSFUL",
    ]
    assert SentEmail.objects.filter(order=order, kind="confirmation").count() == 1
    assert timeline(order) == ["order_placed", "confirmation_email_sent"]
    # Every attempt is logged, the failed ones with the error and the wait.
    logged = [record.getMessage() for record in caplog.records if record.name == "apps.core.work"]
    assert [line for line in logged if ": attempt " in line and "failed" not in line] == [
        f"work job={job.pk} Confirmation email for {order.number}: attempt {n} of 6"
        for n in (1, 2, 3)
    ]
    assert sum("failed (ConnectionRefusedError" in line for line in logged) == 2
    assert logged[-1].endswith("succeeded on attempt 3")
    # The order's page says when its email went.
    client = Client()
    client.force_login(agent)
    assert "confirmation email sent" in client.get(order.get_absolute_url()).content.decode()


def test_a_permanent_failure_is_not_retried_is_shown_and_retry_now_sends_it(
    agent, superuser, viewer, port: int
) -> None:
    with smtp_server(port) as mailbox:
        mailbox.refuse.add("ada@example.com")
        order = place_order(agent)
        run_worker()
        job = Job.objects.get()
        assert (job.status, job.attempts) == (JobStatus.FAILED, 1)
        assert "550" in job.last_error
        assert not DBTaskResult.objects.ready().exists()  # not retried
        failed = Event.objects.get(name="confirmation_email_failed")
        assert failed.aggregate_id == str(order.pk)
        assert failed.reason.startswith("gave up after 1 attempt: SMTPRecipientsRefused")

        client = Client()
        client.force_login(viewer)
        assert client.get("/activity/failed-work/").status_code == 403
        client.force_login(superuser)
        page = client.get("/activity/failed-work/").content.decode()
        assert f'data-job="{job.pk}"' in page
        assert "Confirmation email" in page and order.number in page
        assert "1 of 6" in page and "No such user here" in page
        assert "Failed background work" in client.get("/").content.decode()

        mailbox.refuse.clear()  # the address was fixed at the mail server
        response = client.post(f"/activity/failed-work/{job.pk}/retry/")
        assert response.status_code == 302
        run_worker()
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED and job.attempts == 2
        assert len(mailbox.messages) == 1
        assert "Failed background work" not in client.get("/").content.decode()
        assert "data-failed-work-empty" in client.get("/activity/failed-work/").content.decode()
        retried = Event.objects.get(name="confirmation_email_retried")
        assert retried.actor == superuser and retried.aggregate_label == order.number
        assert timeline(order) == [
            "order_placed",
            "confirmation_email_failed",
            "confirmation_email_retried",
            "confirmation_email_sent",
        ]

        # A retry after a success sends nothing: a stale attempt of this job,
        # and a new job for the same order and kind, both find it sent.
        tasks.send_order_email.enqueue(job.pk, str(job.token))
        event = Event.objects.get(name="order_placed")
        again = work.schedule(
            tasks.send_order_email,
            context="orders",
            name="confirmation_email",
            about=_domain_event(event),
            order_id=order.pk,
            kind="confirmation",
        )
        run_worker()
        again.refresh_from_db()
        assert again.status == JobStatus.SUCCEEDED
        assert len(mailbox.messages) == 1
        refused = client.post(
            f"/activity/failed-work/{job.pk}/retry/", headers={"HX-Request": "true"}
        )
        assert refused.status_code == 409
        assert "only failed, retrying or stuck work can be retried" in refused.headers["HX-Trigger"]


def _domain_event(event: Event) -> Any:
    from apps.core.events import DomainEvent

    return DomainEvent(
        context=event.context,
        name=event.name,
        aggregate_type=event.aggregate_type,
        aggregate_id=event.aggregate_id,
        aggregate_label=event.aggregate_label,
        aggregate_url=event.aggregate_url,
        actor_id=None,
    )


def test_out_of_attempts_fails_for_good(agent, settings, port: int) -> None:
    settings.BACKGROUND_WORK = {"MAX_ATTEMPTS": 3, "FIRST_RETRY_SECONDS": 0}
    order = place_order(agent)
    run_worker()  # refused three times, each retry due at once
    job = Job.objects.get()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 3)
    assert DBTaskResult.objects.failed().count() == 3
    failed = Event.objects.get(name="confirmation_email_failed", aggregate_id=str(order.pk))
    assert failed.reason.startswith("gave up after 3 attempts: ConnectionRefusedError")


def test_dismiss_takes_it_off_the_page_and_the_dashboard(agent, superuser, port: int) -> None:
    order = place_order(agent, email="ada@example.com")
    with smtp_server(port) as mailbox:
        mailbox.refuse.add("ada@example.com")
        run_worker()
    job = Job.objects.get()
    client = Client()
    client.force_login(superuser)
    assert 'data-queue="Failed background work"' in client.get("/").content.decode()
    response = client.post(
        f"/activity/failed-work/{job.pk}/dismiss/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "data-failed-work-empty" in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.DISMISSED
    dismissed = Event.objects.get(name="confirmation_email_dismissed")
    assert (dismissed.actor, dismissed.aggregate_id) == (superuser, str(order.pk))
    assert "Failed background work" not in client.get("/").content.decode()
    run_worker()  # nothing left to run
    assert SentEmail.objects.count() == 0


def test_retry_now_supersedes_the_waiting_attempt(agent, superuser, port: int) -> None:
    place_order(agent)
    run_worker(max_tasks=1)
    job = Job.objects.get()
    assert job.status == JobStatus.RETRYING
    old_token = job.token
    work.retry_job(actor=superuser, job_id=job.pk)
    job.refresh_from_db()
    assert job.token != old_token and job.max_attempts == 1 + 6
    with smtp_server(port) as mailbox:
        run_worker()
    job.refresh_from_db()
    # Two attempts were queued (the waiting one and Retry now's): one ran.
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)
    assert len(mailbox.messages) == 1


def test_charging_paused_notes_are_retried_on_a_passing_database_error(
    manager, monkeypatch, port: int
) -> None:
    market = MarketFactory(status=MarketStatus.ACTIVE)
    order = OrderFactory(market=market)
    real = services.note_market_charging
    calls: list[int] = []

    def flaky(**arguments: Any) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**arguments)

    monkeypatch.setattr(services, "note_market_charging", flaky)
    market_services.suspend_market(actor=manager, market_id=market.pk, reason="Fraud review")
    run_worker()
    job = Job.objects.get(name="charging_paused_notes")
    assert (job.status, job.attempts, job.subject_type) == (JobStatus.SUCCEEDED, 2, "market")
    note = Event.objects.get(name="charging_paused")
    assert (note.aggregate_id, note.reason) == (str(order.pk), "Fraud review")


def test_a_job_that_fails_for_good_says_so_on_the_markets_timeline(
    manager, monkeypatch, port: int
) -> None:
    market = MarketFactory(status=MarketStatus.ACTIVE)

    def broken(**arguments: Any) -> int:
        raise ValueError("a bug, not a passing error")

    monkeypatch.setattr(services, "note_market_charging", broken)
    market_services.suspend_market(actor=manager, market_id=market.pk, reason="Fraud review")
    run_worker()
    job = Job.objects.get(name="charging_paused_notes")
    assert (job.status, job.attempts) == (JobStatus.FAILED, 1)
    failed = Event.objects.get(name="charging_paused_notes_failed")
    assert (failed.aggregate_type, failed.aggregate_id) == ("market", str(market.pk))


@pytest.mark.django_db(transaction=False)
def test_which_errors_are_worth_retrying() -> None:
    refused_for_now = smtplib.SMTPRecipientsRefused({"a@example.com": (451, b"Greylisted")})
    refused = smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"No such user")})
    assert work.is_transient(ConnectionRefusedError())
    assert work.is_transient(TimeoutError())
    assert work.is_transient(smtplib.SMTPServerDisconnected())
    assert work.is_transient(smtplib.SMTPDataError(421, b"Try again later"))
    assert work.is_transient(refused_for_now)
    assert not work.is_transient(refused)
    assert not work.is_transient(smtplib.SMTPSenderRefused(553, b"Bad sender", "x@example.com"))
    assert not work.is_transient(smtplib.SMTPAuthenticationError(535, b"Bad credentials"))
    assert not work.is_transient(ValueError())


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EHOSTUNREACH, "No route to host"),
        OSError(errno.ENETUNREACH, "Network is unreachable"),
        OSError(errno.ECONNRESET, "Connection reset by peer"),
        OSError(errno.ETIMEDOUT, "Connection timed out"),
        OSError(errno.EPIPE, "Broken pipe"),
        ssl.SSLEOFError(8, "EOF occurred in violation of protocol"),
        socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"),
    ],
    ids=repr,
)
def test_a_network_that_is_down_for_now_is_worth_retrying(error: OSError) -> None:
    assert work.is_transient(error)


@pytest.mark.django_db(transaction=False)
def test_a_broken_certificate_or_a_missing_file_is_not() -> None:
    assert not work.is_transient(ssl.SSLCertVerificationError(1, "certificate verify failed"))
    assert not work.is_transient(OSError(errno.ENOENT, "No such file or directory"))


@pytest.mark.django_db(transaction=False)
def test_retries_back_off_exponentially_with_jitter_over_about_an_hour() -> None:
    for _ in range(50):
        delays = [work.retry_delay(attempt) for attempt in range(1, 6)]
        for attempt, delay in enumerate(delays, start=1):
            nominal = 120 * 2 ** (attempt - 1)
            assert nominal * 0.75 <= delay.total_seconds() <= nominal * 1.25
        assert timedelta(minutes=45) <= sum(delays, timedelta()) <= timedelta(minutes=78)


@pytest.mark.django_db(transaction=False)
def test_on_the_immediate_backend_a_transient_failure_fails_for_good_at_once(
    agent, settings, django_capture_on_commit_callbacks
) -> None:
    # Dev and `make run`: nothing can wait, so it is shown at once for Retry now.
    settings.MAILERS = mailers_for(free_port())
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(agent)
    job = Job.objects.get()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 1)
    assert "ConnectionRefusedError" in job.last_error
    assert Event.objects.filter(
        name="confirmation_email_failed", aggregate_id=str(order.pk)
    ).exists()


# A dropped database connection, for real: the failure used to be recorded on
# the dead connection, so the job stayed "running" and the worker crashed.
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_terminate_backend needs PostgreSQL; on SQLite see "
    "test_charging_paused_notes_are_retried_on_a_passing_database_error",
)
def test_a_dropped_database_connection_is_retried(manager, monkeypatch, port: int) -> None:
    market = MarketFactory(status=MarketStatus.ACTIVE)
    order = OrderFactory(market=market)
    real = services.note_market_charging
    calls: list[int] = []

    def drop_the_connection_once(**arguments: Any) -> int:
        calls.append(1)
        if len(calls) == 1:
            with connection.cursor() as cursor:  # the server restarts, a proxy cuts us off
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return real(**arguments)

    monkeypatch.setattr(services, "note_market_charging", drop_the_connection_once)
    market_services.suspend_market(actor=manager, market_id=market.pk, reason="Fraud review")
    run_worker()  # does not crash
    job = Job.objects.get(name="charging_paused_notes")
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)
    assert "terminat" in job.last_error.lower() or "closed" in job.last_error.lower()
    assert Event.objects.filter(name="charging_paused", aggregate_id=str(order.pk)).count() == 1


# The outbox: the job row is written with the change, or neither is.
def test_if_the_email_job_cannot_be_recorded_the_order_is_not_placed(
    agent, monkeypatch, port: int
) -> None:
    def broken(**kwargs: Any) -> Job:
        raise OperationalError("database is locked")

    monkeypatch.setattr(Job.objects, "create", broken)
    with pytest.raises(OperationalError):
        place_order(agent)
    assert not Order.objects.exists()
    assert not Event.objects.filter(name="order_placed").exists()


def test_a_job_that_could_not_be_queued_is_shown_and_retry_now_sends_it(
    agent, superuser, monkeypatch, port: int
) -> None:
    real = work._enqueue

    def queue_down(job: Job, **kwargs: Any) -> None:
        raise ConnectionRefusedError("the queue is down")

    monkeypatch.setattr(work, "_enqueue", queue_down)
    order = place_order(agent)  # the order stands, the email is not lost
    monkeypatch.setattr(work, "_enqueue", real)
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert job.last_error.startswith("could not be queued: ConnectionRefusedError")
    assert "confirmation_email_failed" in timeline(order)
    client = Client()
    client.force_login(superuser)
    assert f'data-job="{job.pk}"' in client.get("/activity/failed-work/").content.decode()
    client.post(f"/activity/failed-work/{job.pk}/retry/")
    with smtp_server(port) as mailbox:
        run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert len(mailbox.messages) == 1


def test_retrying_a_stuck_notes_job_does_not_duplicate_notes(manager, superuser, port: int) -> None:
    market = MarketFactory(status=MarketStatus.ACTIVE)
    order = OrderFactory(market=market)
    market_services.suspend_market(actor=manager, market_id=market.pk, reason="Fraud review")
    run_worker()
    job = Job.objects.get(name="charging_paused_notes")
    # Its worker was killed after the notes committed, before "succeeded" was saved.
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, updated_at=timezone.now() - timedelta(minutes=20)
    )
    work.retry_job(actor=superuser, job_id=job.pk)
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert Event.objects.filter(name="charging_paused", aggregate_id=str(order.pk)).count() == 1


def test_retry_now_of_an_old_paused_notes_job_after_reinstatement_notes_nothing(
    manager, superuser, monkeypatch, port: int
) -> None:
    market = MarketFactory(status=MarketStatus.ACTIVE)
    order = OrderFactory(market=market)
    real = services.note_market_charging

    def paused_is_broken(**arguments: Any) -> int:
        if arguments["paused"]:
            raise ValueError("a bug")
        return real(**arguments)

    monkeypatch.setattr(services, "note_market_charging", paused_is_broken)
    market_services.suspend_market(actor=manager, market_id=market.pk, reason="Fraud review")
    run_worker()
    market_services.reinstate_market(actor=manager, market_id=market.pk)
    run_worker()
    monkeypatch.setattr(services, "note_market_charging", real)  # the bug is fixed
    paused = Job.objects.get(name="charging_paused_notes")
    assert paused.status == JobStatus.FAILED
    work.retry_job(actor=superuser, job_id=paused.pk)
    run_worker()
    paused.refresh_from_db()
    assert paused.status == JobStatus.SUCCEEDED
    # The market is active: the order's timeline must not end "charging paused".
    notes = [name for name in timeline(order) if name.startswith("charging_")]
    assert notes == ["charging_resumed"]


def test_charging_notes_are_stamped_with_the_time_of_the_market_event(manager, port: int) -> None:
    market = MarketFactory(status=MarketStatus.ACTIVE)
    OrderFactory(market=market)
    market_services.suspend_market(actor=manager, market_id=market.pk, reason="Fraud review")
    Job.objects.update(created_at=timezone.now())  # the worker runs later
    run_worker()
    suspended = Event.objects.get(name="market_suspended")
    note = Event.objects.get(name="charging_paused")
    assert note.occurred_at == suspended.occurred_at


# Upgrade or rollback: a task the previous release queued with its own
# arguments used to be "superseded" and marked SUCCESSFUL, dropped silently.
def test_an_email_queued_by_the_previous_release_is_sent_once(agent, port: int) -> None:
    order = place_order(agent)
    Job.objects.all().delete()
    DBTaskResult.objects.all().delete()
    # What the release before background jobs queued: send_order_email(order_id, kind).
    tasks.send_order_email.enqueue(order.pk, "confirmation")
    with smtp_server(port) as mailbox:
        run_worker()
    assert len(mailbox.messages) == 1
    job = Job.objects.get()
    assert (job.name, job.status, job.subject_id) == (
        "confirmation_email",
        JobStatus.SUCCEEDED,
        str(order.pk),
    )
    assert SentEmail.objects.filter(order=order, kind="confirmation").exists()


def test_a_task_of_another_release_that_cannot_be_read_fails_visibly(superuser, port: int) -> None:
    tasks.note_market_charging.enqueue(7, True, "Fraud review")  # some other signature
    run_worker()
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["FAILED"]
    shown = Job.objects.get()
    assert shown.status == JobStatus.FAILED and "another release" in shown.last_error
    assert shown.arguments == {"args": [7, True, "Fraud review"], "kwargs": {}}
    client = Client()
    client.force_login(superuser)
    assert f'data-job="{shown.pk}"' in client.get("/activity/failed-work/").content.decode()
    assert 'data-queue="Failed background work"' in client.get("/").content.decode()


def test_an_email_recorded_by_a_concurrent_run_counts_as_sent(agent, port: int) -> None:
    order = place_order(agent)
    arguments = {
        "order_id": order.pk,
        "kind": "confirmation",
        "name": "confirmation_email",
        "recipient": "ada@example.com",
        "subject": "Your order is confirmed",
    }
    services.record_email_sent(**arguments)
    services.record_email_sent(**arguments)  # the other worker: no IntegrityError
    assert SentEmail.objects.count() == 1
    assert timeline(order).count("confirmation_email_sent") == 1


def test_a_superseded_attempt_never_overwrites_the_newer_outcome(agent, port: int) -> None:
    # A slow attempt: meanwhile its job looked stuck, a superuser pressed
    # Retry now and a newer attempt took it over. The slow one then fails for
    # good; that must not mark failed a job that is no longer its own.
    order = place_order(agent)
    job = Job.objects.get(name="confirmation_email")
    job.status = JobStatus.QUEUED
    job.save(update_fields=["status"])

    def overtaken_then_refused(**arguments: Any) -> None:
        Job.objects.filter(pk=job.pk).update(token=str(uuid.uuid4()), status=JobStatus.QUEUED)
        raise smtplib.SMTPRecipientsRefused({"ada@example.com": (550, b"no such user")})

    with pytest.raises(smtplib.SMTPRecipientsRefused):
        work.attempt(
            tasks.send_order_email, job_id=job.pk, token=str(job.token),
            function=overtaken_then_refused,
        )  # fmt: skip
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED  # the newer attempt's, untouched
    assert "confirmation_email_failed" not in timeline(order)

    def overtaken_then_done(**arguments: Any) -> None:
        Job.objects.filter(pk=job.pk).update(token=str(uuid.uuid4()), status=JobStatus.FAILED)

    job.refresh_from_db()
    work.attempt(
        tasks.send_order_email, job_id=job.pk, token=str(job.token), function=overtaken_then_done
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
