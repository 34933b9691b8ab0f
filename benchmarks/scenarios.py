"""What each benchmark grows and which pages it then measures."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from apps.accounts.roles import sync_roles
from apps.accounts.services import upsert_staff_user

ROW_COUNTS = (10, 100, 1000)


def staff_client() -> Client:
    sync_roles()
    user = upsert_staff_user(
        username="bench", password="bench-password", role=None, is_superuser=True
    )
    client = Client()
    client.force_login(user)
    return client


def _no_rows(count: int) -> None:
    """The shell has no rows of its own; it is the baseline every page pays."""


SCENARIOS: list[tuple[str, Callable[[int], None], Callable[[], dict[str, str]]]] = [
    ("shell", _no_rows, lambda: {"dashboard": "/", "healthz": "/healthz"}),
]
