"""Sign-in throttling (django-axes): 5 failures per username and address lock it for 15 minutes."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client, override_settings

from apps.accounts.tests.factories import PASSWORD

LOGIN = "/accounts/login/"
LOCKED = b"Too many failed sign-ins for this username from your address"


def _sign_in(client: Client, username: str, password: str, address: str = "127.0.0.1") -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _fail(client: Client, username: str, times: int, address: str = "127.0.0.1") -> None:
    for _ in range(times):
        response = _sign_in(client, username, "wrong", address)
        assert response.status_code in (200, 429)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_lock_the_username_even_with_the_right_password(
    client: Client, finance: Any, caplog: pytest.LogCaptureFixture
) -> None:
    _fail(client, "finance", 4)
    with caplog.at_level(logging.WARNING, logger="axes"):
        fifth = _sign_in(client, "finance", "wrong")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content
    assert b"15 minutes" in fifth.content
    assert any("Locking out" in record.getMessage() for record in caplog.records)

    response = _sign_in(client, "finance", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content
    assert not _signed_in(client)


def test_four_failures_still_let_the_right_password_in(client: Client, finance: Any) -> None:
    _fail(client, "finance", 4)
    response = _sign_in(client, "finance", PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)


def test_a_success_resets_the_count(client: Client, finance: Any) -> None:
    _fail(client, "finance", 4)
    assert _sign_in(client, "finance", PASSWORD).status_code == 302
    client.logout()
    _fail(client, "finance", 4)  # 8 failures in all, never 5 in a row
    assert _sign_in(client, "finance", PASSWORD).status_code == 302
    assert _signed_in(client)


def test_the_message_is_the_same_for_a_username_that_does_not_exist(
    client: Client, finance: Any
) -> None:
    _fail(client, "finance", 5)
    _fail(client, "nobody-by-this-name", 5)
    known = _sign_in(client, "finance", "wrong")
    unknown = _sign_in(client, "nobody-by-this-name", "wrong")
    assert known.status_code == unknown.status_code == 429
    assert _alert(known) == _alert(unknown)
    assert LOCKED.decode() in _alert(known)


def _alert(response: Any) -> str:
    match = re.search(r'<div[^>]*role="alert"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    assert match
    return match.group(1).strip()


def test_another_address_is_not_locked(client: Client, finance: Any) -> None:
    _fail(client, "finance", 5, address="198.51.100.7")
    assert _sign_in(client, "finance", PASSWORD, address="198.51.100.7").status_code == 429
    response = _sign_in(client, "finance", PASSWORD, address="203.0.113.9")
    assert response.status_code == 302


def test_another_username_from_the_same_address_is_not_locked(
    client: Client, finance: Any, viewer: Any
) -> None:
    _fail(client, "finance", 5)
    assert _sign_in(client, "viewer", PASSWORD).status_code == 302


def _age_attempts(minutes: int) -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_the_lock_lifts_after_fifteen_minutes(client: Client, finance: Any) -> None:
    _fail(client, "finance", 5)
    _age_attempts(14)
    assert _sign_in(client, "finance", PASSWORD).status_code == 429
    # That refused try restarted the cool-off (axes' default): wait it out again.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    response = _sign_in(client, "finance", PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)


@override_settings(PROXY_COUNT=1)
def test_behind_the_proxy_the_forwarded_client_address_counts(client: Client, finance: Any) -> None:
    proxy = "10.0.0.2"
    for _ in range(5):
        client.post(
            LOGIN,
            {"username": "finance", "password": "wrong"},
            REMOTE_ADDR=proxy,
            # A client that forges the left-hand entry gains nothing: the proxy's is used.
            HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7",
        )
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"
    locked = client.post(
        LOGIN,
        {"username": "finance", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert locked.status_code == 429
    other_client = client.post(
        LOGIN,
        {"username": "finance", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert other_client.status_code == 302
