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
from django.db import OperationalError, connection, connections
from django.test import Client, override_settings

from console.views import server_error

from .test_access import GUARDED_PATHS
from .test_settings import _run

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


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a connect timeout is PostgreSQL's: SQLite opens a file, there is no server to hang",
)
def test_a_database_that_never_answers_is_a_503_within_the_connect_timeout(
    django_db_blocker: Any, silent_server: int
) -> None:
    bound = 3 + 2  # base.py's default connect timeout, and time to render the page
    answers: dict[str, Any] = {}

    def sign_in() -> None:
        try:
            # Signing in reads the database (axes, then the user): the first query.
            answers["response"] = Client(raise_request_exception=False).post(
                "/accounts/login/", {"username": "x", "password": "y"}
            )
        finally:
            connections.close_all()  # this thread's

    # In a thread, so that without a timeout the test fails instead of
    # hanging: the silent server's teardown then releases the thread.
    worker = threading.Thread(target=sign_in, daemon=True)
    original = dict(connection.settings_dict)
    with django_db_blocker.unblock():
        # The dict every thread's connection to "default" is built from.
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(silent_server))
        try:
            worker.start()
            worker.join(timeout=bound)
        finally:
            connection.settings_dict.update(original)
    assert not worker.is_alive(), f"still waiting for the database after {bound} s"
    _assert_database_unavailable(answers["response"])


def test_postgresql_connections_have_a_connect_timeout() -> None:
    script = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.DATABASES['default']['OPTIONS'])"
    )
    environment = {
        "DJANGO_SETTINGS_MODULE": "console.settings.dev",
        "DATABASE_URL": "postgres://console@db.internal:5432/console?sslmode=require",
    }
    result = _run(["-c", script], environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "{'sslmode': 'require', 'connect_timeout': 3}"
    configured = _run(["-c", script], {**environment, "DATABASE_CONNECT_TIMEOUT": "7"})
    assert configured.stdout.strip().splitlines()[-1] == (
        "{'sslmode': 'require', 'connect_timeout': 7}"
    )


# --- /healthz over plain HTTP ---------------------------------------------------


@override_settings(SECURE_SSL_REDIRECT=True)
def test_healthz_answers_over_plain_http_when_everything_else_redirects(db: None) -> None:
    client = Client()
    assert client.get("/healthz").status_code == 200
    redirected = client.get("/accounts/login/")
    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")


@override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["console.example.com"])
def test_healthz_answers_a_probe_that_names_the_node_not_the_site(db: None) -> None:
    probe = Client(HTTP_HOST="10.0.0.5:8000")
    response = probe.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")
    assert probe.get("/accounts/login/").status_code == 400
    # Only the probe's exact request skips the checks.
    assert probe.get("/healthz", {"q": "x"}).status_code == 400
    with database_down_now():
        assert probe.get("/healthz").status_code == 503


# --- A Redis that accepts connections and never answers -------------------------


@pytest.fixture
def silent_redis(silent_server: int) -> str:
    return f"redis://127.0.0.1:{silent_server}/0"


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A server on 127.0.0.1 (its port) that accepts connections and then says nothing."""
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
    yield server.getsockname()[1]
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


@pytest.fixture
def read_only_redis() -> Iterator[str]:
    """A server on 127.0.0.1 that answers every command with Redis' READONLY error."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    refusal = b"-READONLY You can't write against a read only replica.\r\n"

    def commands(buffer: bytes) -> tuple[int, bytes]:
        """How many whole RESP commands ``buffer`` starts with, and what is left over."""
        count = 0
        while buffer.startswith(b"*") and b"\r\n" in buffer:
            header, rest = buffer.split(b"\r\n", 1)
            for _ in range(int(header[1:])):
                if b"\r\n" not in rest:
                    return count, buffer
                length, after = rest.split(b"\r\n", 1)
                if len(after) < int(length[1:]) + 2:
                    return count, buffer
                rest = after[int(length[1:]) + 2 :]
            count, buffer = count + 1, rest
        return count, buffer

    def answer(connection: socket.socket) -> None:
        connection.settimeout(0.1)
        pending = b""
        while not stop.is_set():
            try:
                data = connection.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not data:
                break
            count, pending = commands(pending + data)
            connection.sendall(refusal * count)
        connection.close()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                connection = server.accept()[0]
            except TimeoutError:
                continue
            threading.Thread(target=answer, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    server.close()


def test_a_redis_that_answers_only_errors_is_treated_as_down(
    client: Client, viewer: Any, read_only_redis: str
) -> None:
    failing = {
        "default": {
            "BACKEND": "console.cache.ResilientRedisCache",
            "LOCATION": read_only_redis,
            "OPTIONS": settings.REDIS_OPTIONS,
        }
    }
    client.force_login(viewer)
    with override_settings(CACHES=failing):
        response = client.get("/")
        again = client.get("/markets/")
        assert caches["default"]._paused()
    assert response.status_code == 200 and b"Hello, " in response.content
    assert again.status_code == 200


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
        client.get("/accounts/login/")
    assert _request_lines(caplog) == []
    with caplog.at_level(logging.INFO, logger="console.request"):
        client.get("/accounts/login/")
    assert [record.levelno for record in _request_lines(caplog)] == [logging.INFO]


@override_settings(REQUEST_LOG_SLOW_MS=0)
def test_a_slow_request_is_logged_at_warning(
    client: Client, viewer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(viewer)
    with caplog.at_level(logging.WARNING, logger="console.request"):
        client.get("/accounts/login/")
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
