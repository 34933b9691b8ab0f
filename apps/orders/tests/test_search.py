"""The order list's search, sort and pages, on the database the suite runs on.

The suite runs on SQLite and on PostgreSQL (CI): each test here holds on
both. The search is served by an index on each (migration 0007), which the
EXPLAIN tests prove of the query the list page actually runs.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.markets.models import MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders.models import Order

from .factories import OrderFactory

pytestmark = pytest.mark.django_db


def _numbers(client: Client, url: str) -> list[str]:
    """The order numbers a list page shows, in order."""
    response = client.get(url)
    assert response.status_code == 200
    return re.findall(r">(ORD-[A-Z0-9]+)</a>", response.content.decode())


@pytest.fixture
def orders() -> dict[str, Order]:
    market = MarketFactory(status=MarketStatus.ACTIVE)
    now = timezone.now()
    people = {
        "ada": ("ORD-7K3M9Q", "Ada Lovelace", "ada@analytical.example"),
        "grace": ("ORD-HQ2W4X", "Grace Hopper", "grace.hopper@navy.example"),
        "muller": ("ORD-M9PXT2", "Jürgen Müller", "j.mueller@example.de"),
        "quote": ("ORD-Q8Z2KD", 'Bob "Bobby" Tables', "bobby@example.com"),
    }
    return {
        key: OrderFactory(
            market=market,
            number=number,
            customer_name=name,
            customer_email=email,
            placed_at=now - timedelta(minutes=index),
            lines=0,
        )
        for index, (key, (number, name, email)) in enumerate(people.items())
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ORD-7K3M9Q", ["ada"]),  # a whole number
        ("ord-7k3", ["ada"]),  # its start, any case
        ("M9Q", ["ada"]),  # any part of it
        ("hopper@navy", ["grace"]),  # part of an email
        ("EXAMPLE.COM", ["quote"]),  # a domain, any case
        ("Lovelace", ["ada"]),  # a name
        ("grace hopper", ["grace"]),  # a name with its space: one phrase
        ("hopper grace", []),  # not the words in any order: the phrase
        ("MÜLLER", ["muller"]),  # beyond ASCII, any case
        ('"Bobby"', ["quote"]),  # quotes are text, not FTS5 syntax
        ("Bob OR Ada", []),  # OR is text too
        ("ada*", []),  # and so is a star
        ("number:ORD", []),  # and a column filter
        ("er", ["grace", "muller"]),  # two characters: no index, the same rule
        ("lo", ["ada"]),  # two characters in a name alone
        ("ÜLL", ["muller"]),  # three characters: the index, beyond ASCII, any case
        ("q", ["ada", "grace", "quote"]),  # one character
        ("zzz", []),
    ],
)
def test_search_matches_a_phrase_in_number_email_or_name(
    client: Client, viewer, orders: dict[str, Order], query: str, expected: list[str]
) -> None:
    client.force_login(viewer)
    shown = _numbers(client, f"/orders/?q={query}")
    assert shown == [orders[key].number for key in sorted(expected, key=list(orders).index)]


def test_the_search_index_follows_every_insert_update_and_delete(
    client: Client, viewer, orders: dict[str, Order]
) -> None:
    """On SQLite, triggers keep the FTS5 table in step with the orders; a
    migration that rebuilt the table without them would fail this."""
    client.force_login(viewer)
    added = OrderFactory(number="ORD-NEW234", customer_email="newcomer@shop.example", lines=0)
    assert _numbers(client, "/orders/?q=newcomer@") == ["ORD-NEW234"]
    Order.objects.filter(pk=added.pk).update(customer_email="renamed@shop.example")
    assert _numbers(client, "/orders/?q=newcomer@") == []
    assert _numbers(client, "/orders/?q=renamed@") == ["ORD-NEW234"]
    Order.objects.filter(pk=added.pk).delete()
    assert _numbers(client, "/orders/?q=renamed@") == []
    assert _numbers(client, "/orders/?q=hopper") == [orders["grace"].number]


# --- EXPLAIN ------------------------------------------------------------------------


def _page_query(client: Client, url: str) -> str:
    """The SQL of the page of rows the list at ``url`` runs."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    pages = [
        query["sql"]
        for query in captured.captured_queries
        if re.match(r'SELECT "orders_order"\."id"', query["sql"]) and "LIMIT" in query["sql"]
    ]
    assert len(pages) == 1, [query["sql"] for query in captured.captured_queries]
    return pages[0]


def _plan(sql: str, *, walks: bool = True) -> str:
    """The database's plan for ``sql``.

    On PostgreSQL sequential scans are turned off for this transaction only:
    on a table of a few rows the planner rightly prefers one, which says
    nothing of 100,000 rows; what is asked here is whether an index can serve
    the query. ``walks=False`` also turns off reading an index in its order
    with a filter (which, with a LIMIT, the planner may prefer for a few
    rows, and at 100,000 orders does when the search matches many): what is
    left is a bitmap scan of an index whose condition is the search itself.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return "\n".join(row[-1] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not walks:
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_indexonlyscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _scans_orders(plan: str) -> bool:
    """The plan reads the whole orders table (not an index of it)."""
    if connection.vendor == "sqlite":
        return bool(re.search(r"\bSCAN orders_order\b(?! USING)", plan))
    return "Seq Scan on orders_order" in plan


@pytest.mark.parametrize("query", ["ord-7k3", "hopper@navy", "Lovelace"])
def test_a_search_is_served_by_an_index(
    client: Client, viewer, orders: dict[str, Order], query: str
) -> None:
    client.force_login(viewer)
    plan = _plan(_page_query(client, f"/orders/?q={query}"), walks=False)
    assert not _scans_orders(plan), plan
    if connection.vendor == "sqlite":
        # The orders are looked up by id from the FTS5 table's matches.
        assert "orders_order_search VIRTUAL TABLE" in plan, plan
        assert "SEARCH orders_order USING INTEGER PRIMARY KEY" in plan, plan
    else:
        for column in ("number", "customer_email", "customer_name"):
            assert f"order_{column}_trgm" in plan, plan


def test_the_list_reads_the_placed_index_in_its_order(
    client: Client, viewer, orders: dict[str, Order]
) -> None:
    """Newest first, ties by id: the index on (placed_at, id) read backwards
    gives the rows in order; the database sorts nothing and stops after a page."""
    client.force_login(viewer)
    sql = _page_query(client, "/orders/")
    assert re.search(r'ORDER BY "orders_order"\."placed_at" DESC, "orders_order"\."id" DESC', sql)
    plan = _plan(sql)
    assert "order_placed_id" in plan, plan
    assert not _scans_orders(plan), plan
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in plan, plan
    else:
        assert "Sort" not in plan, plan


def test_a_markets_queue_reads_its_index_in_order(client: Client, viewer) -> None:
    """An agent's queue (a market's orders in one status, newest first): the
    (market, status, placed_at, id) index gives the rows in order; the database
    neither sorts nor reads every order in the status. At 100,000 orders on
    SQLite the (status, placed_at) index read instead cost 12 ms a query."""
    market = MarketFactory(status=MarketStatus.ACTIVE)
    OrderFactory.create_batch(3, market=market, lines=0)
    client.force_login(viewer)
    sql = _page_query(client, f"/orders/?status=pending&market={market.pk}")
    plan = _plan(sql)
    assert not _scans_orders(plan), plan
    if connection.vendor == "sqlite":
        # SQLite's planner (no statistics) takes the index whose columns match.
        assert "order_market_status_placed" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
    else:
        # PostgreSQL chooses by statistics: on a test table of a few rows it may
        # as well walk (status, placed_at) and filter; either way, no sort.
        assert "Sort" not in plan, plan


def test_an_empty_page_runs_the_list_query_once(client: Client, viewer) -> None:
    """No rows match: the one LIMITed query says so; the rows are not asked
    for again without a LIMIT (an empty page is falsy)."""
    market = MarketFactory(status=MarketStatus.ACTIVE)
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/orders/?status=shipped&market={market.pk}")
    assert response.status_code == 200
    assert "data-empty" in response.content.decode()
    lists = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "orders_order"."id"')
    ]
    assert len(lists) == 1 and "LIMIT" in lists[0], lists


# --- Pages without a count ----------------------------------------------------------


def _orders_placed_at_once(count: int) -> list[Order]:
    """``count`` orders placed in the same instant: only the id tells them apart."""
    market = MarketFactory(status=MarketStatus.ACTIVE)
    moment = timezone.now()
    return [OrderFactory(market=market, placed_at=moment, lines=0) for _ in range(count)]


def test_the_list_never_counts_the_orders(client: Client, viewer) -> None:
    _orders_placed_at_once(30)
    client.force_login(viewer)
    for url in ("/orders/", "/orders/?q=example", "/orders/?status=pending&page=2"):
        client.get(url)  # warm: the cached sidebar counts by status
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"]]
        assert counts == [], url


def test_pages_say_where_they_are_and_the_total_on_the_last(client: Client, viewer) -> None:
    _orders_placed_at_once(60)
    client.force_login(viewer)
    first = client.get("/orders/").content.decode()
    assert "Page 1 · rows 1&ndash;25</span>" in first
    assert ">Next</a>" in first and ">Previous</a>" not in first
    second = client.get("/orders/?page=2").content.decode()
    assert "Page 2 · rows 26&ndash;50</span>" in second
    last = client.get("/orders/?page=3").content.decode()
    assert "Page 3 of 3 · rows 51&ndash;60 of 60</span>" in last
    assert ">Next</a>" not in last
    # All on one page: the total, and no pager.
    single = client.get("/orders/?per_page=100").content.decode()
    assert '<p class="text-body-secondary small">60 rows</p>' in single
    assert 'aria-label="Pagination"' not in single


@pytest.mark.parametrize("page", ["4", "500", "10" + "0" * 30])
def test_a_page_past_the_end_shows_the_last(client: Client, viewer, page: str) -> None:
    _orders_placed_at_once(30)
    client.force_login(viewer)
    content = client.get(f"/orders/?page={page}").content.decode()
    assert "Page 2 of 2 · rows 26&ndash;30 of 30</span>" in content


@pytest.mark.parametrize("page", ["0", "-1", "abc"])
def test_a_page_below_one_or_not_a_number_shows_the_first(
    client: Client, viewer, page: str
) -> None:
    _orders_placed_at_once(30)
    client.force_login(viewer)
    assert "Page 1 · rows 1&ndash;25</span>" in client.get(f"/orders/?page={page}").content.decode()


@pytest.mark.parametrize("sort", ["", "placed_at", "-placed_at", "status", "-total", "market"])
def test_orders_placed_at_once_never_repeat_or_skip_between_pages(
    client: Client, agent, sort: str
) -> None:
    made = _orders_placed_at_once(60)
    client.force_login(agent)  # rows carry their id in the checkbox
    seen: list[int] = []
    for page in (1, 2, 3):
        content = client.get(f"/orders/?sort={sort}&page={page}").content.decode()
        seen += [int(pk) for pk in re.findall(r'name="ids" value="(\d+)"', content)]
    assert sorted(seen) == sorted(order.pk for order in made)
    # Whatever the sort, the last key is the id.
    sql = _page_query(client, f"/orders/?sort={sort}")
    assert re.search(r'"orders_order"\."id" (ASC|DESC) LIMIT', sql), sql
