"""``make load``: gunicorn with the production settings on PostgreSQL and
Redis, 100,000 orders, and a fixed-time locust run; then the same with the
web tier as two gunicorn instances on two ports sharing both.

Everything runs on this machine's loopback and stops by itself: each run is
bounded in time (``--time``) and in requests (``LOAD_MAX_REQUESTS``), and the
servers this starts are stopped when it ends, however it ends (an error,
Ctrl+C, SIGTERM). See docs/performance.md.

    python -m loadtest [--nodes 1 2] [--users 20] [--time 75] [--orders 100000]

``DATABASE_URL`` (PostgreSQL, created if missing) and ``REDIS_URL`` say where;
both must be on the loopback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from loadtest.report import machine, read_stats, render_table

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/console_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
FIRST_PORT = 8101


class LoadTestError(Exception):
    """Something the person running the load test must fix; one line says what."""


def server_environment(database_url: str, redis_url: str) -> dict[str, str]:
    """The production settings' required variables, for a run on the loopback.

    One SECRET_KEY for every node, as a deployment has: sessions and CSRF
    tokens made by one node are checked by another. ``SECURE_PROXY_SSL=1``:
    the client plays the TLS-terminating proxy (``X-Forwarded-Proto``), so
    the HTTPS redirect, HSTS and Secure cookies stay as production has them.
    """
    if urlsplit(database_url).scheme not in {"postgres", "postgresql"}:
        raise LoadTestError("DATABASE_URL must be PostgreSQL (postgres://...)")
    for url in (database_url, redis_url):
        host = urlsplit(url).hostname or ""
        if host not in LOOPBACK:
            raise LoadTestError(f"the load test runs on the loopback only, not on {host!r}")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "console.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_PROXY_SSL": "1",
        "EMAIL_URL": "console://",
        "DEFAULT_FROM_EMAIL": "Console load test <load@console.invalid>",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PYTHONUNBUFFERED": "1",
    }


def ensure_database(database_url: str) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')  # name from our own env; not input
            print(f"Created database {name}.")


def manage(env: dict[str, str], *arguments: str) -> None:
    subprocess.run([PYTHON, "manage.py", *arguments], cwd=ROOT, env=env, check=True)


def prepare(env: dict[str, str], orders: int) -> float:
    """Migrate, collect static files, seed; return how long seeding took (s)."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    started = time.monotonic()
    manage(env, "seed_demo", "--orders", str(orders))
    return time.monotonic() - started


class Processes:
    """Servers started here, each in its own process group, all stopped on exit."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.running.append(
            subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )  # fmt: skip

    def stop(self) -> None:
        for process in self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.running:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.running.clear()


@contextlib.contextmanager
def web_tier(env: dict[str, str], *, nodes: int, workers: int, logs: Path) -> Iterator[list[str]]:
    """``nodes`` gunicorn instances (``workers`` each) and one db_worker; their base URLs."""
    processes = Processes(logs)
    urls = []
    try:
        for index in range(nodes):
            port = FIRST_PORT + index
            processes.start(
                f"gunicorn-{port}",
                [
                    PYTHON, "-m", "gunicorn", "console.wsgi", "--workers", str(workers),
                    "--bind", f"127.0.0.1:{port}", "--timeout", "30",
                    # Its default path is one per user: a second instance would take it over.
                    "--no-control-socket",
                ],
                env,
            )  # fmt: skip
            urls.append(f"http://127.0.0.1:{port}")
        # Background work (shipping emails) runs as in production, beside the web tier.
        processes.start("db_worker", [PYTHON, "manage.py", "db_worker", "--interval", "1"], env)
        for url in urls:
            wait_until_ready(url)
        yield urls
    finally:
        processes.stop()


def wait_until_ready(url: str, timeout: float = 60) -> None:
    request = urllib.request.Request(f"{url}/healthz", headers={"X-Forwarded-Proto": "https"})
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise LoadTestError(f"{url} did not answer /healthz within {timeout:.0f} s")
        time.sleep(0.5)


def run_locust(
    urls: list[str], *, users: int, seconds: int, csv_prefix: Path, env: dict[str, str]
) -> None:
    command = [
        PYTHON, "-m", "locust", "-f", str(ROOT / "loadtest" / "locustfile.py"), "--headless",
        "--users", str(users), "--spawn-rate", str(max(users // 4, 1)),
        "--run-time", f"{seconds}s", "--stop-timeout", "10", "--only-summary",
        "--csv", str(csv_prefix), "--loglevel", "WARNING", "--host", urls[0],
    ]  # fmt: skip
    locust_env = {**env, "LOAD_NODES": ",".join(urls)}
    with (csv_prefix.parent / f"{csv_prefix.name}-locust.log").open("wb") as log:
        # Exit code 1 means "some requests failed": the table says which.
        subprocess.run(command, cwd=ROOT, env=locust_env, stdout=log, stderr=subprocess.STDOUT)


def _stop_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks that stop the servers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtest", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--nodes",
        type=int,
        nargs="+",
        default=[1, 2],
        help="web tiers to test, as numbers of gunicorn instances (default: 1 2)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--users", type=int, default=20, help="locust users")
    parser.add_argument("--time", type=int, default=75, help="seconds per run")
    parser.add_argument("--orders", type=int, default=100_000, help="orders in the data set")
    parser.add_argument("--logs", type=Path, help="where logs and CSVs go (default: a temp dir)")
    options = parser.parse_args(argv)  # fmt: skip
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGHUP, _stop_on_signal)
    try:
        env = server_environment(
            os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        )
        logs = options.logs or Path(tempfile.mkdtemp(prefix="console-load-"))
        logs.mkdir(parents=True, exist_ok=True)
        ensure_database(env["DATABASE_URL"])
        seeding = prepare(env, options.orders)
    except (LoadTestError, subprocess.CalledProcessError) as error:
        print(f"make load: {error}", file=sys.stderr)
        return 2
    print(f"\nSeeding ({options.orders:,} orders) took {seeding:.0f} s. Logs: {logs}")
    print(machine())
    errors = 0
    for nodes in options.nodes:
        with web_tier(env, nodes=nodes, workers=options.workers, logs=logs) as urls:
            print(
                f"\n{nodes} gunicorn instance(s) x {options.workers} workers "
                f"({', '.join(urls)}), {options.users} users, {options.time} s:",
                flush=True,
            )
            prefix = logs / f"nodes{nodes}"
            run_locust(urls, users=options.users, seconds=options.time, csv_prefix=prefix, env=env)
        stats, failures = read_stats(prefix)
        print(render_table(stats, failures))
        print(f"After the run: {machine()}")
        errors += sum(row.failures for row in stats if row.name != "Aggregated")
    print(f"\n{errors} errors in all.")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
