from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Profile


def test_request_log_line_has_method_path_status_duration_queries(
    client: Client, viewer, caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(viewer)
    with caplog.at_level(logging.INFO, logger="console.request"):
        client.get("/?page=2")
    lines = [r for r in caplog.records if r.name == "console.request"]
    assert len(lines) == 1
    record = json.loads(lines[0].getMessage())
    assert record["method"] == "GET"
    assert record["path"] == "/"
    assert record["status"] == 200
    assert isinstance(record["duration_ms"], float)
    assert record["queries"] >= 1  # session + user at least
    assert record["user"] == viewer.pk


def test_last_active_is_written_at_most_once_per_interval(client: Client, viewer) -> None:
    client.force_login(viewer)
    client.get("/")
    first = Profile.objects.get(user=viewer).last_active
    assert first is not None

    # A second request within 5 minutes: no write (and not even a read).
    client.get("/")
    assert Profile.objects.get(user=viewer).last_active == first


def test_last_active_is_written_again_after_the_interval(client: Client, viewer, settings) -> None:
    from django.core.cache import cache

    client.force_login(viewer)
    client.get("/")
    stale = timezone.now() - timedelta(minutes=6)
    Profile.objects.filter(user=viewer).update(last_active=stale)
    cache.clear()  # the throttle key has expired after 5 minutes
    client.get("/")
    last_active = Profile.objects.get(user=viewer).last_active
    assert last_active is not None
    assert last_active > stale


def test_two_requests_make_exactly_one_profile_update(client: Client, viewer) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(viewer)
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
        client.get("/")
    updates = [
        q["sql"]
        for q in captured
        if q["sql"].startswith("UPDATE") and "accounts_profile" in q["sql"]
    ]
    assert len(updates) == 1


@pytest.mark.urls("console.tests.probe_urls")
def test_htmx_responses_carry_messages_as_a_client_event(client: Client, viewer) -> None:
    client.force_login(viewer)
    response = client.get("/probe/", headers={"HX-Request": "true"})
    assert json.loads(response["HX-Trigger"]) == {
        "messages": {"items": [{"level": "success", "text": "Saved."}]}
    }
    # A full page renders its messages itself, as toasts in base.html.
    plain = client.get("/probe/")
    assert "HX-Trigger" not in plain
