"""Headers and failure modes: private pages, the database down, a hung Redis, the request log."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import OperationalError, connection
from django.test import Client, override_settings

from console.views import server_error

from .test_access import GUARDED_PATHS

# --- Cache-Control ---------------------------------------------------------------


@pytest.mark.parametrize("path", [*GUARDED_PATHS, "/admin/", "/admin/accounts/user/"])
def test_every_signed_in_page_is_private_and_never_stored(
    client: Client, superuser: Any, path: str
) -> None:
    client.force_login(superuser)
    for response in (client.get(path), client.post(path)):
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, (path, response.status_code)


def test_refusals_to_signed_in_users_are_private_too(client: Client, customer: Any) -> None:
    client.force_login(customer)
    response = client.get("/orders/")
    assert response.status_code == 403
    assert "no-store" in response["Cache-Control"]


# --- The database down -----------------------------------------------------------


def _assert_database_unavailable(response: Any) -> None:
    assert response.status_code == 503
    assert b"The database is unavailable" in response.content
    assert response["Retry-After"] == "30"


def test_a_signed_in_user_gets_a_503_that_says_the_database_is_down(viewer: Any) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(viewer)
    with database_down_now():
        _assert_database_unavailable(client.get("/orders/"))
        _assert_database_unavailable(client.get("/"))


def test_an_anonymous_user_signing_in_gets_the_503(db: None) -> None:
    client = Client(raise_request_exception=False)
    with database_down_now():
        response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    _assert_database_unavailable(response)


def test_healthz_says_so_too(db: None) -> None:
    with database_down_now():
        response = Client().get("/healthz")
    assert response.status_code == 503


def test_other_errors_are_still_a_500() -> None:
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(None)
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


class database_down_now:
    """Every new query fails as if PostgreSQL had gone away (the connection cannot be used)."""

    def __enter__(self) -> None:
        def refuse() -> None:
            raise OperationalError('connection to server at "db" failed: Connection refused')

        self._patch = pytest.MonkeyPatch()
        self._patch.setattr(connection, "ensure_connection", refuse)

    def __exit__(self, *exc: object) -> None:
        self._patch.undo()


# --- /healthz over plain HTTP ---------------------------------------------------


@override_settings(SECURE_SSL_REDIRECT=True)
def test_healthz_answers_over_plain_http_when_everything_else_redirects(db: None) -> None:
    client = Client()
    assert client.get("/healthz").status_code == 200
    redirected = client.get("/accounts/login/")
    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")


# --- A Redis that accepts connections and never answers -------------------------


@pytest.fixture
def silent_redis() -> Iterator[str]:
    """A server on 127.0.0.1 that accepts and then says nothing (closes after 10 s)."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for held_socket in held:
        held_socket.close()
    server.close()


def test_a_hung_redis_costs_a_request_one_timeout_not_a_hang(
    client: Client, viewer: Any, silent_redis: str
) -> None:
    hung = {
        "default": {
            "BACKEND": "console.cache.ResilientRedisCache",
            "LOCATION": silent_redis,
            "OPTIONS": settings.REDIS_OPTIONS,  # what production uses
        }
    }
    client.force_login(viewer)
    with override_settings(CACHES=hung):
        started = time.monotonic()
        response = client.get("/")
        first = time.monotonic() - started
        started = time.monotonic()
        again = client.get("/markets/")
        second = time.monotonic() - started
        assert caches["default"]._paused()
    assert response.status_code == 200 and b"Hello, " in response.content
    assert again.status_code == 200
    # One socket timeout (0.25 s), then the cache stops trying for a while.
    assert first < settings.REDIS_TIMEOUT + 1.5
    assert second < 1.0


def test_the_redis_cache_is_configured_with_timeouts() -> None:
    assert settings.REDIS_OPTIONS == {
        "socket_connect_timeout": settings.REDIS_TIMEOUT,
        "socket_timeout": settings.REDIS_TIMEOUT,
    }
    assert 0 < settings.REDIS_TIMEOUT <= 1


# --- The request log ---------------------------------------------------------------


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "console.request"]


def test_a_fast_request_is_logged_at_info_only(
    client: Client, viewer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(viewer)
    with caplog.at_level(logging.WARNING, logger="console.request"):
        client.get("/healthz")
    assert _request_lines(caplog) == []
    with caplog.at_level(logging.INFO, logger="console.request"):
        client.get("/healthz")
    assert [record.levelno for record in _request_lines(caplog)] == [logging.INFO]


@override_settings(REQUEST_LOG_SLOW_MS=0)
def test_a_slow_request_is_logged_at_warning(
    client: Client, viewer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(viewer)
    with caplog.at_level(logging.WARNING, logger="console.request"):
        client.get("/healthz")
    assert [record.levelno for record in _request_lines(caplog)] == [logging.WARNING]


def test_a_failed_request_is_logged_at_warning(
    viewer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(viewer)
    with caplog.at_level(logging.WARNING, logger="console.request"), database_down_now():
        client.get("/orders/")
    lines = _request_lines(caplog)
    assert [record.levelno for record in lines] == [logging.WARNING]
    assert '"status": 503' in lines[0].getMessage()
