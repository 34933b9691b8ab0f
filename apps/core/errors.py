"""One hierarchy of application errors.

Services raise these; ``console.errors`` maps them to HTTP and htmx responses
in one place. The message is written for the staff member who will read it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from apps.core.actors import Actor


class DomainError(Exception):
    """A business rule refused the request. Nothing was changed."""

    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(DomainError):
    """The input breaks a rule; ``field`` names the form field when there is one."""

    http_status = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotPermitted(DomainError):
    """The user's role does not allow this action."""

    http_status = 403


def require_permission(actor: Actor, permission: str, action: str) -> None:
    """Raise ``NotPermitted`` ("Your role does not allow <action>.") unless allowed."""
    if not actor.has_perm(permission):
        raise NotPermitted(f"Your role does not allow {action}.")


class TransitionNotAllowed(DomainError):
    """The aggregate's current state (or a condition) does not allow this transition."""

    http_status = 409


class ConcurrentChange(TransitionNotAllowed):
    """Someone else changed the record between reading and saving it."""


class PreconditionFailed(DomainError):
    """The client acted on a version of the record that is no longer current
    (``If-Match`` with a stale ``ETag``). Nothing was changed. An adapter may
    attach what the record is now (``current``, ``etag``) for its answer."""

    http_status = 412
    current: object = None
    etag: str = ""


class RuleViolation(ValidationError, ValueError):
    """What a model raises when a transition's input or a change breaks its rule.

    Django's ``ValidationError`` (the models' way of refusing); a
    ``ValueError`` too, as callers of the models have always caught.
    Services turn it into ``InvalidInput`` with ``invalid_input`` only.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.messages[0])


def invalid_input(error: ValidationError, *, field: str | None = None) -> InvalidInput:
    """The one mapping of a model's ``ValidationError`` to the domain error staff read."""
    return InvalidInput(" ".join(str(message) for message in error.messages), field=field)
