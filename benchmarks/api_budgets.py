"""The API's query budgets, flat from 1,000 to 100,000 orders: ``python -m benchmarks api``.

Seeds a throw-away database (SQLite, or PostgreSQL when ``DATABASE_URL`` is
set) with ``seed_demo --orders N --seed S`` (``console/demo_scale.py``) at
each size of ``BENCH_API_ORDERS`` (default ``1000,100000``), the second on
top of the first, and requests every GET endpoint of ``/api/v1/`` as a script
does: the viewer role's token (the docs and the browsable API with its
session). Each list plain, filtered and a page further on (a cursor for
orders and events), each detail, the index and the schema.

Prints each request's query count at every size, its declared budget
(``@query_budget``, ``apps/core/web/budgets.py``) and its median time at the
largest size; exit status 1 if any count differs between the sizes or
exceeds its budget. The walk in ``console/tests/test_budgets.py`` asserts the
same at test sizes; this is the same check at production sizes.
"""

from __future__ import annotations

import io
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_SIZES = (1_000, 100_000)
SEED = int(os.environ.get("BENCH_API_SEED", "1"))
REPEATS = int(os.environ.get("BENCH_API_REPEATS", "5"))


@dataclass
class Row:
    name: str  # the URL name
    label: str  # what is requested
    budget: int | None
    queries: dict[int, int] = field(default_factory=dict)
    median_ms: dict[int, float] = field(default_factory=dict)


def sizes() -> tuple[int, ...]:
    raw = os.environ.get("BENCH_API_ORDERS", "")
    if not raw.strip():
        return DEFAULT_SIZES
    try:
        chosen = tuple(sorted({int(part) for part in raw.split(",") if part.strip()}))
    except ValueError:
        message = f"BENCH_API_ORDERS is order counts, e.g. 1000,100000 (not {raw!r})"
        raise SystemExit(message) from None
    if len(chosen) < 2 or chosen[0] < 1:
        raise SystemExit("BENCH_API_ORDERS needs at least two positive sizes, e.g. 1000,100000")
    return chosen


def requests(next_of: Callable[[str], str]) -> list[tuple[str, str, bool]]:
    """(URL name, URL, as a script with its token?) for every GET of the API."""
    from apps.activity.models import Event
    from apps.catalog.models import Product
    from apps.markets.models import Market
    from apps.orders.models import Cart, Order
    from console import demo_scale

    # The same rows at every size: the first scale market that takes orders
    # (it grows with the data set), its first order, product and event.
    market = Market.objects.filter(
        slug__startswith=demo_scale.MARKET_PREFIX, status="active"
    ).earliest("slug")
    order = Order.objects.filter(market=market).earliest("pk")
    product = Product.objects.filter(market=market).earliest("pk")
    event = Event.objects.filter(aggregate_type="order", aggregate_id=str(order.pk)).latest("pk")
    cart = Cart.objects.filter(items__isnull=False).earliest("pk")
    return [
        ("api:api-root", "/api/v1/", True),
        ("api:schema", "/api/v1/schema/", True),
        ("api:docs", "/api/v1/docs/", False),
        ("api:market-list", "/api/v1/markets/", True),
        ("api:market-list", "/api/v1/markets/?status=active&q=market", True),
        ("api:market-list", "/api/v1/markets/?page_size=10&page=2", True),
        ("api:market-detail", f"/api/v1/markets/{market.slug}/", True),
        ("api:order-list", "/api/v1/orders/", True),
        ("api:order-list", f"/api/v1/orders/?status=delivered&market={market.pk}", True),
        ("api:order-list", "/api/v1/orders/?q=example", True),
        ("api:order-list", next_of("/api/v1/orders/?page_size=25"), True),
        ("api:order-list", "/api/v1/orders/?status=paid", False),  # the browsable API
        ("api:order-detail", f"/api/v1/orders/{order.number}/", True),
        ("api:cart-list", "/api/v1/carts/", True),
        ("api:cart-list", "/api/v1/carts/?page_size=2&page=2", True),
        ("api:cart-detail", f"/api/v1/carts/{cart.pk}/", True),
        ("api:product-list", "/api/v1/products/", True),
        ("api:product-list", f"/api/v1/products/?market={market.slug}&active=yes", True),
        ("api:product-list", "/api/v1/products/?page_size=25&page=3", True),
        ("api:product-detail", f"/api/v1/products/{product.pk}/", True),
        ("api:event-list", "/api/v1/events/", True),
        ("api:event-list", "/api/v1/events/?context=orders&q=order", True),
        ("api:event-list", f"/api/v1/events/?aggregate_type=order&aggregate_id={order.pk}", True),
        ("api:event-list", next_of("/api/v1/events/?page_size=25"), True),
        ("api:event-detail", f"/api/v1/events/{event.pk}/", True),
    ]


def measure(client: Any, url: str, headers: dict[str, str]) -> tuple[int, float]:
    """Queries of a warm GET, and its median time over ``REPEATS`` more."""
    from django.db import connection

    client.get(url, headers=headers)  # warm: caches, the user's permissions, imports
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, headers=headers)
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: {response.status_code} {response.content[:300]!r}")
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        client.get(url, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
    return queries, statistics.median(timings)


def seed(orders: int) -> float:
    from django.core.management import call_command

    started = time.monotonic()
    call_command("seed_demo", orders=orders, seed=SEED, stdout=io.StringIO())
    return time.monotonic() - started


def walk(rows: dict[tuple[str, str], Row], orders: int) -> None:
    from django.test import Client
    from django.urls import get_resolver

    from apps.accounts.models import User
    from apps.accounts.services import create_api_token
    from apps.core.web.budgets import budget_of

    viewer = User.objects.get(username="viewer")
    # A token per size: the throttle counts per token.
    _, raw = create_api_token(actor=viewer, name=f"bench {orders}", days=7)
    token = {"Authorization": f"Token {raw}"}
    script, browser = Client(), Client()
    browser.force_login(viewer)
    html = {"Accept": "text/html"}

    def next_of(url: str) -> str:
        return str(script.get(url, headers=token).json()["next"])

    resolver = get_resolver()
    for number, (name, url, scripted) in enumerate(requests(next_of)):
        path = url.removeprefix("http://testserver")
        key = (name, f"#{number}")
        if key not in rows:
            label = path.split("?")[0] + "?cursor=… (page 2)" if "cursor=" in path else path
            callback = resolver.resolve(path.split("?")[0]).func
            rows[key] = Row(name, label if scripted else f"{label} (session)", budget_of(callback))
        client, headers = (script, token) if scripted else (browser, {} if "docs" in url else html)
        queries, median = measure(client, url, headers)
        rows[key].queries[orders] = queries
        rows[key].median_ms[orders] = median


def report(rows: list[Row], counts: tuple[int, ...]) -> bool:
    largest = counts[-1]
    heads = "".join(f"{f'q @{n:,}':>11}" for n in counts)
    print(f"{'endpoint':<62}{heads}{'budget':>8}{f'ms @{largest:,}':>12}  verdict")
    ok = True
    for row in rows:
        values = [row.queries[n] for n in counts]
        flat = len(set(values)) == 1
        within = row.budget is not None and max(values) <= row.budget
        verdict = "ok" if flat and within else ("GROWS" if not flat else "OVER BUDGET")
        ok = ok and flat and within
        cells = "".join(f"{value:>11}" for value in values)
        print(
            f"{row.label[:61]:<62}{cells}{row.budget if row.budget else '-':>8}"
            f"{row.median_ms[largest]:>12.1f}  {verdict}"
        )
    return ok


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings.test")
    import django

    django.setup()
    from django.db import connection

    logging.disable(logging.WARNING)  # request log, slow requests, tasks: the table says it all
    counts = sizes()
    scratch = tempfile.TemporaryDirectory(prefix="bench-api-")
    if connection.vendor == "sqlite":
        # A file of its own: not the test suite's, which a pytest run may be using.
        connection.settings_dict["TEST"]["NAME"] = str(Path(scratch.name) / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    rows: dict[tuple[str, str], Row] = {}
    try:
        for orders in counts:
            seconds = seed(orders)
            print(f"seed_demo --orders {orders} --seed {SEED}: {seconds:.0f} s", flush=True)
            walk(rows, orders)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        scratch.cleanup()
    print(f"\nAPI GETs on {connection.vendor}, as the viewer role (token; session for HTML)")
    ok = report(list(rows.values()), counts)
    print("flat and within budget" if ok else "FAILED: a count grows or exceeds its budget")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
