"""The console against Django's admin, page by page, on the same data.

Each page is asked of both, interleaved (console, admin, then admin,
console on the next round, ...) so load on the machine falls on both
alike, as a signed-in superuser through Django's test client (the whole
middleware stack, no network). Per page: queries (counted on a request of
their own, not timed), median and p90 of the timed requests, and the ratio
console / admin. Pages the admin has no equivalent of (the dashboard, the
htmx partial) have targets of their own. ``EXPLAIN`` of every query on the
orders table that the list and the searches run, on both sides.
"""

from __future__ import annotations

import cProfile
import gc
import io
import math
import pstats
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test import Client

from apps.accounts.api import User
from apps.core.cache import bump_cache_version
from apps.markets.models import Market
from apps.orders.models import Order
from apps.orders.views import PAGE_SIZE as ORDERS_PER_PAGE
from console import demo_scale

HTMX = {"HX-Request": "true"}
# Targets (issue 10): every list and detail page at most half the admin's
# median; the dashboard within these; the htmx partial a quarter of the page.
RATIO_TARGET = 0.5
DASHBOARD_UNCACHED_MS = 20.0
DASHBOARD_CACHED_MS = 2.0
PARTIAL_SHARE = 0.25
CACHE_NAMESPACES = ("activity", "orders", "markets", "catalog")


@dataclass(frozen=True)
class Page:
    name: str
    console: str
    admin: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    before: Callable[[], None] | None = None  # run before each request, not timed
    explain: bool = False


@dataclass
class Side:
    queries: int = 0
    status: int = 0
    size: int = 0
    timings: list[float] = field(default_factory=list)
    explains: list[tuple[str, str]] = field(default_factory=list)  # (sql, plan)

    @property
    def median(self) -> float:
        return statistics.median(self.timings) if self.timings else 0.0

    @property
    def p90(self) -> float:
        ordered = sorted(self.timings)
        return ordered[math.ceil(len(ordered) * 0.9) - 1] if ordered else 0.0


@dataclass
class Result:
    page: Page
    console: Side
    admin: Side | None

    @property
    def ratio(self) -> float | None:
        if self.admin is None or not self.admin.median:
            return None
        return self.console.median / self.admin.median


def _uncache() -> None:
    """What any domain event does: the cached dashboard and sidebars are stale."""
    for namespace in CACHE_NAMESPACES:
        bump_cache_version(namespace)


def pages(orders: int) -> list[Page]:
    """The pages compared, on the scale data set of ``orders`` orders."""
    index = orders // 2
    fields = ("pk", "number", "market_id", "customer_email", "customer_name")
    order = Order.objects.only(*fields).filter(number=demo_scale.order_number(index)).first()
    if order is None:
        # A data set seeded before the numbers had seven letters (a reused
        # BENCH_DB): the same order, by the address only it has.
        order = Order.objects.only(*fields).get(
            customer_email__endswith=f".{index}@customers.example"
        )
    number = order.number
    market = Market.objects.only("pk", "slug").get(pk=order.market_id)
    email = order.customer_email
    name = order.customer_name
    admin_orders = "/admin/orders/order/"
    # Page 500 (of 4,000 at 100,000 orders), or the last on a small data set.
    deep = max(1, min(500, orders // ORDERS_PER_PAGE))
    # The admin's ?o= is the 1-based position in list_display (benchmarks/admin.py).
    return [
        Page("orders list", "/orders/", admin_orders, explain=True),
        Page("filtered status + market", f"/orders/?status=pending&market={market.pk}",
             f"{admin_orders}?status__exact=pending&market__id__exact={market.pk}", explain=True),
        Page("search by email", f"/orders/?q={email}", f"{admin_orders}?q={email}", explain=True),
        Page("search by number", f"/orders/?q={number}", f"{admin_orders}?q={number}",
             explain=True),
        Page("search by customer name", f"/orders/?q={name.replace(' ', '+')}",
             f"{admin_orders}?q={name.replace(' ', '+')}", explain=True),
        Page("sorted by total", "/orders/?sort=-total", f"{admin_orders}?o=-6", explain=True),
        Page("sorted by market", "/orders/?sort=market", f"{admin_orders}?o=4", explain=True),
        Page("page 500", f"/orders/?page={deep}", f"{admin_orders}?p={deep}", explain=True),
        Page("order detail", f"/orders/{number}/", f"{admin_orders}{order.pk}/change/"),
        Page("markets list", "/markets/", "/admin/markets/market/"),
        Page("market detail", f"/markets/{market.slug}/",
             f"/admin/markets/market/{market.pk}/change/"),
        Page("products list", "/products/", "/admin/catalog/product/"),
        Page("activity list", "/activity/", "/admin/activity/event/"),
        Page("dashboard, cached", "/"),
        Page("dashboard, not cached", "/", before=_uncache),
        Page("orders list, htmx partial", "/orders/", headers=HTMX),
    ]  # fmt: skip


@contextmanager
def _capture() -> Iterator[list[tuple[str, Any]]]:
    """Every query run inside, with its parameters."""
    queries: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield queries


def _explain(sql: str, params: Any) -> str:
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        return "\n".join(str(row[-1]) for row in rows)
    return "\n".join(str(row[0]) for row in rows)


def full_scan(plan: str, table: str = "orders_order") -> bool:
    """The plan reads the whole table (no index narrows it)."""
    if connection.vendor == "sqlite":
        return any(
            line.strip().startswith(f"SCAN {table}") and "USING" not in line
            for line in plan.splitlines()
        )
    return f"Seq Scan on {table}" in plan


def _get(client: Client, page: Page, path: str) -> tuple[float, Any]:
    if page.before:
        page.before()
    started = time.perf_counter()
    response = client.get(path, headers=page.headers)
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, response


def _probe(client: Client, page: Page, path: str, side: Side) -> None:
    """One request, untimed: its status, size and queries (and plans)."""
    if page.before:
        page.before()
    with _capture() as queries:
        response = client.get(path, headers=page.headers)
    side.status = response.status_code
    side.size = len(response.content)
    side.queries = len(queries)
    if page.explain:
        for sql, params in queries:
            if sql.lstrip().upper().startswith("SELECT") and "orders_order" in sql:
                shown = sql % tuple(_shown(p) for p in params or ())
                side.explains.append((shown, _explain(sql, params)))


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def superuser_client() -> Client:
    user, _ = User.objects.get_or_create(
        username="bench-superuser",
        defaults={"is_staff": True, "is_superuser": True, "first_name": "Bench"},
    )
    client = Client()
    client.force_login(user)
    return client


def run(orders: int, *, repeats: int, log: Callable[[str], None] = print) -> list[Result]:
    """Measure every page ``repeats`` times on each side, interleaved."""
    client = superuser_client()
    results = [Result(page, Side(), Side() if page.admin else None) for page in pages(orders)]
    for result in results:  # warm: imports, template caches, the database's pages
        for _ in range(2):
            _get(client, result.page, result.page.console)
            if result.page.admin:
                _get(client, result.page, result.page.admin)
        _probe(client, result.page, result.page.console, result.console)
        if result.admin is not None and result.page.admin:
            _probe(client, result.page, result.page.admin, result.admin)
        bad = [s for s in (result.console, result.admin) if s is not None and s.status != 200]
        if bad:
            raise RuntimeError(f"{result.page.name}: answered {[s.status for s in bad]}")
    for round_ in range(repeats):
        gc.collect()
        for result in results:
            page = result.page
            sides: list[tuple[str, Side]] = [(page.console, result.console)]
            if page.admin and result.admin is not None:
                sides.append((page.admin, result.admin))
            if round_ % 2:
                sides.reverse()
            for path, side in sides:
                side.timings.append(_get(client, page, path)[0])
        log(f"  round {round_ + 1}/{repeats}")
    return results


def profile(page: Page, *, requests: int = 5, top: int = 14) -> str:
    """Where a page's time goes: cProfile over a few requests, by area and by function."""
    client = superuser_client()
    _get(client, page, page.console)
    profiler = cProfile.Profile()
    for _ in range(requests):
        if page.before:
            page.before()
        profiler.enable()
        client.get(page.console, headers=page.headers)
        profiler.disable()
    stats = pstats.Stats(profiler)
    areas: dict[str, float] = {}
    total = 0.0
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():
        areas[_area(filename)] = areas.get(_area(filename), 0.0) + tottime
        total += tottime
    lines = [f"{requests} requests, {total * 1000 / requests:.1f} ms each under the profiler:"]
    for area, spent in sorted(areas.items(), key=lambda item: -item[1])[:8]:
        lines.append(f"  {spent / total:5.1%}  {area}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    body = out.getvalue()
    lines.append("")
    lines.extend(body[body.find("ncalls") :].rstrip().splitlines())
    return "\n".join(lines)


def _area(filename: str) -> str:
    """Which library or part of the project a profiled function belongs to."""
    for marker, name in (
        ("django_tables2", "django-tables2"),
        ("django/template", "Django templates"),
        ("django/db", "Django ORM"),
        ("django/forms", "Django forms/widgets"),
        ("django/urls", "Django URL reversing"),
        ("django_filters", "django-filter"),
        ("django/", "Django (other)"),
        ("/apps/", "project: apps/"),
        ("/console/", "project: console/"),
        ("sqlite3", "SQLite"),
        ("psycopg", "psycopg / PostgreSQL"),
    ):
        if marker in filename:
            return name
    return "Python / other" if filename != "~" else "built-ins (C: database driver, str, re)"
