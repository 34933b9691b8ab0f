"""Fixtures shared by every test package: a clean cache and staff users per role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models.query import QuerySet

from apps.accounts import roles
from apps.accounts.roles import sync_roles
from apps.accounts.tests.factories import UserFactory


@pytest.fixture(scope="session", autouse=True)
def _no_stray_database_sessions(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """On PostgreSQL, end sessions the live server's request threads left open.

    Requested after ``django_db_setup``, so this runs before the test
    database is dropped; without it the drop can race a daemon thread that
    has not closed its connection yet ("database is being accessed by other
    users").
    """
    yield
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    # Tests share one cache (Redis in CI): start every test from empty.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def role_groups(db: None) -> None:
    # Transactional tests flush the groups the data migration made.
    sync_roles()


def _user(role: str | None, **kwargs: Any) -> Any:
    return UserFactory(role=role, **kwargs)


@pytest.fixture
def manager(role_groups: None) -> Any:
    return _user(roles.MARKET_MANAGERS, username="manager")


@pytest.fixture
def agent(role_groups: None) -> Any:
    return _user(roles.ORDER_AGENTS, username="agent")


@pytest.fixture
def finance(role_groups: None) -> Any:
    return _user(roles.FINANCE, username="finance")


@pytest.fixture
def viewer(role_groups: None) -> Any:
    return _user(roles.VIEWERS, username="viewer")


@pytest.fixture
def superuser(role_groups: None) -> Any:
    return _user(None, username="root", is_superuser=True)


@pytest.fixture
def customer(db: None) -> Any:
    """Signed-in but not staff: must be refused everywhere."""
    return _user(None, username="outsider", is_staff=False)


@pytest.fixture
def locks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Every ``select_for_update`` a test makes: (model, whether a transaction was open).

    With ``django_db(transaction=True)`` this shows that a service locks its
    rows inside its own transaction (on PostgreSQL a lock outside one is an error).
    """
    seen: list[tuple[str, bool]] = []
    real = QuerySet.select_for_update

    def spy(self: QuerySet[Any], *args: Any, **kwargs: Any) -> QuerySet[Any]:
        seen.append((self.model.__name__, connection.in_atomic_block))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    return seen
