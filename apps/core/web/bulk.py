"""Bulk actions over HTTP: the rows ticked in a list, and the per-row report
as the list again (htmx) or as messages and a redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect

from apps.core.bulk import BulkOutcome
from apps.core.errors import InvalidInput

from .http import HtmxHttpRequest, wants_fragment


def selected_ids(request: HtmxHttpRequest, *, noun: str) -> list[int]:
    """The rows ticked in the list (``ids``), or a clear message."""
    try:
        ids = [int(value) for value in request.POST.getlist("ids")]
    except ValueError:
        raise InvalidInput("The selection is not valid; reload the page.") from None
    if not ids:
        raise InvalidInput(f"Select at least one {noun} first.")
    return ids


def bulk_response(
    request: HtmxHttpRequest,
    outcome: BulkOutcome[Any],
    *,
    label: str,
    name: Callable[[Any], str],
    fragment: Callable[[dict[str, Any]], HttpResponse],
    list_url: str,
) -> HttpResponse:
    """The list again with the per-row report (htmx), or messages and a redirect."""
    if outcome.done:
        messages.success(request, f"{label}: {len(outcome.done)} done.")
    if outcome.skipped:
        messages.warning(request, f"{label}: {len(outcome.skipped)} skipped.")
    if wants_fragment(request):
        return fragment({"label": label, "done": outcome.done, "skipped": outcome.skipped})
    if outcome.done:
        messages.success(request, f"{label} done for: {', '.join(map(name, outcome.done))}.")
    for row, reason in outcome.skipped:
        messages.warning(request, f"{name(row)}: {reason}")
    query = request.GET.urlencode()
    return HttpResponseRedirect(f"{list_url}?{query}" if query else list_url)
