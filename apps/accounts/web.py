"""What other contexts' views may use of the accounts context: the typed request.

Kept apart from ``api.py`` (which services import) so that importing the
user model never brings in web code.
"""

from __future__ import annotations

from apps.core.web.http import HtmxHttpRequest

from .models import User

__all__ = ["StaffRequest"]


class StaffRequest(HtmxHttpRequest):
    """A view's request, typed: django-htmx's ``HtmxHttpRequest`` (``request.htmx``,
    set by its middleware) whose user is a signed-in staff member
    (``LoginRequiredMiddleware`` admits no one else)."""

    user: User
