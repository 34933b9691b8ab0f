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
        ("smtp://host?tls=1", "only \\?timeout=seconds is understood"),
        ("host:25", "expected scheme://"),
    ],
)
def test_unusable_urls_say_why_without_the_password(url: str, message: str) -> None:
    with pytest.raises(EmailURLError, match=message) as caught:
        mailer_from_url(url)
    assert "secret" not in str(caught.value)


# Unencoded / ? # @ in the password change what urlsplit reads: each is refused,
# and the message repeats nothing after the scheme (not the host either).
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("smtp+tls://mailer:2024/Spring@smtp.example.com:587", "unexpected path"),
        ("smtp+tls://mailer:Spring#2024@smtp.example.com:587", "unexpected '#'"),
        ("smtp+tls://mailer:Spring?2024@smtp.example.com:587", "port is not a number"),
        ("smtp+tls://mailer:Spring2024@smtp.example.com:587?Spring2024", "unexpected query"),
        ("smtp+tls://mailer:Spring2024@smtp.example.com:587/x", "unexpected path"),
        ("smtp+tls://mailer:Spr@ing2024@smtp.example.com:587", "more than one '@'"),
        ("smtp+tls://mailer:Spring2024@smtp.example.com:Spring2024", "port is not a number"),
        ("smtp+tls://mailer:Spring2024@smtp.example.com:99999", "port is out of range"),
        ("smtp+tls://mailer:Spring2024@smtp.example.com:0", "port is out of range"),
        ("smtp+tls://mailer:Spring2024@smtp.example.com?timeout=0", "greater than 0"),
        ("smtp+tls://mailer:Spring2024@smtp.example.com?timeout=-3", "greater than 0"),
        ("smtp+tls://mailer:Spring2024@smtp.example.com?timeout=nan", "greater than 0"),
        ("smtp+tls://mailer:Spring2024@smtp.example.com?timeout=inf", "greater than 0"),
        ("smtp+tls://mailer:Spring2024@smtp.example.com?timeout=1&timeout=2", "once"),
        ("smtp+tls:/mailer:Spring2024@smtp.example.com://x", "expected scheme://"),
        ("console://mailer:Spring2024@x", "nothing after it"),
    ],
)
def test_ambiguous_urls_are_refused_without_echoing_them(url: str, message: str) -> None:
    with pytest.raises(EmailURLError, match=message) as caught:
        mailer_from_url(url)
    said = str(caught.value)
    for secret in ("Spring", "2024", "mailer", "smtp.example.com"):
        assert secret not in said


def test_a_root_path_and_ipv6_hosts_are_fine() -> None:
    assert mailer_from_url("smtp://relay.internal/")["OPTIONS"]["host"] == "relay.internal"
    options = mailer_from_url("smtp://[::1]:2525?timeout=2.5")["OPTIONS"]
    assert (options["host"], options["port"], options["timeout"]) == ("::1", 2525, 2.5)
    assert mailer_from_url("console:///") == {"BACKEND": CONSOLE_BACKEND}
