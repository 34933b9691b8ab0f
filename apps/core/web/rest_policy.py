"""What ``REST_FRAMEWORK`` settings name: who may call the API, how often, how results page.

Apart from ``apps.core.web.rest`` because DRF reads these while its own
views module is imported, which ``rest`` imports.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, pagination, permissions, throttling
from rest_framework.request import Request

# --- Who may: staff, their model permissions, per-token throttling ------------------


class StaffModelPermissions(permissions.BasePermission):
    """Exactly the pages' rule: a signed-in, active staff member with the model's
    view permission; a write also needs what the page's view demands
    (``action_permissions``). Everything else is the services' own checks."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            raise exceptions.NotAuthenticated()
        if not (user.is_active and user.is_staff):
            raise exceptions.PermissionDenied("This console is for staff only.")
        required = []
        queryset = getattr(view, "queryset", None)
        if queryset is not None:
            meta = queryset.model._meta
            required.append(f"{meta.app_label}.view_{meta.model_name}")
        demanded = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if demanded:
            required.append(demanded)
        return user.has_perms(required)


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Requests per token (``API_RATE``); a session counts as its user, anything else per IP."""

    scope = "api"

    def get_cache_key(self, request: Request, view: Any) -> str:
        token = request.auth
        digest = getattr(token, "digest", None)
        if digest:
            ident = f"token:{digest[:32]}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


# --- Pages of results -----------------------------------------------------------------


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


def cursor_pagination(*ordering: str) -> type[pagination.CursorPagination]:
    """Cursor pages in ``ordering`` (unique last key): stable while rows arrive, no COUNT."""
    return type(
        "CursorPagination",
        (pagination.CursorPagination,),
        {
            "ordering": ordering,
            "page_size": 25,
            "page_size_query_param": "page_size",
            "max_page_size": 100,
        },
    )
