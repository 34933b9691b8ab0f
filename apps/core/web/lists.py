"""What every list page's view assembles: filters, table, bulk actions, sidebar."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django_tables2 import RequestConfig, Table

from apps.core.cache import cache_version
from apps.core.models import SavedView

from .http import filtered

PAGE_SIZE = 25

# (key, label, query string, count): one link of a list's sidebar.
SidebarRow = tuple[str, str, str, int]


def clean_query(query: Any) -> str:
    """A list's query string as a saved view keeps it: no empty values, no page."""
    kept = [
        (name, value)
        for name, value in query.items()
        if value != "" and name not in ("page", "confirm")
    ]
    return urlencode(sorted(kept))


def configure_table(request: HttpRequest, table: Table, *, page_size: int) -> None:
    """Sort and paginate ``table`` from the URL. An empty ``sort=`` (an old
    link, a form sent without JavaScript) means the table's default sort, not
    none at all: the sort in force is always marked."""
    if "sort" in request.GET and not request.GET.get("sort"):
        query = request.GET.copy()
        del query["sort"]
        request = copy.copy(request)
        request.GET = query  # type: ignore[assignment]
    RequestConfig(request, paginate={"per_page": page_size}).configure(table)


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
    sidebar_keys: tuple[str, ...] = ("status",),
    saved_views: str = "",
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
    configure_table(request, table, page_size=page_size)
    # For the empty state: why the table is empty and how to clear the filters.
    table.filterset = filterset
    table.list_url = extra.get("list_url", "")
    return {
        "filter": filterset,
        "table": table,
        "bulk_actions": allowed,
        "sidebar_namespace": cache_namespace,
        "sidebar_version": cache_version(cache_namespace),
        # The sidebar link whose query is this (e.g. "status=pending") is the
        # current one; part of the sidebar's cache key.
        "sidebar_selected": urlencode(
            [(key, request.GET[key]) for key in sidebar_keys if request.GET.get(key)]
        ),
        # The user's and the shared saved views of this list (one query, per user).
        "saved_views_list": saved_views,
        "saved_views": SimpleLazyObject(
            lambda: list(SavedView.objects.visible_to(request.user, saved_views))
        ),
        "current_query": clean_query(request.GET),
        # Counted only when the cached sidebar is missing.
        "sidebar_rows": SimpleLazyObject(sidebar_rows),
        **extra,
    }
