"""What every list page's view assembles: filters, table, bulk actions, sidebar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django_tables2 import RequestConfig, Table

from apps.core.cache import cache_version

from .http import filtered

PAGE_SIZE = 25
# What ``?per_page=`` may ask for; anything else (``-1``, ``100000000``, a
# word) falls back to the list's own page size, never an error or a whole table.
PER_PAGE_CHOICES = (25, 50, 100)

# (key, label, query string, count): one link of a list's sidebar.
SidebarRow = tuple[str, str, str, int]


def list_context(
    request: HttpRequest,
    *,
    filterset: Any,
    table_class: type[Table],
    bulk_actions: dict[str, tuple[str, str]],
    cache_namespace: str,
    sidebar_rows: Callable[[], list[SidebarRow]],
    page_size: int = PAGE_SIZE,
    bulk_confirmations: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """``bulk_actions`` maps action → (label, permission); the user sees only
    those they may run, and no checkboxes when there are none.
    ``bulk_confirmations`` maps an action that cannot be undone to the question
    its button asks first (``{count}`` is the number of rows ticked)."""
    confirmations = bulk_confirmations or {}
    allowed = [
        (action, label, confirmations.get(action, ""))
        for action, (label, permission) in bulk_actions.items()
        if request.user.has_perm(permission)
    ]
    table = table_class(filtered(filterset), exclude=() if allowed else ("select",))
    paginate(request, table, per_page=page_size)
    return {
        "filter": filterset,
        "table": table,
        "bulk_actions": allowed,
        "sidebar_namespace": cache_namespace,
        "sidebar_version": cache_version(cache_namespace),
        # Counted only when the cached sidebar is missing.
        "sidebar_rows": SimpleLazyObject(sidebar_rows),
        **extra,
    }


def paginate(request: HttpRequest, table: Table, *, per_page: int = PAGE_SIZE) -> None:
    """Sort and paginate ``table`` from the URL, within bounds (every list uses this).

    ``per_page`` from the URL counts only when it is one of ``PER_PAGE_CHOICES``
    (else ``per_page`` here, the list's default). django-tables2 shows the
    first page for a ``page`` that is not a number and the last for one past
    either end; an unknown ``sort`` column is ignored.
    """
    asked = request.GET.get("per_page")
    if asked is not None and asked not in {str(choice) for choice in PER_PAGE_CHOICES}:
        # django-tables2 reads ``per_page`` from request.GET itself, and the
        # pagination links copy the query: drop the value for both.
        query = request.GET.copy()
        del query["per_page"]
        query._mutable = False
        request.GET = query  # type: ignore[assignment]  # immutable again, as Django's
    RequestConfig(request, paginate={"per_page": per_page}).configure(table)
