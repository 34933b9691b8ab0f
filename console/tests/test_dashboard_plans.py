"""The dashboard's heaviest queries, not cached, are served by indexes (EXPLAIN),
on the database the suite runs on (SQLite here, PostgreSQL in CI)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.core.cache import bump_cache_version
from apps.orders.models import OrderStatus
from apps.orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def _uncached_dashboard_queries(client: Client) -> list[str]:
    client.get("/")
    bump_cache_version("activity")  # what every committed event does
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def _plan(sql: str) -> str:
    """As in apps/orders/tests/test_search.py: on PostgreSQL, with sequential
    scans off for this transaction, whether an index can serve ``sql``."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return "\n".join(row[-1] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_revenue_and_failed_payments_are_read_from_indexes(client: Client, viewer) -> None:
    """Revenue (today, this week, the chart's 30 days) is summed from the
    figures the orders keep, never from the orders; failed payments by index."""
    for status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.PENDING):
        OrderFactory(status=status, lines=0)
    client.force_login(viewer)
    queries = _uncached_dashboard_queries(client)
    assert not [sql for sql in queries if '"orders_order"."paid_at"' in sql]
    revenue = [sql for sql in queries if 'SUM("orders_orderfigure"."revenue")' in sql]
    assert len(revenue) == 1  # today, this week and the chart's 30 days: one query
    failed = [sql for sql in queries if 'FROM "orders_payment"' in sql]
    assert len(failed) == 1
    for sql in revenue:  # a range of the unique (kind, status, day, currency) index
        plan = _plan(sql)
        if connection.vendor == "sqlite":
            assert "SEARCH orders_orderfigure USING INDEX" in plan, plan
        else:
            assert "order_figure_unique" in plan, plan
    plan = _plan(failed[0])
    assert "payment_status_created" in plan, plan
    if connection.vendor == "sqlite":
        assert "created_at>? AND created_at<?" in plan, plan
    else:
        assert "Seq Scan on orders_payment" not in plan, plan


def test_the_work_queues_and_charts_count_no_order(client: Client, viewer) -> None:
    """Awaiting payment, to ship (queues and navigation badges) and the orders
    chart are sums of the figures: no COUNT over the orders, at any size."""
    OrderFactory(status=OrderStatus.PENDING, lines=0)
    client.force_login(viewer)
    queries = _uncached_dashboard_queries(client)
    assert not [
        sql for sql in queries if re.search(r'COUNT\(\*\) AS "count" FROM "orders_order"', sql)
    ]
    sums = [sql for sql in queries if 'SUM("orders_orderfigure"."orders")' in sql]
    assert len(sums) == 2  # the queues and the navigation's badges (one count), the orders chart
    assert re.search(r'"orders_orderfigure"\."status" IN \(.pending., .paid.\)', sums[0]), sums[0]


def test_the_orders_chart_searches_the_figures_by_status_and_day(client: Client, viewer) -> None:
    """Every status named, so the unique (kind, status, day, …) index is searched
    for each status and day; without them it read every "placed" figure."""
    OrderFactory(status=OrderStatus.PENDING, lines=0)
    client.force_login(viewer)
    queries = _uncached_dashboard_queries(client)
    chart = [
        sql
        for sql in queries
        if '"orders_orderfigure"."day" AS "day", "orders_orderfigure"."status" AS' in sql
    ]
    assert len(chart) == 1, queries
    assert '"orders_orderfigure"."status" IN' in chart[0], chart[0]
    plan = _plan(chart[0])
    if connection.vendor == "sqlite":
        assert "(kind=? AND status=? AND day=?)" in plan, plan
    else:
        # On a table this small PostgreSQL picks by statistics which columns to
        # search (at 100,000 orders: all three, docs/performance.md).
        assert "order_figure_unique" in plan, plan
