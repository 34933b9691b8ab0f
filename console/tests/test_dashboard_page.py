"""The dashboard cached whole, per kind of viewer: never stale, never another's.

A cached request reads one entry and fills in the request's CSRF token and
CSP nonce and the viewer's name (console/dashboard.py, "The page"). These
tests fill the cache as one user, then read it as another, or after the
event that changes a figure.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.utils import timezone

from apps.accounts import roles
from apps.accounts.services import record_user_activity
from apps.accounts.tests.factories import UserFactory
from apps.core.models import Job, JobStatus
from apps.orders import services
from apps.orders.tests.factories import OrderFactory
from console import dashboard, views

pytestmark = pytest.mark.django_db
FAILED_WORK_LINK = 'href="/activity/failed-work/"'


def _page(client: Client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _awaiting_payment(content: str) -> str:
    pattern = (
        r'data-queue="Awaiting payment">\s*<div class="card-body">\s*<div[^>]*data-count>(\d+)<'
    )
    match = re.search(pattern, content)
    assert match
    return match.group(1)


def test_a_second_viewer_of_the_same_role_reads_the_cached_page_as_their_own(
    viewer, django_assert_num_queries
) -> None:
    first = Client()
    first.force_login(viewer)
    _page(first)
    other = UserFactory(role=roles.VIEWERS, username="other", first_name="Olga", last_name="Ode")
    second = Client(enforce_csrf_checks=True)
    second.force_login(other)
    record_user_activity(user_id=other.pk)  # not this request's "last active" write
    # Session, user, the permissions the role check reads: nothing of the page's own.
    with django_assert_num_queries(4):
        content = _page(second)
    assert "Hello, Olga Ode" in content
    assert '<div data-testid="current-user">Olga Ode</div>' in content
    assert viewer.display_name not in content
    assert '<span class="avatar avatar-sm" aria-hidden="true">O</span>' in content
    # The token in the page is this session's: the sign-out form it is in works.
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content)
    assert found
    token = found.group(1)
    assert token in content.split('"x-csrftoken": "')[1]
    assert second.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_the_nonce_in_the_cached_page_is_the_one_its_policy_allows(viewer) -> None:
    client = Client()
    client.force_login(viewer)
    _page(client)
    response = client.get("/")  # from the cache
    nonce = re.search(r'<script type="importmap" nonce="([^"]+)"', response.content.decode())
    assert nonce
    policy = response.get("Content-Security-Policy", "") + response.get(
        "Content-Security-Policy-Report-Only", ""
    )
    assert f"'nonce-{nonce.group(1)}'" in policy


def test_a_viewer_of_another_role_never_gets_the_first_ones_page(
    superuser, manager, agent, viewer
) -> None:
    Job.objects.create(
        task_path="apps.orders.tasks.send_order_email", context="orders", name="shipping_email",
        subject_type="order", subject_id="1", subject_label="ORD-00001",
        status=JobStatus.FAILED, attempts=6, max_attempts=6,
    )  # fmt: skip
    pages = {}
    for user in (superuser, manager, agent, viewer):
        client = Client()
        client.force_login(user)
        pages[user.username] = _page(client)
    assert FAILED_WORK_LINK in pages["root"]
    assert '<div class="small text-secondary" data-user-role>Superuser</div>' in pages["root"]
    for username, role in (("manager", "Market manager"), ("agent", "Order agent"),
                           ("viewer", "Viewer")):  # fmt: skip
        # A superuser's link a role user could not follow is not in their page.
        assert FAILED_WORK_LINK not in pages[username]
        assert 'data-queue="Failed background work"' in pages[username]
        assert f'<div class="small text-secondary" data-user-role>{role}</div>' in pages[username]
    assert len({dashboard.viewer_kind(user) for user in (superuser, manager, agent, viewer)}) == 4


def test_a_figure_is_fresh_right_after_the_event_that_changes_it(
    agent, django_capture_on_commit_callbacks, django_assert_num_queries
) -> None:
    order = OrderFactory()
    client = Client()
    client.force_login(agent)
    assert _awaiting_payment(_page(client)) == "1"
    with django_assert_num_queries(4):  # from the cached page
        assert _awaiting_payment(_page(client)) == "1"
    assert cache.get(dashboard.page_key(agent, timezone.now()))

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_order(actor=agent, order_id=order.pk)

    content = _page(client)
    assert _awaiting_payment(content) == "0"
    assert 'data-nav-count="orders"' not in content  # the navigation's badge too


def test_a_name_is_escaped_where_the_cached_page_takes_it(role_groups) -> None:
    user = UserFactory(role=roles.VIEWERS, username="x", first_name="<b>Ann</b>", last_name="&")
    client = Client()
    client.force_login(user)
    _page(client)
    content = _page(client)  # from the cache
    assert "Hello, &lt;b&gt;Ann&lt;/b&gt; &amp;" in content
    assert "<b>Ann</b>" not in content


def test_a_pending_message_shows_on_the_dashboard(viewer) -> None:
    """Toasts are the request's own: a request with one is rendered, not read
    from the cached page (which has none)."""
    client = Client()
    client.force_login(viewer)
    _page(client)  # the cached page, without toasts
    request = RequestFactory().get("/")
    request.user = viewer
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    messages.success(request, "Saved the view.")
    content = views.dashboard(request).content.decode()
    assert "Saved the view." in content
    assert "Hello, " in content
