"""``make bench``: the console against Django's admin, and query counts as rows grow.

    python -m benchmarks [all|admin|growth|api] [--orders N] [--repeats R] [--no-write]

``admin`` (benchmarks/versus_admin.py): every list and detail page against the
admin's on the same data set of ``--orders`` orders (``seed_demo --orders``),
the dashboard, the htmx partial, EXPLAIN of the list and search queries, the
console's query counts at 1,000 orders and at ``--orders``; the table goes to
``docs/bench-<database>.md`` and into the marked section of
``docs/performance.md``. ``growth`` (benchmarks/growth.py): query counts and
times at 10, 100 and 1,000 rows, and the CSV export's memory. ``api``
(benchmarks/api_budgets.py): every API GET's query count at 1,000 and 100,000
orders (``BENCH_API_ORDERS``), in a throw-away database of its own; ``all``
runs it in a child process, since it sets Django up with other settings.

``DATABASE_URL`` chooses SQLite (unset) or PostgreSQL. The data set lives in
a database of its own, seeded only when it holds fewer orders than asked,
so a re-run measures at once: ``BENCH_DB`` names it (SQLite: a file,
default ``/tmp/console-bench-<N>.sqlite3``; PostgreSQL: a database, default
``console_bench_<N>``, created if missing). Migrations are applied first, so
a database seeded before a merge gets the merge's indexes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SMALL = 1000  # the other size the console's query counts must be identical at


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("part", nargs="?", default="all", choices=["all", "admin", "growth", "api"])
    parser.add_argument("--orders", type=int, default=int(os.environ.get("BENCH_ORDERS", "100000")))
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", "20")))
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    parser.add_argument(
        "--no-profile", action="store_true", help="skip the profiles of the worst pages"
    )
    # Internal: the query counts at another size, as JSON on stdout (a child process).
    parser.add_argument("--counts-only", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def _vendor() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def _setup(orders: int) -> str:
    """Django on the bench's database for ``orders`` orders; return its name."""
    vendor = _vendor()
    default = (
        f"/tmp/console-bench-{orders}.sqlite3" if vendor == "sqlite" else f"console_bench_{orders}"
    )
    os.environ.setdefault("BENCH_DB", default)
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    import django

    django.setup()
    return os.environ["BENCH_DB"]


def _prepare(orders: int, log: Any) -> str:
    """Create, migrate and seed the database as needed; say what was done."""
    from django.core.management import call_command
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                log(f"creating database {name}")
                cursor.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)
    from apps.orders.models import Order
    from console import demo_scale

    have = Order.objects.filter(market__slug__startswith=demo_scale.MARKET_PREFIX).count()
    if have >= orders:
        return f"reused ({have:,} orders already there)"
    log(f"seeding {orders:,} orders into {name} (once; later runs reuse it)")
    started = time.monotonic()
    call_command("seed_demo", orders=orders, seed=1, stdout=sys.stderr)
    return f"seeded in {time.monotonic() - started:.1f} s (`seed_demo --orders {orders}`)"


def _counts(orders: int) -> dict[str, dict[str, int]]:
    from benchmarks import versus_admin

    client = versus_admin.superuser_client()
    counts: dict[str, dict[str, int]] = {}
    for page in versus_admin.pages(orders):
        for side, path in (("console", page.console), ("admin", page.admin)):
            if path:
                probe = versus_admin.Side()
                versus_admin._get(client, page, path)
                versus_admin._probe(client, page, path, probe)
                counts.setdefault(page.name, {})[side] = probe.queries
    return counts


def _small_counts() -> dict[str, dict[str, int]]:
    """The query counts at ``SMALL`` orders, from a child process on its own database."""
    env = {k: v for k, v in os.environ.items() if k != "BENCH_DB"}
    if os.environ.get("BENCH_DB_SMALL"):
        env["BENCH_DB"] = os.environ["BENCH_DB_SMALL"]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "admin", "--orders", str(SMALL), "--counts-only"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the query counts at {SMALL} orders failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} x {cpu}, Python {platform.python_version()}, load average {load}"


def _database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def main() -> int:
    args = _arguments()
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    status = 0
    if args.part in ("all", "admin"):
        _setup(args.orders)
        seeded = _prepare(args.orders, log)
        if args.counts_only:
            print(json.dumps(_counts(args.orders)))
            return 0
        status |= _admin(args, seeded, log)
    if args.part in ("all", "growth"):
        if args.part == "growth":
            _setup(args.orders)
        from benchmarks import growth

        status |= growth.main()
    if args.part == "api":
        from benchmarks import api_budgets

        status |= api_budgets.main()
    elif args.part == "all":
        api = subprocess.run([sys.executable, "-m", "benchmarks", "api"], check=False)
        status |= 1 if api.returncode else 0
    return status


def _admin(args: argparse.Namespace, seeded: str, log: Any) -> int:
    import django
    from django.db import connection

    from benchmarks import report, versus_admin

    machine_before = _machine()
    log(f"console vs admin: {args.orders:,} orders, {args.repeats} rounds, {connection.vendor}")
    started = time.monotonic()
    results = versus_admin.run(args.orders, repeats=args.repeats, log=log)
    elapsed = time.monotonic() - started
    log(f"counting queries at {SMALL:,} orders")
    small = _small_counts()
    profiles: list[tuple[str, str]] = []
    if not args.no_profile:
        for result in report.worst(results, 2):
            log(f"profiling {result.page.name}")
            profiles.append((result.page.name, versus_admin.profile(result.page)))
    context = report.Context(
        when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=f"{machine_before} (before); {_machine().split('load average ')[1]} (after)",
        database=_database_version(),
        django=django.get_version(),
        orders=args.orders,
        small=SMALL,
        repeats=args.repeats,
        seeded=seeded,
        minutes=elapsed / 60,
        vendor=connection.vendor,
    )
    text = report.markdown(results, small, profiles, context)
    print(text)
    if not args.no_write:
        path = ROOT / "docs" / f"bench-{connection.vendor}.md"
        path.write_text(text)
        report.update_performance_md(ROOT / "docs" / "performance.md", results, small, context)
        log(f"wrote {path.relative_to(ROOT)} and the {connection.vendor} table in performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
