"""State transitions as the UI and the services see them.

Models declare transitions with django-fsm-2's ``@transition`` and put their
UI metadata in ``custom=`` (``label``, ``hotkey``, ``style``, and ``input`` with
``input_label`` when the transition needs a reason or a tracking number).
``idempotency_key`` (True) says the form carries the page's key (an action
that calls a gateway). ``confirm`` marks what cannot be undone: a function of the instance returning
the sentence the confirmation dialog shows (``Charge 28.00 EUR to ORD-…?``),
so neither a click, a hotkey nor the palette runs it without a second step.
Conditions carry the sentence shown when they fail (``@condition``).

``custom["preconditions"]`` are conditions checked before an action *starts*
(its button, the service's checks) but not when its outcome is recorded. An
action with an external step, like charging through a gateway, must record
what the gateway did even if the world changed while it answered (the
market was suspended meanwhile): the money has moved either way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.dispatch import Signal
from django_fsm import ConcurrentTransition

from apps.core.actors import Actor

from .errors import (
    ConcurrentChange,
    NotPermitted,
    PreconditionFailed,
    TransitionNotAllowed,
    invalid_input,
)
from .events import DomainEvent, announce

Reason = str | Callable[[Any], str]


def condition(reason: Reason) -> Callable[[Callable[[Any], bool]], Callable[[Any], bool]]:
    """Attach the sentence a user sees when this transition condition fails."""

    def decorate(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
        check.reason = reason  # type: ignore[attr-defined]
        return check

    return decorate


def _failed_reason(instance: Any, check: Callable[[Any], bool]) -> str:
    reason: Reason = getattr(check, "reason", "A condition of this action is not met.")
    return reason(instance) if callable(reason) else reason


@dataclass(frozen=True)
class TransitionOption:
    """One button: what it does, how it looks, and whether it can be pressed now."""

    name: str
    label: str
    hotkey: str
    style: str
    input: str | None
    input_label: str
    enabled: bool
    disabled_reason: str
    subject: str = ""
    confirm: str = ""

    @property
    def dialog_id(self) -> str:
        return f"dialog-{self.name}"

    @property
    def needs_dialog(self) -> bool:
        """A field to fill or a consequence to confirm: never one keystroke."""
        return bool(self.input or self.confirm)

    @property
    def title(self) -> str:
        """The dialog's title names what is acted on: ``Suspend Berlin Vintage``."""
        return f"{self.label} {self.subject}".strip()


def _all_checks(transition: Any) -> list[Callable[[Any], bool]]:
    return [*transition.custom.get("preconditions", ()), *transition.conditions]


def _transitions_from_state(instance: models.Model, field_name: str) -> Iterable[Any]:
    state = getattr(instance, field_name)
    all_transitions = getattr(instance, f"get_all_{field_name}_transitions")()
    # Buttons appear in the order the model declares its transitions.
    declared = list(vars(type(instance)))
    available = [t for t in all_transitions if _from_state(t, state)]
    return sorted(available, key=lambda transition: declared.index(transition.name))


def names_from_state(instance: models.Model, *, field_name: str = "status") -> list[str]:
    """The transitions ``instance``'s state allows, by name: what a list row
    may offer its bulk toolbar. No condition is checked and nothing is read:
    the bulk action itself still checks and reports each row."""
    return [transition.name for transition in _transitions_from_state(instance, field_name)]


def transition_options(
    instance: models.Model, user: Any, *, field_name: str = "status"
) -> list[TransitionOption]:
    """The buttons for ``user`` on ``instance``, in declaration order.

    A transition the state allows and the user may run is enabled, or
    disabled with the first failing condition's reason; one the state does
    not allow, or the user may not run, is left out.
    """
    options = []
    for transition in _transitions_from_state(instance, field_name):
        if not transition.has_perm(instance, user):
            continue
        failed = [check for check in _all_checks(transition) if not check(instance)]
        custom = transition.custom
        confirm = custom.get("confirm")
        options.append(
            TransitionOption(
                name=transition.name,
                label=custom.get("label", transition.name.title()),
                hotkey=custom.get("hotkey", ""),
                style=custom.get("style", "secondary"),
                input=custom.get("input"),
                input_label=custom.get("input_label", ""),
                enabled=not failed,
                disabled_reason=_failed_reason(instance, failed[0]) if failed else "",
                subject=str(instance),
                confirm=confirm(instance) if confirm and not failed else "",
            )
        )
    return options


def _declared(instance: models.Model, name: str, field_name: str) -> list[Any]:
    """Every django-fsm transition (one per source) of method ``name``, via the public API."""
    all_transitions = getattr(instance, f"get_all_{field_name}_transitions")()
    return [transition for transition in all_transitions if transition.name == name]


def _from_state(transition: Any, state: str) -> bool:
    source = transition.source
    return source == state or source == "*" or (source == "+" and state != transition.target)


def transition_custom(instance: models.Model, name: str, *, field_name: str = "status") -> Any:
    """The UI metadata (``custom=``) of transition ``name``; None when there is no such one."""
    declared = _declared(instance, name, field_name)
    return declared[0].custom if declared else None


def transition_label_and_permission(
    model: type[models.Model], name: str, *, field_name: str = "status"
) -> tuple[str, str]:
    """The label and permission ``@transition(permission=, custom={"label": …})`` declares."""
    declared = _declared(model(), name, field_name)
    if not declared or not isinstance(declared[0].permission, str):
        raise LookupError(f"{model.__name__} has no transition {name!r} with a permission name.")
    return declared[0].custom.get("label", name.title()), declared[0].permission


def transition_inputs(
    instance: models.Model, name: str, *, field_name: str = "status"
) -> list[str]:
    """The form fields transition ``name`` takes, as its model declares them in ``custom=``:
    its ``input`` (a reason, a tracking number) and ``idempotency_key`` when it calls out."""
    custom = transition_custom(instance, name, field_name=field_name) or {}
    inputs = [custom["input"]] if custom.get("input") else []
    if custom.get("idempotency_key"):
        inputs.append("idempotency_key")
    return inputs


def version_tag(instance: models.Model) -> str:
    """The instance's version as a strong HTTP entity tag: it changes with every save
    (``updated_at``, which every service saves), so a client can say which version
    it acted on (``If-Match``)."""
    stamp = getattr(instance, "updated_at", None)
    seed = f"{instance._meta.label}:{instance.pk}:{stamp.isoformat() if stamp else ''}"
    return '"' + hashlib.sha256(seed.encode()).hexdigest()[:24] + '"'


# (model label, pk, the entity tags the client accepts) while a transition runs.
_expected: ContextVar[tuple[str, Any, tuple[str, ...]] | None] = ContextVar(
    "expected_version", default=None
)


@contextmanager
def expecting_version(instance: models.Model, tags: Iterable[str]) -> Iterator[None]:
    """Run a transition service only if ``instance`` is still at one of ``tags``.

    Checked by ``check_transition`` on the row the service has locked, so no
    change can slip in between the comparison and the transition; a stale tag
    raises ``PreconditionFailed`` before anything is written.
    """
    token = _expected.set((instance._meta.label, instance.pk, tuple(tags)))
    try:
        yield
    finally:
        _expected.reset(token)


def check_expected_version(instance: models.Model) -> None:
    """``PreconditionFailed`` if an ``expecting_version`` for ``instance`` names other tags.

    For a service to call on the row it has locked (``check_transition`` does;
    so does an edit such as ``update_market``): nothing to do outside one.
    """
    expected = _expected.get()
    if expected is None:
        return
    label, pk, tags = expected
    if instance._meta.label != label or instance.pk != pk or "*" in tags:
        return
    if version_tag(instance) not in tags:
        raise PreconditionFailed(
            f"{instance} was changed since you read it; nothing was done. "
            "Read it again and decide with what it is now."
        )


def check_transition(
    instance: models.Model, name: str, *, actor: Actor, field_name: str = "status"
) -> Any:
    """Refuse unless ``actor`` may run transition ``name`` on ``instance`` now.

    Returns the django-fsm transition. Raises ``NotPermitted`` (the role
    never may: checked first, so it is a 403 whatever the state) or
    ``TransitionNotAllowed`` with the state or the failing condition's reason,
    or ``PreconditionFailed`` when the caller expects another version of the
    row (``expecting_version``, the API's ``If-Match``).
    Reads django-fsm-2 through its public API only (``get_all_<field>_transitions``,
    ``Transition.has_perm``).
    """
    declared = _declared(instance, name, field_name)
    if not declared:
        raise TransitionNotAllowed(f"There is no action called {name!r}.")
    # Every source of one method shares its label and permission.
    label = declared[0].custom.get("label", name)
    if not declared[0].has_perm(instance, actor):
        raise NotPermitted(f"Your role does not allow {label}.")
    check_expected_version(instance)
    state = getattr(instance, field_name)
    matching = [transition for transition in declared if _from_state(transition, state)]
    if not matching:
        display = getattr(instance, f"get_{field_name}_display")()
        raise TransitionNotAllowed(f"{instance} is {display}: {label} is not possible.")
    transition = matching[0]
    for check in _all_checks(transition):
        if not check(instance):
            raise TransitionNotAllowed(
                f"{label} is not possible: {_failed_reason(instance, check)}"
            )
    return transition


def perform_transition(
    instance: models.Model,
    name: str,
    *,
    actor: Actor,
    update_fields: Iterable[str],
    field_name: str = "status",
    **arguments: Any,
) -> tuple[str, str]:
    """Check, run and save one transition; return ``(from_state, to_state)``.

    Call inside the service's transaction with a row fetched for update.
    Raises as ``check_transition`` does, ``InvalidInput`` when the model
    refuses an argument (a blank reason), or ``ConcurrentChange``; on any of
    them nothing is saved.
    """
    transition = check_transition(instance, name, actor=actor, field_name=field_name)
    from_state = getattr(instance, field_name)
    try:
        getattr(instance, name)(**arguments)
    except ValidationError as error:
        raise invalid_input(error, field=transition.custom.get("input")) from error
    try:
        instance.save(update_fields=[field_name, *update_fields])
    except ConcurrentTransition as error:
        raise ConcurrentChange(
            f"{instance} was changed by someone else meanwhile. Reload and try again."
        ) from error
    return from_state, getattr(instance, field_name)


def transition_and_announce(
    instance: models.Model,
    name: str,
    *,
    actor: Actor,
    context: str,
    event_name: str,
    signal: Signal,
    update_fields: Iterable[str],
    arguments: dict[str, Any] | None = None,
    reason: str = "",
    payload: Callable[[Any], dict[str, Any]] | None = None,
    before: Callable[[Any], None] | None = None,
) -> Any:
    """What every transition service does with its locked row: run the transition,
    save (``update_fields`` and ``updated_at``), record ``event_name`` and announce
    ``signal`` on commit with the instance (``market=…``, ``order=…``).

    ``before`` runs once the transition is known to be allowed, in the same
    transaction (the stock an order gives back); ``payload`` is built from
    the instance after the transition. Returns the instance.
    """
    if before is not None:
        check_transition(instance, name, actor=actor)
        before(instance)
    from_state, to_state = perform_transition(
        instance,
        name,
        actor=actor,
        update_fields=[*update_fields, "updated_at"],
        **(arguments or {}),
    )
    event = DomainEvent.of(
        instance,
        context=context,
        name=event_name,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload(instance) if payload else {},
    )
    model_name = instance._meta.model_name or "instance"
    announce(signal, sender=type(instance), event=event, **{model_name: instance})
    return instance
