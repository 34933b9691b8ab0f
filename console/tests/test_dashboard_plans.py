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
    for status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.PENDING):
        OrderFactory(status=status, lines=0)
    client.force_login(viewer)
    queries = _uncached_dashboard_queries(client)
    revenue = [sql for sql in queries if re.search(r'"orders_order"\."paid_at" >=', sql)]
    assert len(revenue) == 3  # today, this week, the chart's 30 days
    failed = [sql for sql in queries if 'FROM "orders_payment"' in sql]
    assert len(failed) == 1
    for sql in revenue:
        plan = _plan(sql)
        assert "order_status_paid" in plan, plan
        if connection.vendor == "sqlite":
            # Every column it needs is in the index: no row is read.
            assert "COVERING INDEX order_status_paid" in plan, plan
    plan = _plan(failed[0])
    assert "payment_status_created" in plan, plan
    if connection.vendor == "sqlite":
        assert "created_at>? AND created_at<?" in plan, plan
    else:
        assert "Seq Scan on orders_payment" not in plan, plan


def test_the_work_queues_count_two_statuses_not_every_order(client: Client, viewer) -> None:
    """Awaiting payment and to ship are a range of the status index; counting
    every status (the sidebar's numbers) read every order's entry."""
    OrderFactory(status=OrderStatus.PENDING, lines=0)
    client.force_login(viewer)
    counts = [
        sql
        for sql in _uncached_dashboard_queries(client)
        if re.search(r'COUNT\(\*\) AS "count" FROM "orders_order"', sql)
    ]
    assert counts  # the queues' and the navigation badges'
    for sql in counts:
        assert re.search(r'"orders_order"\."status" IN \(.pending., .paid.\)', sql), sql
