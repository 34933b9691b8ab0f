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

User and password **must** be percent-encoded: ``@`` is ``%40``, ``:`` is
``%3A``, ``/`` is ``%2F``, ``?`` is ``%3F``, ``#`` is ``%23``, ``%`` is ``%25``
(``urllib.parse.quote(password, safe="")`` does it). A URL that could be read
two ways (a second ``@``, anything after the host but ``?timeout=``) is
refused rather than guessed at. ``?timeout=10`` sets how long a connection may
take, in seconds (default 10: a mail server that does not answer is retried
later, it never holds a worker).

Errors never repeat any part of the URL after ``scheme://``: it may hold the
password, and a mistyped one is still most of a secret.
"""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import unquote

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_TIMEOUT = 10
PARAMETERS = {"timeout"}

SMTP_SCHEMES = {"smtp": {}, "smtp+tls": {"use_tls": True}, "smtp+ssl": {"use_ssl": True}}
SMTP_SCHEMES["smtps"] = SMTP_SCHEMES["smtp+ssl"]

SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")
HOST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")
IPV6 = re.compile(r"\[[0-9A-Fa-f:.]+\]")
ENCODE = "percent-encode user and password (@ %40, / %2F, ? %3F, # %23, : %3A)"


class EmailURLError(ValueError):
    """The URL cannot configure a mailer. The message never repeats the URL past its scheme."""


def mailer_from_url(url: str) -> dict[str, Any]:
    """The ``MAILERS["default"]`` entry (``BACKEND`` and ``OPTIONS``) that ``url`` describes."""
    scheme, separator, rest = url.strip().partition("://")
    scheme = scheme.lower()
    if not separator or not SCHEME.fullmatch(scheme):
        raise EmailURLError("expected scheme://..., e.g. smtp+tls://user:password@host:587")
    if scheme == "console":
        if rest not in ("", "/"):
            raise EmailURLError("console:// takes nothing after it")
        return {"BACKEND": CONSOLE_BACKEND}
    if scheme not in SMTP_SCHEMES:
        known = ", ".join(f"{name}://" for name in [*SMTP_SCHEMES, "console"])
        raise EmailURLError(f"unknown scheme {scheme + '://'!r}; use one of {known}")
    # Split by hand: urlsplit would quietly read an unencoded / ? # in the
    # password as the start of a path, query or fragment.
    rest, hash_sign, _fragment = rest.partition("#")
    if hash_sign:
        raise EmailURLError(f"unexpected '#' (a fragment); {ENCODE}")
    rest, _question_mark, query = rest.partition("?")
    netloc, _slash, path = rest.partition("/")
    if path:
        raise EmailURLError(f"unexpected path after the host; {ENCODE}")
    if netloc.count("@") > 1:
        raise EmailURLError(f"more than one '@'; {ENCODE}")
    userinfo, _at, hostport = netloc.rpartition("@")
    username, _colon, password = userinfo.partition(":")
    host, port = _host_and_port(hostport, scheme)
    options: dict[str, Any] = {
        "host": host,
        "timeout": _timeout(query),
        "username": unquote(username),
        "password": unquote(password),
        **SMTP_SCHEMES[scheme],
    }
    if port is not None:
        options["port"] = port
    return {"BACKEND": SMTP_BACKEND, "OPTIONS": options}


def _host_and_port(hostport: str, scheme: str) -> tuple[str, int | None]:
    port_text: str | None
    if hostport.startswith("["):  # [::1]:25
        closing = hostport.find("]")
        host, after = hostport[: closing + 1], hostport[closing + 1 :]
        if closing < 0 or not IPV6.fullmatch(host):
            raise EmailURLError("the host is not a valid IPv6 address in [brackets]")
        host = host[1:-1]
        if after and not after.startswith(":"):
            raise EmailURLError(f"unexpected text after the host; {ENCODE}")
        port_text = after[1:] if after else None
    else:
        host, colon, after = hostport.partition(":")
        port_text = after if colon else None
        if host and not HOST_NAME.fullmatch(host):
            raise EmailURLError(f"the host is not a valid name; {ENCODE}")
    if not host:
        raise EmailURLError(f"no host, e.g. {scheme}://user:password@smtp.example.com")
    if port_text is None:
        return host, None
    if not port_text.isascii() or not port_text.isdigit():
        raise EmailURLError(f"the port is not a number; {ENCODE}")
    port = int(port_text)
    if not 1 <= port <= 65535:
        raise EmailURLError("the port is out of range (1 to 65535)")
    return host, port


def _timeout(query: str) -> float:
    values: dict[str, str] = {}
    for pair in query.split("&") if query else []:
        key, equals, value = pair.partition("=")
        if not equals or key not in PARAMETERS or key in values:
            # Never echo it: an unencoded '?' in the password lands here.
            raise EmailURLError(
                f"unexpected query; only ?timeout=seconds is understood (once); {ENCODE}"
            )
        values[key] = value
    if "timeout" not in values:
        return float(DEFAULT_TIMEOUT)
    try:
        timeout = float(values["timeout"])
    except ValueError:
        raise EmailURLError("timeout must be a number of seconds") from None
    if not math.isfinite(timeout) or timeout <= 0:
        raise EmailURLError("timeout must be a number of seconds greater than 0")
    return timeout
