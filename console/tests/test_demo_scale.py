"""``seed_demo --orders N``: the load test's data set, at a size a test can afford.

Rows are bulk-inserted, not made by the services, so what the services
would guarantee is checked here: each order's lines, payments and timeline
match its state, and the database's own constraints accepted every row.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.validators import validate_email
from django.db import connection
from django.utils import timezone

from apps.activity.models import Event
from apps.catalog.models import Product
from apps.markets.models import Market
from apps.orders.models import (
    NUMBER_ALPHABET,
    Order,
    OrderStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
    new_order_number,
)
from apps.orders.tests.factories import OrderFactory
from console import demo_scale

ORDERS = 120


@pytest.fixture
def actors(manager, agent, finance):
    return {"manager": manager, "agent": agent, "finance": finance}


def scale_orders():
    return Order.objects.filter(market__slug__startswith="scale-market-")


def test_markets_grow_with_orders_as_in_the_performance_data_set() -> None:
    assert demo_scale.scale_markets(100_000) == 200
    assert demo_scale.scale_markets(10) == demo_scale.MIN_MARKETS


def test_order_numbers_are_unique_and_look_like_real_ones() -> None:
    numbers = [demo_scale.order_number(index) for index in range(50_000)]
    assert len(set(numbers)) == len(numbers)
    assert all(len(number) == 11 and number.startswith("ORD-") for number in numbers)
    assert {letter for number in numbers for letter in number[4:]} <= set(
        demo_scale.NUMBER_ALPHABET
    )


def test_no_order_number_can_be_one_the_shop_draws() -> None:
    """The demo's orders (and any placed later) draw ``ORD-`` and six letters
    at random; a seeded number equal to one would fail the unique number."""
    placed = re.compile(rf"ORD-[{NUMBER_ALPHABET}]{{6}}")
    assert placed.fullmatch(new_order_number())
    assert not any(placed.fullmatch(demo_scale.order_number(index)) for index in range(100_000))


@pytest.mark.django_db
def test_counts_at_a_tiny_scale(actors) -> None:
    added = demo_scale.seed_scale(orders=ORDERS, seed=1, actors=actors, write=lambda _: None)

    assert added == ORDERS
    assert scale_orders().count() == ORDERS
    markets = Market.objects.filter(slug__startswith="scale-market-")
    assert markets.count() == demo_scale.scale_markets(ORDERS)
    assert Product.objects.filter(market__in=markets).count() == (
        markets.count() * demo_scale.PRODUCTS_PER_MARKET
    )
    # Every state is there, in the proportions the data set intends (roughly).
    statuses = Counter(scale_orders().values_list("status", flat=True))
    assert set(statuses) == set(OrderStatus.values)
    assert statuses[OrderStatus.DELIVERED] > statuses[OrderStatus.REFUNDED]


@pytest.mark.django_db
def test_each_order_has_the_history_its_state_implies(actors) -> None:
    demo_scale.seed_scale(orders=ORDERS, seed=1, actors=actors, write=lambda _: None)
    now = timezone.now()

    for order in scale_orders().prefetch_related("lines", "payments"):
        lines = list(order.lines.all())
        assert 1 <= len(lines) <= 5
        assert order.total == sum((line.line_total for line in lines), Decimal("0.00"))
        try:
            validate_email(order.customer_email)
        except ValidationError:  # pragma: no cover - the assertion says which
            pytest.fail(f"{order.customer_email} is not an address the checkout accepts")
        succeeded = {
            payment.kind for payment in order.payments.all() if payment.status == "succeeded"
        }
        charged = order.status in ("paid", "shipped", "delivered", "refunded")
        assert (PaymentKind.CHARGE in succeeded) == charged, order.status
        assert (PaymentKind.REFUND in succeeded) == (order.status == OrderStatus.REFUNDED)
        events = list(Event.objects.for_aggregate("order", order.pk).order_by("occurred_at"))
        names = [event.name for event in events]
        assert names[0] == "order_placed"
        assert ("order_paid" in names) == charged
        assert ("order_shipped" in names) == (order.status in ("shipped", "delivered"))
        assert names.count(f"order_{order.status}") == (order.status != "pending")
        assert all(event.occurred_at <= now for event in events), "history in the future"
        assert events[-1].to_state in ("", order.status) or names[-1].endswith("_sent")
    assert not Payment.objects.filter(status=PaymentStatus.PENDING).exists()


@pytest.mark.django_db
def test_a_second_run_adds_only_what_is_missing_and_is_deterministic(actors) -> None:
    quiet = {"seed": 7, "actors": actors, "write": lambda _: None}
    demo_scale.seed_scale(orders=30, **quiet)
    first = dict(scale_orders().values_list("number", "total"))

    assert demo_scale.seed_scale(orders=30, **quiet) == 0
    assert demo_scale.seed_scale(orders=45, **quiet) == 15

    after = dict(scale_orders().values_list("number", "total"))
    assert len(after) == 45
    assert {number: after[number] for number in first} == first


@pytest.mark.django_db
def test_seed_demo_takes_the_size_and_says_what_it_did(capsys) -> None:
    call_command("seed_demo", "--orders", "25", "--seed", "3")

    out = capsys.readouterr().out
    assert "Scale data set: 25 orders, 25 added in" in out
    assert out.rstrip().splitlines()[-1].startswith("  admin ")  # the banner stays last
    assert scale_orders().count() == 25

    # Run again (as make load does): the demo catalog leaves the scale markets alone.
    call_command("seed_demo", "--orders", "25", "--seed", "3")
    assert "25 orders, 0 added" in capsys.readouterr().out
    per_market = Counter(
        Product.objects.filter(market__slug__startswith=demo_scale.MARKET_PREFIX).values_list(
            "market_id", flat=True
        )
    )
    assert set(per_market.values()) == {demo_scale.PRODUCTS_PER_MARKET}


@pytest.mark.django_db
def test_emails_go_out_as_the_email_job_records_them(actors) -> None:
    from apps.orders.models import SentEmail

    demo_scale.seed_scale(orders=ORDERS, seed=1, actors=actors, write=lambda _: None)

    for order in scale_orders():
        kinds = set(SentEmail.objects.filter(order=order).values_list("kind", flat=True))
        expected = {"confirmation"}
        if order.status in ("shipped", "delivered"):
            expected.add("shipped")
        if order.status == "refunded":
            expected.add("refunded")
        assert kinds == expected, order.status
        names = set(Event.objects.for_aggregate("order", order.pk).values_list("name", flat=True))
        assert {f"{demo_scale.JOB_NAMES[kind]}_sent" for kind in kinds} <= names
    # The timeline shows who did it, as the services write it.
    ids = [str(pk) for pk in scale_orders().values_list("pk", flat=True)]
    placed = Event.objects.filter(name="order_placed", aggregate_id__in=ids)
    assert set(placed.values_list("actor_name", flat=True)) == {actors["agent"].display_name}
    # The events link to the orders' pages and read as the services' would.
    order = scale_orders().first()
    event = Event.objects.for_aggregate("order", order.pk).get(name="order_placed")
    assert event.aggregate_url == order.get_absolute_url()
    assert event.payload == {"total": str(order.total), "currency": order.currency}


@pytest.mark.django_db
def test_the_seed_reserves_its_ids_so_later_orders_get_new_ones(actors) -> None:
    demo_scale.seed_scale(orders=30, seed=1, actors=actors, write=lambda _: None)
    seeded = set(scale_orders().values_list("pk", flat=True))
    market = scale_orders().first().market

    later = Order.objects.create(
        number="ORD-LATER1", market=market, customer_name="A B", customer_email="a@b.example",
        payment_token="tok_visa", currency=market.currency, total=Decimal("1.00"),
    )  # fmt: skip

    assert later.pk > max(seeded)


def test_progress_draws_a_bar_on_a_terminal_and_lines_in_a_log() -> None:
    lines: list[str] = []
    progress = demo_scale.Progress(1000, lines.append)
    for done in range(100, 1001, 100):
        progress(done)
    assert len(lines) == 10 and lines[-1].lstrip().startswith("1,000/1,000 orders")

    drawn: list[str] = []
    bar = demo_scale.Progress(1000, lines.append, draw=drawn.append)
    bar(500)
    bar(1000)
    assert drawn[0].startswith("\r  [###############...............]")
    assert drawn[-1] == "\n"


# --- The indexes set aside while seeding ---------------------------------------------


def schema_objects() -> list[tuple[str, str, str]]:
    """Every index and trigger of the database, with its SQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT type, name, sql FROM sqlite_master "
                "WHERE type IN ('index', 'trigger') ORDER BY name"
            )
        else:
            cursor.execute(
                "SELECT 'index', indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() ORDER BY indexname"
            )
        return cursor.fetchall()


def assert_search_indexes_in_sync() -> None:
    """SQLite: each FTS5 table holds exactly its table's rows (``integrity-check``
    with rank 1 compares the index with the content: "database disk image is
    malformed" otherwise). PostgreSQL's indexes cannot be out of sync."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in demo_scale.SEARCH_TABLES:
            cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")


def searched(term: str) -> set[str]:
    """The numbers of the orders the order list's search finds for ``term``."""
    return set(Order.objects.search(term).values_list("number", flat=True))


@pytest.mark.django_db
def test_after_a_seed_every_index_and_trigger_is_back_and_the_search_in_sync(actors) -> None:
    before = schema_objects()
    assert any(name == "order_placed_id" for _, name, _ in before)

    demo_scale.seed_scale(orders=ORDERS, seed=1, actors=actors, write=lambda _: None)

    assert schema_objects() == before
    assert_search_indexes_in_sync()
    # Found through the index, and kept by the triggers from then on.
    number = demo_scale.order_number(ORDERS - 1)
    assert searched(number) == {number}
    assert searched(number[-4:].lower()) >= {number}
    later = OrderFactory(number="ORD-LATER2", customer_email="later@shop.example", lines=0)
    assert searched("later@shop") == {later.number}
    assert_search_indexes_in_sync()


@pytest.mark.django_db
def test_a_seed_that_fails_midway_leaves_every_index_and_trigger_and_no_rows(
    actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = schema_objects()
    monkeypatch.setattr(demo_scale, "BATCH", 40)
    insert = demo_scale._Writer.insert
    calls = []

    def fails_on_the_second_batch(self, rows):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        insert(self, rows)

    monkeypatch.setattr(demo_scale._Writer, "insert", fails_on_the_second_batch)

    with pytest.raises(RuntimeError, match="disk full"):
        demo_scale.seed_scale(orders=ORDERS, seed=1, actors=actors, write=lambda _: None)

    assert len(calls) == 2
    assert schema_objects() == before
    assert not scale_orders().exists()  # one transaction: the first batch went too
    assert_search_indexes_in_sync()
    later = OrderFactory(number="ORD-LATER3", customer_email="later@shop.example", lines=0)
    assert searched("later@shop") == {later.number}


@pytest.mark.django_db
def test_a_small_top_up_keeps_the_indexes_while_it_inserts(
    actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rebuilding every index costs more than keeping them for a few rows."""
    demo_scale.seed_scale(orders=30, seed=1, actors=actors, write=lambda _: None)
    aside = []
    set_aside = demo_scale._indexes_set_aside

    def spy(flag: bool):
        aside.append(flag)
        return set_aside(flag)

    monkeypatch.setattr(demo_scale, "_indexes_set_aside", spy)
    demo_scale.seed_scale(orders=45, seed=1, actors=actors, write=lambda _: None)

    assert aside == [False]
    assert_search_indexes_in_sync()
    assert searched(demo_scale.order_number(44)) == {demo_scale.order_number(44)}


@pytest.mark.django_db
def test_the_triggers_the_seed_puts_back_are_the_ones_the_database_has() -> None:
    """The seed recreates the insert triggers from their migrations' SQL: a
    later migration that changed them must change what the seed uses too."""
    if connection.vendor != "sqlite":
        pytest.skip("triggers keep the search index on SQLite only")
    with connection.cursor() as cursor:
        for module, trigger in demo_scale.SEARCH_TRIGGERS:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [trigger]
            )
            assert cursor.fetchone() == (demo_scale.trigger_sql(module, trigger),)
