"""The one web adapter for state changes: a transition view and a bulk view.

Each context registers what differs (how to find the aggregate from the URL,
which service runs each transition, how to render it again) in its
``views.py``; what a transition takes as input, its label and its permission
come from the model's ``@transition(..., permission=, custom=)``.
URLs pass the registration: ``path(..., transition_view, {"actions": TRANSITIONS})``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.core.bulk import BulkOutcome
from apps.core.errors import InvalidInput, NotPermitted
from apps.core.transitions import transition_inputs, transition_label_and_permission

from .bulk import bulk_response, selected_ids
from .http import HtmxHttpRequest, page_or_fragment, wants_fragment


@dataclass(frozen=True)
class DetailPage:
    """An aggregate's page: the whole page, or its ``#detail`` fragment for htmx.

    (Any: each context's views take their own typed request.)
    """

    # The aggregate named by the URL's key, with what its page shows, or 404.
    lookup: Callable[[str], Any]
    template: str
    # (request, aggregate) → the template's context.
    context: Callable[[Any, Any], dict[str, Any]]
    fragment: str = "detail"

    def render(self, request: Any, key: str, *, fragment: bool | None = None) -> HttpResponse:
        """The page, or (for htmx, or ``fragment=True``) its fragment, as the aggregate is now."""
        instance = self.lookup(key)
        whole = page_or_fragment(request, self.template, self.fragment)
        template = f"{self.template}#{self.fragment}" if fragment else whole
        return render(request, template, self.context(request, instance))


@dataclass(frozen=True)
class Transitions:
    """How one context's aggregate takes transitions over HTTP."""

    # The aggregate named by the URL's key (a slug, an order number), or 404.
    lookup: Callable[[str], Any]
    # Transition name → service(actor=, <id_argument>=, **inputs).
    services: dict[str, Callable[..., Any]]
    id_argument: str
    # Its page, whose fragment is sent again (htmx) after the transition.
    page: DetailPage


@require_POST
def transition_view(
    request: HtmxHttpRequest, *, actions: Transitions, name: str, **key: str
) -> HttpResponse:
    """Run transition ``name`` on the aggregate the URL names; the fresh fragment or a redirect."""
    service = actions.services.get(name)
    if service is None:
        raise Http404("No such action.")
    (lookup_key,) = key.values()
    instance = actions.lookup(lookup_key)
    arguments = {field: request.POST.get(field, "") for field in transition_inputs(instance, name)}
    service(actor=request.user, **{actions.id_argument: instance.pk}, **arguments)
    instance = actions.lookup(lookup_key)
    display = instance.get_status_display()
    messages.success(request, f"{instance} is now {display}.")
    if wants_fragment(request):
        return actions.page.render(request, lookup_key, fragment=True)
    return redirect(instance)


@dataclass(frozen=True)
class BulkAction:
    label: str
    permission: str
    # What a user without the permission is told ("Your role does not allow <denied>.").
    denied: str = ""


@dataclass(frozen=True)
class BulkActions:
    """How one list runs actions on the rows ticked in it."""

    noun: str
    actions: dict[str, BulkAction]
    # run(actor, ids, action) → the per-row outcome.
    run: Callable[[Any, list[int], str], BulkOutcome[Any]]
    list_url_name: str
    # The list's template and its context function (request, **extra): the
    # results fragment is rendered again with ``report`` in its context.
    list_template: str
    list_context: Callable[..., dict[str, Any]]
    # How a row is named in the report.
    name: Callable[[Any], str] = str
    extra: dict[str, Any] = field(default_factory=dict)

    def choices(self) -> dict[str, tuple[str, str]]:
        """action → (label, permission): what the list offers (``list_context``)."""
        return {name: (action.label, action.permission) for name, action in self.actions.items()}

    def refusal(self) -> str:
        labels = [action.label for action in self.actions.values()]
        return f"Choose {' or '.join(labels)} for the selected {self.noun}s."


def transition_bulk_actions(model: type[Any], names: list[str]) -> dict[str, BulkAction]:
    """Bulk actions that are transitions: label and permission as the model declares them."""
    return {name: BulkAction(*transition_label_and_permission(model, name)) for name in names}


def _refuse(bulk: BulkActions, action: BulkAction) -> NotPermitted:
    return NotPermitted(f"Your role does not allow {action.denied or action.label}.")


@require_POST
def bulk_view(request: HtmxHttpRequest, *, bulk: BulkActions) -> HttpResponse:
    """Run one action on each ticked row; the list with a per-row report, or messages."""
    name = request.POST.get("action", "")
    action = bulk.actions.get(name)
    if action is None:
        if not any(request.user.has_perm(a.permission) for a in bulk.actions.values()):
            raise _refuse(bulk, next(iter(bulk.actions.values())))
        raise InvalidInput(bulk.refusal())
    if not request.user.has_perm(action.permission):
        raise _refuse(bulk, action)
    ids = selected_ids(request, noun=bulk.noun)
    outcome = bulk.run(request.user, ids, name)
    return bulk_response(
        request,
        outcome,
        label=action.label,
        name=bulk.name,
        fragment=lambda report: render(
            request, f"{bulk.list_template}#results", bulk.list_context(request, report=report)
        ),
        list_url=reverse(bulk.list_url_name),
    )
