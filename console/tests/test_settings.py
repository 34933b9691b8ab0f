"""The prod settings refuse to run insecurely and pass Django's deploy check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROD_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "console.settings.prod",
    "SECRET_KEY": "x3G7k2Qw9Lz4Vb8Nc1Rt6Yp0Hm5Js2Df7Ga9Kl3Zx8Cv4Bn1Mq6We0Rt5Yu2Io7Pa",
    "ALLOWED_HOSTS": "console.example.com",
    "DATABASE_URL": "sqlite:////tmp/console-prod-check.sqlite3",
    "EMAIL_URL": "smtp+tls://mailer:s3cret@smtp.example.com:587",
    "DEFAULT_FROM_EMAIL": "Orders <orders@shop.example>",
}


def _run(arguments: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A deployment's environment, not the test run's (which sets e.g.
    # DJANGO_ALLOW_ASYNC_UNSAFE for the browser tests).
    kept = ("PATH", "HOME", "LANG", "VIRTUAL_ENV", "PYENV_VERSION")
    base = {k: v for k, v in os.environ.items() if k in kept}
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env={**base, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_prod_without_secret_key_fails_with_one_clear_line() -> None:
    environment = {k: v for k, v in PROD_ENVIRONMENT.items() if k != "SECRET_KEY"}
    result = _run(["manage.py", "check"], environment)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "SECRET_KEY is not set" in lines[0]
    assert "Traceback" not in result.stderr


def test_check_deploy_is_clean_with_prod_variables() -> None:
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PROD_ENVIRONMENT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def _one_line_naming_email_url(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "EMAIL_URL" in lines[0]
    return lines[0]


def test_prod_without_email_url_fails_with_one_clear_line() -> None:
    environment = {k: v for k, v in PROD_ENVIRONMENT.items() if k != "EMAIL_URL"}
    line = _one_line_naming_email_url(_run(["manage.py", "check"], environment))
    assert "EMAIL_URL is not set" in line


def test_prod_without_default_from_email_fails_with_one_clear_line() -> None:
    # Otherwise customers would get mail from base.py's console@example.com.
    environment = {k: v for k, v in PROD_ENVIRONMENT.items() if k != "DEFAULT_FROM_EMAIL"}
    result = _run(["manage.py", "check"], environment)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DEFAULT_FROM_EMAIL is not set" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("email_url", "says"),
    [
        ("smtp+tls://mailer:s3cret@:587", "no host"),
        ("smtp+tls://mailer:2024/s3cret@smtp.example.com:587", "unexpected path"),
        ("smtp+tls://mailer:s3cret#1@smtp.example.com:587", "unexpected '#'"),
        ("pigeon://mailer:s3cret@loft.example.com", "unknown scheme"),
        ("smtp://mailer:s3cret@smtp.example.com:twentyfive", "port is not a number"),
        ("smtp.example.com", "expected scheme://"),
    ],
)
def test_prod_with_an_unusable_email_url_fails_with_one_clear_line(
    email_url: str, says: str
) -> None:
    environment = {**PROD_ENVIRONMENT, "EMAIL_URL": email_url}
    line = _one_line_naming_email_url(_run(["manage.py", "check"], environment))
    assert says in line
    assert "s3cret" not in line  # the password is never printed


def test_prod_mailer_comes_from_email_url() -> None:
    script = (
        "import django; django.setup();"
        "from django.core import mail; m = mail.mailers.default;"
        "print(type(m).__module__, m.host, m.port, m.username, m.password, m.use_tls, m.timeout)"
    )
    result = _run(["-c", script], PROD_ENVIRONMENT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp",
        "smtp.example.com",
        "587",
        "mailer",
        "s3cret",
        "True",
        "10.0",
    ]


PROBE_PROD = """
import json
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="console.example.com")
print(json.dumps({
    "healthz": client.get("/healthz").status_code,
    "login": client.get("/accounts/login/").status_code,
    "exempt": settings.SECURE_REDIRECT_EXEMPT,
    "request_log": settings.LOGGING["loggers"]["console.request"]["level"],
    "redis_options": settings.CACHES["default"].get("OPTIONS"),
    "proxy_count": settings.PROXY_COUNT,
}))
"""


def test_prod_serves_healthz_over_plain_http_and_is_quiet_and_bounded() -> None:
    environment = {
        **PROD_ENVIRONMENT,
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "SECURE_PROXY_SSL": "1",
    }
    result = _run(["manage.py", "shell", "-c", PROBE_PROD], environment)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    # The load balancer's probe over HTTP gets its answer; pages go to HTTPS.
    assert probe["healthz"] == 200
    assert probe["login"] == 301
    assert probe["exempt"] == [r"^healthz$"]
    assert probe["request_log"] == "WARNING"
    assert probe["redis_options"] == {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
    assert probe["proxy_count"] == 1
