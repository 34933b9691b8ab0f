"""Background work that is retried, recorded and never lost silently.

A context turns a function into background work with ``@background`` (in its
``tasks.py``) and hands it over with ``schedule(...)``, usually from a
receiver of its own domain event. What happens then:

* A :class:`~apps.core.models.Job` row records what is to be done, about
  which aggregate, and the attempts. It is written in the transaction of the
  change that calls for it (an outbox: ``@in_transaction`` reactions of
  ``apps.core.events``), so the two commit or roll back together; the task
  is enqueued on commit. A job that could not be enqueued is marked failed
  (or, if even that fails, stays "queued" and is listed as stuck), so Retry
  now can run it. The django task carries only the job's id and the token of
  the attempt, so the row is the one truth, and a release may change a job
  function's arguments without changing the task's: only ``(job_id,
  token)``. A task called otherwise (queued by a release that passed other
  arguments) is scheduled as the job it meant if its ``adopt`` function can
  read it; else it fails, and is recorded as a failed job, never as a success.
* An attempt that fails on a **transient** error (connection refused or
  reset, a timeout, an SMTP ``4xx``, a database hiccup) is enqueued again
  with exponential backoff and jitter (``retry_delay``) until
  ``BACKGROUND_WORK["MAX_ATTEMPTS"]``; every attempt is logged. Anything
  else (an SMTP ``5xx`` such as a refused address, a bug) fails for good at
  once. The backend must be able to wait (``supports_defer``: the database
  backend in prod); on one that cannot (the immediate backend of dev and
  tests) a transient failure fails for good too, to be retried by hand.
* Failing for good announces ``<name>_failed`` on the aggregate's timeline
  (``work_failed``). Superusers see the job on the failed-work page and
  press **Retry now** (``retry_job``) or **Dismiss** (``dismiss_job``),
  both announced as domain events.

A job's function must be idempotent: an attempt may run again after a crash
and Retry now may be pressed after all. (Orders record each email sent.)
"""

from __future__ import annotations

import errno
import json
import logging
import random
import smtplib
import socket
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections, transaction
from django.dispatch import Signal
from django.tasks import Task, task
from django.utils import timezone
from django.utils.module_loading import import_string

from apps.core.actors import Actor

from .errors import DomainError, NotPermitted, TransitionNotAllowed
from .events import DomainEvent, announce
from .models import NEEDS_ATTENTION, Job, JobStatus

logger = logging.getLogger(__name__)

DEFAULTS = {"MAX_ATTEMPTS": 6, "FIRST_RETRY_SECONDS": 120}
TRANSIENT_ERRNOS = frozenset(
    getattr(errno, name)
    for name in (
        "ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "EPIPE", "ETIMEDOUT",
        "EHOSTUNREACH", "EHOSTDOWN", "ENETUNREACH", "ENETDOWN", "ENETRESET",
        "EAGAIN", "ENOBUFS",
    )
    if hasattr(errno, name)
)  # fmt: skip
JITTER = 0.25  # each delay is its nominal value ± 25 %, so retries do not arrive in step
ERROR_LENGTH = 1000

work_failed = Signal()
"""A job failed for good (a permanent error, or out of attempts). Event
``<name>_failed`` about the job's aggregate; ``event.reason`` = last error."""

work_retried = Signal()
"""A superuser pressed Retry now: the job runs again, with a fresh set of attempts."""

work_dismissed = Signal()
"""A superuser dismissed a failed or retrying job: it will not run again."""

_BACKGROUND: dict[str, Task] = {}


def _setting(name: str) -> int:
    return int(getattr(settings, "BACKGROUND_WORK", {}).get(name, DEFAULTS[name]))


@dataclass(frozen=True, kw_only=True)
class Adopted:
    """What a task queued by another release meant, as this release schedules it."""

    context: str
    name: str
    about: DomainEvent
    arguments: dict[str, Any]


Adopter = Callable[..., Adopted | None]


def background(function: Callable[..., None], *, adopt: Adopter | None = None) -> Task:
    """Make ``function`` (keyword arguments, JSON values) a retried django task.

    The task is named after ``function`` (same module and name), so the
    worker finds it; ``schedule`` is how it is enqueued. ``adopt``, if given,
    reads a call queued by another release under the same name (its own
    arguments) and says which job it meant: that job is scheduled instead of
    the call failing. Use it as ``@partial(background, adopt=...)``.
    """

    def run(*args: Any, **kwargs: Any) -> None:
        # Always (job_id, token), positional, however ``function`` changes.
        call = _this_release_call(args, kwargs)
        if call is None:
            if adopt is not None and _adopt(_BACKGROUND[path], adopt, args, kwargs):
                return
            _record_foreign_call(path, function, args, kwargs)
            return  # unreachable: it raises
        attempt(_BACKGROUND[path], job_id=call[0], token=call[1], function=function)

    run.__module__ = function.__module__
    run.__name__ = run.__qualname__ = function.__qualname__
    run.__doc__ = function.__doc__
    background_task: Task = task()(run)
    path = background_task.module_path
    _BACKGROUND[path] = background_task
    return background_task


def schedule(
    background_task: Task, *, context: str, name: str, about: DomainEvent, **arguments: Any
) -> Job:
    """Record a job ``name`` of ``context`` about the aggregate of ``about`` and enqueue it.

    ``arguments`` are the function's keyword arguments. Call it inside the
    transaction of the change (an ``@in_transaction`` reaction): the row
    commits with it or not at all. Enqueued on commit; should enqueueing
    fail, the job is marked failed (or stays queued, then stuck) and shown
    on the failed-work page, never lost.
    """
    if background_task.module_path not in _BACKGROUND:
        raise ValueError(f"{background_task.module_path} is not @background work")
    job = Job.objects.create(
        task_path=background_task.module_path,
        arguments=arguments,
        context=context,
        name=name,
        subject_type=about.aggregate_type,
        subject_id=about.aggregate_id,
        subject_label=about.aggregate_label[:200],
        subject_url=about.aggregate_url,
        max_attempts=_setting("MAX_ATTEMPTS"),
    )
    transaction.on_commit(lambda: _enqueue_or_show(job))
    return job


def _enqueue_or_show(job: Job) -> None:
    """Enqueue ``job``; if that fails, say so on the job (failed, for Retry now)."""
    try:
        _enqueue(job)
    except Exception as error:
        logger.exception("work job=%s %s: could not be queued", job.pk, job)
        try:
            with transaction.atomic():
                updated = Job.objects.filter(
                    pk=job.pk, token=job.token, status=JobStatus.QUEUED
                ).update(
                    status=JobStatus.FAILED,
                    last_error=f"could not be queued: {describe(error)}"[:ERROR_LENGTH],
                    updated_at=timezone.now(),
                )
                if updated:
                    job.refresh_from_db()
                    event = _event(job, "failed", None, reason=job.last_error)
                    announce(work_failed, sender=Job, event=event)
        except Exception:
            # The database is down too: the row stays "queued" and is listed
            # as stuck after STUCK_AFTER.
            logger.exception("work job=%s: could not record that it was not queued", job.pk)


def _this_release_call(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[int, str] | None:
    """``(job_id, token)`` if the task was called as this code enqueues it, else None."""
    if kwargs or len(args) != 2:
        return None
    job_id, token = args
    if not isinstance(job_id, int) or isinstance(job_id, bool) or not isinstance(token, str):
        return None
    try:
        uuid.UUID(token)
    except ValueError:
        return None
    return job_id, token


def _adopt(
    background_task: Task, adopt: Adopter, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> bool:
    """Schedule the job a call of another release meant; False if ``adopt`` cannot read it."""
    try:
        adopted = adopt(*args, **kwargs)
    except TypeError:
        return False
    if adopted is None:
        return False
    with transaction.atomic():
        job = schedule(
            background_task,
            context=adopted.context,
            name=adopted.name,
            about=adopted.about,
            **adopted.arguments,
        )
    logger.warning(
        "work: %s called with the arguments of another release; scheduled as job=%s %s",
        background_task.module_path, job.pk, job,
    )  # fmt: skip
    return True


class ForeignCall(Exception):
    """A task called with arguments this release does not enqueue (queued by another release)."""


def _record_foreign_call(
    path: str, function: Callable[..., None], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Show it as a failed job (and fail the task): never a silent success."""
    shown = f"args={list(args)!r}, kwargs={kwargs!r}"[:300]
    message = (
        f"{path} was called with the arguments of another release ({shown}): "
        "nothing was done. Drain the worker queue before deploying a release "
        "that changes task signatures (docs/deploy.md)."
    )
    logger.error("work: %s", message)
    try:
        Job.objects.create(
            task_path=path,
            arguments={"args": _json(list(args)), "kwargs": _json(kwargs)},
            context=path.split(".")[1] if path.startswith("apps.") else "core",
            name=function.__name__,
            subject_type="task",
            subject_id="",
            subject_label=path[:200],
            status=JobStatus.FAILED,
            attempts=1,
            max_attempts=1,
            last_error=f"{ForeignCall.__name__}: {message}"[:ERROR_LENGTH],
        )
    except Exception:
        logger.exception("work: could not record the call of another release")
    raise ForeignCall(message)


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _enqueue(job: Job, *, at: datetime | None = None) -> None:
    if job.task_path not in _BACKGROUND:
        import_string(job.task_path)  # registers it; an unknown path raises ImportError
    background_task = _BACKGROUND[job.task_path]
    if at is not None:
        background_task = background_task.using(run_after=at)
    background_task.enqueue(job.pk, str(job.token))


def retry_delay(attempt_number: int) -> timedelta:
    """How long to wait after failed attempt ``attempt_number`` (1, 2, ...).

    Doubling from ``FIRST_RETRY_SECONDS`` (2 minutes): 2, 4, 8, 16, 32
    minutes, so six attempts span about an hour; each ± ``JITTER``.
    """
    nominal = _setting("FIRST_RETRY_SECONDS") * 2 ** (attempt_number - 1)
    jitter = random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 - spreading load, not a secret
    return timedelta(seconds=nominal * jitter)


def is_transient(error: BaseException) -> bool:
    """Whether trying again later may succeed: the other side was down or busy.

    SMTP says so itself: ``4xx`` is "try again later", ``5xx`` is "no". The
    network says so by ``errno``: unreachable, reset, timed out, broken pipe.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    transient_kinds = (
        ConnectionError,  # refused, reset, aborted, broken pipe
        TimeoutError,
        socket.gaierror,  # the name server did not answer (or not yet)
        ssl.SSLEOFError,  # the TLS connection was cut
        smtplib.SMTPServerDisconnected,
        OperationalError,
        InterfaceError,
    )
    if isinstance(error, transient_kinds):
        return True
    return isinstance(error, OSError) and error.errno in TRANSIENT_ERRNOS


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_LENGTH]


def attempt(
    background_task: Task, *, job_id: int, token: str, function: Callable[..., None]
) -> None:
    """Run one attempt of a job: claim it, call ``function``, record the outcome.

    An attempt whose token is no longer the job's (Retry now enqueued a newer
    one, or the job was dismissed or already done) does nothing. A failed
    attempt is re-raised after it is recorded, so the task backend records
    it too.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or str(job.token) != token:
            logger.info("work job=%s: superseded attempt skipped", job_id)
            return
        if job.status not in (JobStatus.QUEUED, JobStatus.RETRYING):
            logger.info("work job=%s: %s, attempt skipped", job_id, job.status)
            return
        job.attempts += 1
        job.status = JobStatus.RUNNING
        job.next_attempt_at = None
        job.save(update_fields=["attempts", "status", "next_attempt_at", "updated_at"])
    logger.info("work job=%s %s: attempt %d of %d", job.pk, job, job.attempts, job.max_attempts)
    try:
        function(**job.arguments)
    except Exception as error:
        _reset_broken_connections(error)
        _record_failure(background_task, job, error, token=token)
        raise
    with transaction.atomic():
        if not _still_ours(job, token):
            return
        job.status = JobStatus.SUCCEEDED
        job.save(update_fields=["status", "updated_at"])
    logger.info("work job=%s %s: succeeded on attempt %d", job.pk, job, job.attempts)


def _still_ours(job: Job, token: str) -> bool:
    """Whether this attempt still owns ``job`` (locks the row; call in a transaction).

    A slow attempt may be overtaken: the job looked stuck, a superuser pressed
    Retry now and a newer attempt ran (and perhaps sent the email). The slow
    one's outcome must not overwrite the newer one's.
    """
    mine = (
        Job.objects.select_for_update()
        .filter(pk=job.pk, token=token, status=JobStatus.RUNNING)
        .exists()
    )
    if not mine:
        logger.info("work job=%s: outcome of a superseded attempt dropped", job.pk)
    return mine


def _reset_broken_connections(error: Exception) -> None:
    """Close a database connection the failure left dead, so the failure can be recorded.

    A dropped connection (the server restarted, a proxy cut it) raises once
    and stays dead: recording the failure on it would fail too, leaving the
    job "running" and crashing the worker. Django reconnects on next use.
    Not inside an atomic block (a test's, or a caller's): that one is lost
    anyway and its owner rolls it back.
    """
    database_error = isinstance(error, (OperationalError, InterfaceError))
    for connection in connections.all(initialized_only=True):
        if connection.connection is None or connection.in_atomic_block:
            continue
        if (database_error or connection.errors_occurred) and not connection.is_usable():
            logger.warning("work: closing the broken %s connection", connection.alias)
            connection.close()


def _record_failure(background_task: Task, job: Job, error: Exception, *, token: str) -> None:
    job.last_error = describe(error)
    retry = (
        is_transient(error)
        and job.attempts < job.max_attempts
        and background_task.get_backend().supports_defer
    )
    with transaction.atomic():
        if not _still_ours(job, token):
            return
        if retry:
            delay = retry_delay(job.attempts)
            job.status = JobStatus.RETRYING
            job.next_attempt_at = timezone.now() + delay
            job.token = uuid.uuid4()
            job.save(
                update_fields=["status", "last_error", "next_attempt_at", "token", "updated_at"]
            )
            # Same transaction: the job says "retrying" only if the retry is queued.
            _enqueue(job, at=job.next_attempt_at)
        else:
            job.status = JobStatus.FAILED
            job.save(update_fields=["status", "last_error", "updated_at"])
            reason = f"gave up after {_attempts(job.attempts)}: {job.last_error}"
            announce(work_failed, sender=Job, event=_event(job, "failed", None, reason=reason))
    if retry:
        logger.warning(
            "work job=%s %s: attempt %d of %d failed (%s); next in %d s",
            job.pk, job, job.attempts, job.max_attempts, job.last_error, delay.total_seconds(),
        )  # fmt: skip
    else:
        logger.error(
            "work job=%s %s: failed for good on attempt %d (%s)",
            job.pk, job, job.attempts, job.last_error,
        )  # fmt: skip


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


def _event(job: Job, verb: str, actor: Actor | None, *, reason: str = "") -> DomainEvent:
    return DomainEvent(
        context=job.context,
        name=f"{job.name}_{verb}",
        aggregate_type=job.subject_type,
        aggregate_id=job.subject_id,
        aggregate_label=job.subject_label,
        aggregate_url=job.subject_url,
        actor_id=actor.pk if actor is not None else None,
        actor_name=actor.display_name if actor is not None else "",
        reason=reason,
        payload={"job": job.pk, "attempts": job.attempts},
    )


def _job_for_superuser(actor: Actor, job_id: int, action: str) -> Job:
    if not getattr(actor, "is_superuser", False):
        raise NotPermitted("Only superusers may retry or dismiss background work.")
    job = Job.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        raise DomainError("That job does not exist (any more).")
    if job.status not in NEEDS_ATTENTION and not job.is_stuck:
        raise TransitionNotAllowed(
            f"{job} is {job.get_status_display()}: "
            f"only failed, retrying or stuck work can {action}."
        )
    return job


def retry_job(*, actor: Actor, job_id: int) -> Job:
    """Retry now: run a failed, retrying or stuck job at once, with a fresh set of attempts.

    The attempt a retrying job was waiting for is superseded (new token), as
    is a stuck one, should its worker ever come back.
    """
    with transaction.atomic():
        job = _job_for_superuser(actor, job_id, "be retried")
        job.status = JobStatus.QUEUED
        job.token = uuid.uuid4()
        job.next_attempt_at = None
        job.max_attempts = job.attempts + _setting("MAX_ATTEMPTS")
        job.save(update_fields=["status", "token", "next_attempt_at", "max_attempts", "updated_at"])
        announce(work_retried, sender=Job, event=_event(job, "retried", actor))
        transaction.on_commit(lambda: _enqueue_or_show(job))
    return job


def dismiss_job(*, actor: Actor, job_id: int) -> Job:
    """Dismiss: a person has dealt with it; the job will not run again."""
    with transaction.atomic():
        job = _job_for_superuser(actor, job_id, "be dismissed")
        job.status = JobStatus.DISMISSED
        job.next_attempt_at = None
        job.save(update_fields=["status", "next_attempt_at", "updated_at"])
        announce(work_dismissed, sender=Job, event=_event(job, "dismissed", actor))
    return job
