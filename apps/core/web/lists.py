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
    RequestConfig(request, paginate={"per_page": page_size}).configure(table)
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
