"""The admin is for superusers only (UI.md).

Django's admin lets in any active staff user, and staff is every role here.
Other signed-in users get a 403, not the admin's sign-in form: they are
signed in already, and a form that asks them to sign in again only loops.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

REFUSED = "The admin is for superusers only."


class SuperuserAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Any:
        guarded = super().admin_view(view, cacheable)

        @wraps(guarded)
        def refuse_signed_in_non_superusers(
            request: HttpRequest, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            _refuse_signed_in_non_superusers(self, request)
            return guarded(request, *args, **kwargs)

        return refuse_signed_in_non_superusers

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        _refuse_signed_in_non_superusers(self, request)
        return super().login(request, extra_context)


def _refuse_signed_in_non_superusers(site: SuperuserAdminSite, request: HttpRequest) -> None:
    if request.user.is_authenticated and not site.has_permission(request):
        raise PermissionDenied(REFUSED)
