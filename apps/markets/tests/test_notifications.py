"""A market's creator is emailed (text and HTML) when it is created, published,
suspended or reinstated: by a background job recorded in the event's own
transaction (the outbox) and run after it commits."""

from __future__ import annotations

import pytest
from django.db import transaction

from apps.core.models import Job, JobStatus
from apps.markets import emails, services
from apps.markets.models import CreatorEmail

pytestmark = pytest.mark.django_db


def _create(manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.create_market(
            actor=manager, name="Berlin Vintage", currency="EUR", description="Old things"
        )


def test_the_creator_is_emailed_after_commit_only(
    manager, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        market = services.create_market(actor=manager, name="Berlin Vintage", currency="EUR")
        assert mailoutbox == []  # not before commit
        # The outbox: the job is recorded with the change, and runs after the commit.
        assert Job.objects.filter(name="creator_email").exists()
    assert callbacks
    [email] = mailoutbox
    assert email.to == [f"{manager.get_full_name()} <{manager.email}>"]
    assert email.subject == "Your market Berlin Vintage was created"
    assert "Berlin Vintage was created as a Draft." in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html" and "<strong>Berlin Vintage</strong>" in html
    job = Job.objects.get(name="creator_email")
    assert (job.context, job.subject_id) == ("markets", str(market.pk))


def test_no_email_when_the_change_is_rolled_back(
    manager, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    def create_then_fail() -> None:
        with transaction.atomic():
            services.create_market(actor=manager, name="Gone", currency="EUR")
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        create_then_fail()
    assert mailoutbox == []
    assert not Job.objects.filter(name="creator_email").exists()


def test_published_suspended_and_reinstated_each_tell_the_creator(
    manager, superuser, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    market = _create(manager, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_market(actor=superuser, market_id=market.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.suspend_market(actor=superuser, market_id=market.pk, reason="Chargebacks")
    with django_capture_on_commit_callbacks(execute=True):
        services.reinstate_market(actor=superuser, market_id=market.pk)
    assert [email.subject for email in mailoutbox] == [
        "Your market Berlin Vintage was created",
        "Your market Berlin Vintage is live",
        "Your market Berlin Vintage was suspended",
        "Your market Berlin Vintage is active again",
    ]
    # Told to the creator, whoever acted.
    assert {tuple(email.to) for email in mailoutbox} == {
        (f"{manager.get_full_name()} <{manager.email}>",)
    }
    assert "Reason: Chargebacks" in mailoutbox[2].body


def test_a_rolled_back_suspension_sends_nothing(
    manager, superuser, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    market = _create(manager, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_market(actor=superuser, market_id=market.pk)
    mailoutbox.clear()

    def suspend_then_fail() -> None:
        with transaction.atomic():
            services.suspend_market(actor=superuser, market_id=market.pk, reason="Oops")
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        suspend_then_fail()
    assert mailoutbox == []


def test_a_creator_without_an_address_gets_no_job_and_nothing_is_said_to_have_gone(
    manager, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    manager.email = ""
    manager.save(update_fields=["email"])
    _create(manager, django_capture_on_commit_callbacks)
    assert mailoutbox == []
    # No job that "succeeded" at sending nothing.
    assert not Job.objects.filter(name="creator_email").exists()
    assert not CreatorEmail.objects.exists()


def test_an_address_removed_before_the_job_runs_fails_the_job_visibly(
    manager, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        market = services.create_market(actor=manager, name="Berlin Vintage", currency="EUR")
    manager.email = ""
    manager.save(update_fields=["email"])
    for callback in callbacks:
        callback()
    assert mailoutbox == []
    job = Job.objects.get(name="creator_email")
    assert job.status == JobStatus.FAILED
    assert job.last_error.endswith(f"Market {market.name} has no creator with an email address.")


def test_a_repeated_job_sends_the_email_of_an_event_once(
    manager, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    market = _create(manager, django_capture_on_commit_callbacks)
    job = Job.objects.get(name="creator_email")
    [sent] = CreatorEmail.objects.all()
    assert (sent.market_id, sent.event_name, str(sent.event_id)) == (
        market.pk,
        "market_created",
        job.arguments["event_id"],
    )
    assert sent.recipient == f"{manager.get_full_name()} <{manager.email}>"
    # The worker died after sending, before saying so: the job runs again.
    assert emails.send_creator_email(**job.arguments) is False
    assert len(mailoutbox) == 1


def test_each_occasion_is_told_even_when_the_event_name_repeats(
    manager, superuser, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    market = _create(manager, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_market(actor=superuser, market_id=market.pk)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.suspend_market(actor=superuser, market_id=market.pk, reason="Chargebacks")
        with django_capture_on_commit_callbacks(execute=True):
            services.reinstate_market(actor=superuser, market_id=market.pk)
    subjects = [email.subject for email in mailoutbox]
    assert subjects.count("Your market Berlin Vintage was suspended") == 2
    assert CreatorEmail.objects.filter(event_name="market_suspended").count() == 2


def test_two_runs_recording_the_same_email_leave_one_record_and_no_failure(
    manager, django_capture_on_commit_callbacks
) -> None:
    market = _create(manager, django_capture_on_commit_callbacks)
    [sent] = CreatorEmail.objects.all()
    services.record_creator_email(
        market_id=market.pk,
        event_id=str(sent.event_id),
        event_name=sent.event_name,
        recipient=sent.recipient,
        subject=sent.subject,
    )
    assert CreatorEmail.objects.count() == 1
