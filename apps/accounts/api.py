"""What other contexts may use of the accounts context: the user model as a type,
and how the shell names a user's role.

Services take the acting staff member as ``actor: User``. Views type their
request with ``apps.accounts.web.StaffRequest`` (web code, kept out of here).
"""

from __future__ import annotations

from .models import User
from .roles import role_label

__all__ = ["User", "role_label"]
