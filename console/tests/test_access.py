"""Every page needs a signed-in staff user (UI.md), enforced by middleware."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from apps.accounts.roles import ROLE_PERMISSIONS
from apps.accounts.tests.factories import UserFactory

# Open to everyone by design: sign-in, password reset, liveness, and the
# admin (which has its own sign-in). Everything else must be guarded.
OPEN_PREFIXES = (
    "accounts/login",
    "accounts/password_reset",
    "accounts/reset",
    "healthz",
    "admin/",
    "__debug__",
)
# The API answers for itself (401/403 problems, not a redirect to sign in):
# console/tests/api/test_api_access.py walks its routes.
API_PREFIX = "api/"

SAMPLE_ARGUMENTS = {
    "slug": "sample",
    "number": "M-000001",
    "pk": "1",
    "id": "1",
    "uidb64": "x",
    "token": "y",
}


def _concrete(route: str) -> str:
    # Fill ``<converter:name>`` with a sample so the URL resolves; the guard
    # runs before the view, so the object need not exist.
    return re.sub(
        r"<(?:\w+:)?(\w+)>", lambda match: SAMPLE_ARGUMENTS.get(match.group(1), "1"), route
    )


def _walk(patterns: list, prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if "(?P" in route or route.startswith("^"):
                continue  # regex routes belong to the admin and static serving
            yield "/" + _concrete(route)


GUARDED_PATHS = sorted(
    {
        path
        for path in _walk(get_resolver().url_patterns)
        if not path.lstrip("/").startswith((*OPEN_PREFIXES, API_PREFIX))
    }
)


def test_guarded_paths_cover_the_console() -> None:
    assert "/" in GUARDED_PATHS
    assert "/accounts/logout/" in GUARDED_PATHS


@pytest.mark.django_db
@pytest.mark.parametrize("path", GUARDED_PATHS)
def test_anonymous_users_are_sent_to_sign_in(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("path", GUARDED_PATHS)
def test_signed_in_non_staff_get_403(client: Client, customer, path: str) -> None:
    client.force_login(customer)
    response = client.get(path)
    assert response.status_code == 403
    assert b"staff only" in response.content


def test_staff_see_the_dashboard(client: Client, viewer) -> None:
    client.force_login(viewer)
    response = client.get("/")
    assert response.status_code == 200
    assert b"Hello, " in response.content
    assert b"Sign out" in response.content


def test_healthz_is_open_and_reports_ok(client: Client, db: None) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_pages_carry_a_strict_content_security_policy(client: Client, viewer) -> None:
    client.force_login(viewer)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    # htmx's script tag carries the nonce, so htmx runs under the policy.
    match = re.search(r"'nonce-([^']+)'", policy)
    assert match
    nonce = match.group(1)
    assert f'nonce="{nonce}"'.encode() in response.content


def test_csrf_header_for_htmx_is_on_body(client: Client, viewer) -> None:
    client.force_login(viewer)
    content = client.get("/").content.decode()
    assert re.search(r"<body[^>]*hx-headers='\{\"x-csrftoken\": \"[^\"]+\"\}'", content)


# --- Every page needs a role; the admin needs a superuser ----------------------


@pytest.fixture
def no_role(role_groups: None) -> Any:
    """Staff, but in no group and granted nothing."""
    return UserFactory(role=None, username="newcomer", is_staff=True)


NO_ROLE_PATHS = [path for path in GUARDED_PATHS if path != "/accounts/logout/"]


@pytest.mark.parametrize("path", [*NO_ROLE_PATHS, "/admin/", "/admin/accounts/user/"])
def test_staff_without_a_role_see_only_the_no_role_page(
    client: Client, no_role: Any, path: str
) -> None:
    client.force_login(no_role)
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 403
        content = response.content.decode()
        assert "Your account has no role yet" in content
        assert 'action="/accounts/logout/"' in content
        assert "Sign out" in content
        # Nothing of the console: no navigation, no palette, no data.
        assert 'aria-label="Main"' not in content
        assert 'id="palette"' not in content


def test_the_dashboard_shows_no_role_staff_nothing(client: Client, no_role: Any) -> None:
    client.force_login(no_role)
    content = client.get("/").content.decode()
    assert "data-queue" not in content
    assert "Revenue" not in content


def test_staff_without_a_role_can_sign_out(client: Client, no_role: Any) -> None:
    client.force_login(no_role)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_staff_without_a_role_can_still_reach_the_open_pages(client: Client, no_role: Any) -> None:
    client.force_login(no_role)
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/console/console.js").status_code == 200


def test_a_role_is_enough_for_the_dashboard(client: Client, viewer: Any) -> None:
    client.force_login(viewer)
    assert client.get("/").status_code == 200


ADMIN_PATHS = ["/admin/", "/admin/accounts/user/", "/admin/activity/event/", "/admin/login/"]


@pytest.mark.parametrize("role", sorted(ROLE_PERMISSIONS))
@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_the_admin_refuses_every_role_with_403(
    client: Client, role_groups: None, role: str, path: str
) -> None:
    client.force_login(UserFactory(role=role, username="staffer", is_staff=True))
    response = client.get(path)
    assert response.status_code == 403
    assert b"The admin is for superusers only." in response.content


def test_the_admin_refuses_a_user_given_permissions_directly(client: Client, viewer: Any) -> None:
    viewer.user_permissions.add(*Permission.objects.filter(content_type__app_label="accounts"))
    client.force_login(viewer)
    assert client.get("/admin/accounts/user/").status_code == 403


@pytest.mark.parametrize("path", ADMIN_PATHS[:3])
def test_superusers_use_the_admin(client: Client, superuser: Any, path: str) -> None:
    client.force_login(superuser)
    assert client.get(path).status_code == 200


def test_superusers_see_sign_in_lockouts_in_the_admin(client: Client, superuser: Any) -> None:
    client.force_login(superuser)
    assert client.get("/admin/axes/accessattempt/").status_code == 200
    assert client.get("/admin/axes/accesslog/").status_code == 200
