"""``EMAIL_URL`` → one entry of Django 6.1's ``MAILERS`` setting.

Why our own: the URL parsers on PyPI (dj-email-url, django-environ's
``email_url``) produce the deprecated ``EMAIL_*`` settings, not ``MAILERS``
with ``OPTIONS``; the URL format below is theirs, so a URL written for them
works here.

=====================================================  =============================
``EMAIL_URL``                                          sends through
=====================================================  =============================
``smtp+tls://user:password@smtp.example.com:587``      SMTP with STARTTLS (port 587)
``smtp+ssl://user:password@smtp.example.com:465``      SMTP over TLS (port 465);
                                                       ``smtps://`` is the same
``smtp://relay.internal:25``                           plain SMTP (a local relay)
``console://``                                         the log: printed, never sent
=====================================================  =============================

User and password are percent-encoded (``@`` is ``%40``). ``?timeout=10``
sets how long a connection may take, in seconds (default 10: a mail server
that does not answer is retried later, it never holds a worker).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_TIMEOUT = 10

SMTP_SCHEMES = {"smtp": {}, "smtp+tls": {"use_tls": True}, "smtp+ssl": {"use_ssl": True}}
SMTP_SCHEMES["smtps"] = SMTP_SCHEMES["smtp+ssl"]


class EmailURLError(ValueError):
    """The URL cannot configure a mailer. The message never repeats the password."""


def mailer_from_url(url: str) -> dict[str, Any]:
    """The ``MAILERS["default"]`` entry (``BACKEND`` and ``OPTIONS``) that ``url`` describes."""
    if "://" not in url:
        raise EmailURLError("expected scheme://..., e.g. smtp+tls://user:password@host:587")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"BACKEND": CONSOLE_BACKEND}
    if scheme not in SMTP_SCHEMES:
        known = ", ".join(f"{name}://" for name in [*SMTP_SCHEMES, "console"])
        raise EmailURLError(f"unknown scheme {scheme + '://'!r}; use one of {known}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as error:  # a port that is not a number
        raise EmailURLError(f"the port is not a number ({error})") from None
    if not host:
        raise EmailURLError(f"no host, e.g. {scheme}://user:password@smtp.example.com")
    query = parse_qs(parts.query)
    try:
        timeout = float(query.get("timeout", [DEFAULT_TIMEOUT])[0])
    except ValueError:
        raise EmailURLError("timeout must be a number of seconds") from None
    unknown = sorted(set(query) - {"timeout"})
    if unknown:
        raise EmailURLError(f"unknown parameter {unknown[0]!r}; only timeout is understood")
    options: dict[str, Any] = {
        "host": host,
        "timeout": timeout,
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        **SMTP_SCHEMES[scheme],
    }
    if port is not None:
        options["port"] = port
    return {"BACKEND": SMTP_BACKEND, "OPTIONS": options}
