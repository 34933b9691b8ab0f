"""The prod settings refuse to run insecurely and pass Django's deploy check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROD_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "console.settings.prod",
    "SECRET_KEY": "x3G7k2Qw9Lz4Vb8Nc1Rt6Yp0Hm5Js2Df7Ga9Kl3Zx8Cv4Bn1Mq6We0Rt5Yu2Io7Pa",
    "ALLOWED_HOSTS": "console.example.com",
    "DATABASE_URL": "sqlite:////tmp/console-prod-check.sqlite3",
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
