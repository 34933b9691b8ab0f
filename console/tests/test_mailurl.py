"""``EMAIL_URL`` → ``MAILERS["default"]`` (console/settings/mailurl.py)."""

from __future__ import annotations

import pytest

from console.settings.mailurl import (
    CONSOLE_BACKEND,
    SMTP_BACKEND,
    EmailURLError,
    mailer_from_url,
)


def test_smtp_with_starttls_user_and_password() -> None:
    assert mailer_from_url("smtp+tls://ops%40shop.example:p%2Fss@smtp.example.com:2587") == {
        "BACKEND": SMTP_BACKEND,
        "OPTIONS": {
            "host": "smtp.example.com",
            "port": 2587,
            "username": "ops@shop.example",
            "password": "p/ss",
            "use_tls": True,
            "timeout": 10,
        },
    }


@pytest.mark.parametrize("scheme", ["smtp+ssl", "smtps"])
def test_smtp_over_tls_leaves_the_port_to_django(scheme: str) -> None:
    options = mailer_from_url(f"{scheme}://relay.example.com?timeout=3")["OPTIONS"]
    assert options["use_ssl"] is True
    assert "port" not in options  # Django's default for use_ssl: 465
    assert options["timeout"] == 3


def test_plain_smtp_to_a_local_relay() -> None:
    options = mailer_from_url("smtp://127.0.0.1:2525")["OPTIONS"]
    assert (options["host"], options["port"]) == ("127.0.0.1", 2525)
    assert "use_tls" not in options and "use_ssl" not in options


def test_console_prints() -> None:
    assert mailer_from_url("console://") == {"BACKEND": CONSOLE_BACKEND}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("smtp://", "no host"),
        ("smtp://user:secret@host:port", "port is not a number"),
        ("gopher://host", "unknown scheme"),
        ("smtp://host?timeout=soon", "timeout must be a number"),
        ("smtp://host?tls=1", "unknown parameter 'tls'"),
        ("host:25", "expected scheme://"),
    ],
)
def test_unusable_urls_say_why_without_the_password(url: str, message: str) -> None:
    with pytest.raises(EmailURLError, match=message) as caught:
        mailer_from_url(url)
    assert "secret" not in str(caught.value)
