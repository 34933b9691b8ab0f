"""What other contexts may use of the accounts context: the user model as a type.

Services take the acting staff member as ``actor: User``.
"""

from __future__ import annotations

from apps.core.web.http import HtmxHttpRequest

from .models import User
from .roles import role_label

__all__ = ["StaffRequest", "User", "role_label"]


class StaffRequest(HtmxHttpRequest):
    """A view's request, typed: django-htmx's ``HtmxHttpRequest`` (``request.htmx``,
    set by its middleware) whose user is a signed-in staff member
    (``LoginRequiredMiddleware`` admits no one else)."""

    user: User
