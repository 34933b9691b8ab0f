"""Every page needs a signed-in staff user (UI.md), enforced by middleware."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

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
