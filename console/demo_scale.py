"""A large demo data set for load tests and benchmarks: ``seed_demo --orders N``.

The small demo (``console/demo.py``) goes through the services so every row
has real history; at 100,000 orders that would take hours. Here the same
shapes are written straight to the tables: each order with the lines,
payments, sent emails and timeline events a real one would have in its
state, in markets and products of their own (``scale-market-NNN``).
Deterministic: the same ``N`` and ``seed`` give the same rows (each order's
choices come from a generator seeded with the seed and the order's index,
so a top-up writes what a single run would have written).

At 100,000 orders: 200 markets, 2,000 products, ≈300k lines, ≈104k payments,
≈173k sent emails, ≈506k events (every order has its confirmation email's
event, every shipment and refund its email's too, and one charge in eight
was declined before it succeeded).

Fast: the rows are built as plain tuples (no model instance per row) in a
second thread, one batch ahead, and written with one ``executemany`` (``COPY``
on PostgreSQL) per table and batch of ``BATCH`` orders, while the next batch
is built. The orders' ids are reserved first (``_reserve_ids``), so lines,
payments and events need no id read back. A data set that at least doubles
the orders goes in without the tables' secondary indexes and (SQLite) the
search indexes' insert triggers, which are built once at the end
(``_indexes_set_aside``): all of it in one transaction, so a failure or a
crash leaves every index and trigger as it was, and no rows. On SQLite the
seed runs with ``synchronous=OFF`` and a large page cache, restored
afterwards. The columns come from the models, and a column the seed does
not fill gets the field's default, as ``bulk_create`` would give it.

Idempotent: orders are numbered by their index in the data set, so a second
run adds only the ones missing, and a run that finds ``N`` already there
writes nothing.
"""

from __future__ import annotations

import bisect
import importlib
import itertools
import json
import random
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.headerregistry import Address
from typing import Any, cast

from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from apps.activity.models import ACTOR_NAME_LENGTH, Event
from apps.catalog.models import Category, Product
from apps.core.cache import bump_cache_version
from apps.markets.models import Market, MarketStatus
from apps.orders import figures
from apps.orders.emails import JOB_NAMES, SUBJECTS
from apps.orders.models import (
    NUMBER_ALPHABET,
    Order,
    OrderFigure,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
    SentEmail,
)
from apps.orders.payments import MESSAGES, Outcome

ORDERS_PER_MARKET = 500
MIN_MARKETS = 4
PRODUCTS_PER_MARKET = 10
BATCH = 5000  # orders per transaction; their lines, payments and events go with them
MARKET_PREFIX = "scale-market-"
MARKET_SLUG = MARKET_PREFIX + "{:03d}"
SCALE_CURRENCIES = ["EUR", "EUR", "USD", "GBP", "SEK"]
# What happens to an order after it is placed, with its share of the data set.
# Roughly a marketplace's steady state: most orders delivered, a queue of
# pending and paid ones, a few cancelled and refunded.
STATUS_WEIGHTS = [
    (OrderStatus.PENDING, 12),
    (OrderStatus.PAID, 10),
    (OrderStatus.SHIPPED, 13),
    (OrderStatus.DELIVERED, 55),
    (OrderStatus.CANCELLED, 5),
    (OrderStatus.REFUNDED, 5),
]
FIRST_NAMES = ["Ana", "Ben", "Chloé", "Dev", "Eva", "Femi", "Greta", "Hiro", "Ines", "Jonas"]
LAST_NAMES = ["Berg", "Costa", "Dubois", "Evans", "Fischer", "García", "Hansen", "Ito", "Kowalski"]
LINE_COUNTS = [1, 2, 3, 3, 4, 5]
REFUND_REASON = "Arrived damaged."
EMAIL_DELAY = timedelta(seconds=5)
# Order numbers that look random but are a pure function of the index:
# index -> (index * 7**10 + offset) mod 30**7 is one-to-one, since 7**10 has no
# factor 2, 3 or 5, so two indices never share a number. Seven letters, one
# more than a placed order's (``new_order_number``): no seeded number can be
# one the demo's orders (or any order placed later) were given.
NUMBER_LETTERS = 7
_SPACE = len(NUMBER_ALPHABET) ** NUMBER_LETTERS
_MULTIPLIER = 7**10
_OFFSET = 123_457
_STATUSES = [str(status.value) for status, _ in STATUS_WEIGHTS]
_CUMULATIVE = list(itertools.accumulate(weight for _, weight in STATUS_WEIGHTS))
_PAID = {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.REFUNDED}
_SHIPPED = {OrderStatus.SHIPPED, OrderStatus.DELIVERED}
_STEP = timedelta(hours=2)
# Plain strings for the rows (the drivers take str, not its enum subclasses).
_PENDING, _PAID_STATE, _SHIPPED_STATE, _DELIVERED_STATE, _CANCELLED_STATE, _REFUNDED_STATE = (
    str(status.value)
    for status in (
        OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED,
        OrderStatus.CANCELLED, OrderStatus.REFUNDED,
    )
)  # fmt: skip
_CHARGE, _REFUND = str(PaymentKind.CHARGE.value), str(PaymentKind.REFUND.value)
_SUCCEEDED, _DECLINED = str(PaymentStatus.SUCCEEDED.value), str(PaymentStatus.DECLINED.value)
DECLINED_MESSAGE = MESSAGES[Outcome.DECLINED]
_EMAIL_EVENTS = {kind: f"{name}_sent" for kind, name in JOB_NAMES.items()}
_SYSTEM: tuple[int | None, str] = (None, "")


def scale_markets(orders: int) -> int:
    """How many markets a data set of ``orders`` orders has (200 at 100,000)."""
    return max(MIN_MARKETS, orders // ORDERS_PER_MARKET)


def order_number(index: int) -> str:
    """The ``index``-th order's number: ``ORD-`` and seven letters, unique per index."""
    value = (index * _MULTIPLIER + _OFFSET) % _SPACE
    letters = []
    for _ in range(NUMBER_LETTERS):
        value, digit = divmod(value, len(NUMBER_ALPHABET))
        letters.append(NUMBER_ALPHABET[digit])
    return "ORD-" + "".join(letters)


@dataclass
class Progress:
    """How far seeding is: a bar redrawn in place on a terminal (``draw``), else a
    line (``write``) at every tenth of the way and at the end."""

    total: int
    write: Callable[[str], None]
    draw: Callable[[str], None] | None = None
    done_before: int = 0
    started: float = field(default_factory=time.monotonic)
    _next_line: int = 0

    def __call__(self, done: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = (done - self.done_before) / elapsed
        left = (self.total - done) / rate if rate else 0.0
        text = f"{done:>9,}/{self.total:,} orders  {rate:,.0f}/s  {left:.0f} s left"
        if self.draw is not None:
            width = 30
            filled = width * done // max(self.total, 1)
            self.draw(f"\r  [{'#' * filled}{'.' * (width - filled)}] {text}  ")
            if done >= self.total:
                self.draw("\n")
        elif done >= self._next_line or done >= self.total:
            self.write(f"  {text}")
            self._next_line = done + max(self.total // 10, 1)


def seed_scale(
    *,
    orders: int,
    seed: int,
    actors: dict[str, Any],
    write: Callable[[str], None] = print,
    draw: Callable[[str], None] | None = None,
) -> int:
    """Make sure the scale data set holds ``orders`` orders; return how many were added.

    ``write`` gets progress lines; ``draw``, if given, gets a bar to redraw in place instead.
    """
    markets = _markets(scale_markets(orders), seed=seed, actor=actors["manager"])
    products = _products(markets, seed=seed)
    have = Order.objects.filter(market__in=markets).count()
    if have >= orders:
        return 0
    progress = Progress(orders, write, draw, done_before=have)
    writer = _Writer(markets, products, seed=seed, actors=actors)
    # One transaction: the indexes set aside below are back, and the search
    # index complete, in every state another connection (or a rerun after a
    # crash) can see; a failure rolls all of it back.
    with _fast_writes(), transaction.atomic():
        ids = _reserve_ids(Order, orders - have)
        batches = [
            (range(start, min(start + BATCH, orders)), ids[start - have : start - have + BATCH])
            for start in range(have, orders, BATCH)
        ]
        # A data set that at least doubles the tables: its rows go in without
        # the secondary indexes and search triggers, which are built once after.
        # One thread builds the next batch's rows while this one writes a
        # batch: the database works (without the GIL) while Python builds.
        with (
            _indexes_set_aside(orders - have >= Order.objects.count()),
            ThreadPoolExecutor(max_workers=1) as builder,
        ):
            next_rows = builder.submit(writer.build, *batches[0])
            for number, (indices, _) in enumerate(batches):
                rows = next_rows.result()
                if number + 1 < len(batches):
                    next_rows = builder.submit(writer.build, *batches[number + 1])
                writer.insert(rows)
                progress(indices.stop)
        # Rows written without Order.save: the dashboard's figures from all the orders.
        figures.rebuild()
    if connection.vendor == "postgresql":
        # What autovacuum would do soon after: the planner's statistics of
        # the tables that just grew, so the next query plans for their size.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE "
                + ", ".join(
                    connection.ops.quote_name(model._meta.db_table)
                    for model in (Order, OrderLine, Payment, SentEmail, Event, OrderFigure)
                )
            )
    # Cached fragments (sidebars, the dashboard) were computed before these rows.
    for namespace in ("activity", "orders", "markets", "catalog"):
        bump_cache_version(namespace)
    return orders - have


@contextmanager
def _fast_writes() -> Iterator[None]:
    """SQLite, outside a transaction: no fsync and a 256 MB page cache while seeding.

    WAL (the settings' journal mode) is set if the database was in another,
    and every setting is put back afterwards. Nothing on other databases, or
    inside a transaction (a test's), where SQLite refuses to change them.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    wanted = {"journal_mode": "wal", "synchronous": "0", "cache_size": "-262144"}
    with connection.cursor() as cursor:
        before = {}
        for pragma, value in wanted.items():
            cursor.execute(f"PRAGMA {pragma}")
            before[pragma] = str(cursor.fetchone()[0])
            if before[pragma].lower() != value:
                cursor.execute(f"PRAGMA {pragma}={value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for pragma, value in before.items():
                if value.lower() != wanted[pragma]:
                    cursor.execute(f"PRAGMA {pragma}={value}")


# The search indexes' insert triggers (SQLite), as their migrations create
# them: (migration module, trigger). Only inserts happen while seeding, so
# only these are set aside; the update and delete triggers stay.
SEARCH_TRIGGERS = [
    ("apps.orders.migrations.0007_search_and_sort_indexes", "orders_order_search_insert"),
    ("apps.activity.migrations.0004_event_search", "activity_event_search_insert"),
]
# The FTS5 tables those triggers fill, rebuilt from their tables afterwards.
SEARCH_TABLES = ["orders_order_search", "activity_event_search"]
_SEEDED_MODELS = (Order, OrderLine, Payment, SentEmail, Event)


def trigger_sql(module: str, name: str) -> str:
    """The ``CREATE TRIGGER`` statement of trigger ``name`` in migration ``module``."""
    statements = importlib.import_module(module).SQLITE_TRIGGERS
    (sql,) = (sql for sql in statements if sql.startswith(f"CREATE TRIGGER {name} "))
    return str(sql)


def secondary_indexes() -> dict[str, str]:
    """The seeded tables' indexes that enforce nothing, by name: their SQL, as
    the database reports it (what the migrations made of them).

    Not the primary keys, nor unique indexes (constraints: every row is
    checked as it goes in).
    """
    tables = [model._meta.db_table for model in _SEEDED_MODELS]
    marks = ", ".join(["%s"] * len(tables))
    # Only placeholders are formatted in; the tables' names are parameters.
    if connection.vendor == "postgresql":
        sql = (
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "  # noqa: S608
            f"AND tablename IN ({marks}) AND indexdef NOT LIKE 'CREATE UNIQUE %%'"
        )
    else:
        sql = (
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "  # noqa: S608
            f"AND tbl_name IN ({marks}) AND sql LIKE 'CREATE INDEX %%'"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, tables)
        return dict(cursor.fetchall())


@contextmanager
def _indexes_set_aside(set_aside: bool) -> Iterator[None]:
    """Inside a transaction: the seeded tables without their secondary indexes
    (and on SQLite their search indexes' insert triggers) while the block
    inserts, then each index built once from all the rows, the FTS5 search
    indexes rebuilt, and the triggers back as their migrations define them.

    Maintaining the indexes row by row was most of a seed's time at 100,000
    orders: the trigram search indexes (an FTS5 insert per order and per
    event on SQLite, GIN entries on PostgreSQL) and B-trees whose keys
    arrive in random order, more pages than the cache holds. Nothing here
    needs undoing on failure: the drops are in the caller's transaction,
    whose rollback (or a crash's) brings every index and trigger back.
    """
    if not set_aside:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("indexes are set aside only inside a transaction, to come back with it")
    quote = connection.ops.quote_name
    indexes = secondary_indexes()
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        for name in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
        if sqlite:
            for _, trigger in SEARCH_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {quote(trigger)}")
    yield
    with connection.cursor() as cursor:
        if not sqlite:
            # The foreign keys are checked at commit (Django's are deferred),
            # and PostgreSQL builds no index on a table with checks pending:
            # they are run now, and deferred again after.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # Room to sort each index in memory, for these builds only.
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for sql in indexes.values():
            cursor.execute(sql)
        if not sqlite:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        if sqlite:
            for table in SEARCH_TABLES:
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")  # noqa: S608
            for module, trigger in SEARCH_TRIGGERS:
                cursor.execute(trigger_sql(module, trigger))


def _markets(count: int, *, seed: int, actor: Any) -> list[Market]:
    rng = random.Random(f"{seed}-markets")
    existing = {m.slug: m for m in Market.objects.filter(slug__startswith=MARKET_PREFIX)}
    missing = []
    published = timezone.now() - timedelta(days=400)
    for index in range(count):
        slug = MARKET_SLUG.format(index + 1)
        if slug in existing:
            continue
        # Nine in ten take orders; the rest show the other states in the lists.
        status = MarketStatus.ACTIVE if index % 10 else rng.choice(list(MarketStatus))
        missing.append(
            Market(
                name=f"Scale Market {index + 1:03d}",
                slug=slug,
                description=f"A load-test market selling in {SCALE_CURRENCIES[index % 5]}.",
                currency=SCALE_CURRENCIES[index % len(SCALE_CURRENCIES)],
                status=status,
                created_by=actor,
                published_at=None if status == MarketStatus.DRAFT else published,
                suspended_at=published if status == MarketStatus.SUSPENDED else None,
                suspension_reason="Load-test suspension."
                if status == MarketStatus.SUSPENDED
                else "",
            )
        )
    with transaction.atomic():
        created = Market.objects.bulk_create(missing)
        Event.objects.bulk_create(
            Event(
                context="markets", name="market_created", aggregate_type="market",
                aggregate_id=str(market.pk), aggregate_label=market.name,
                aggregate_url=market.get_absolute_url(), actor=actor,
                actor_name=actor.display_name[:ACTOR_NAME_LENGTH],
                to_state=market.status, occurred_at=published,
            )
            for market in created
        )  # fmt: skip
    markets = list(Market.objects.filter(slug__startswith=MARKET_PREFIX).order_by("slug"))
    return markets[:count]


def _products(markets: list[Market], *, seed: int) -> dict[int, list[Product]]:
    categories = list(Category.objects.order_by("pk"))
    if not categories:
        categories = [Category.objects.create(name="Load test", slug="load-test")]
    have = set(Product.objects.filter(market__in=markets).values_list("market_id", flat=True))
    rng = random.Random(f"{seed}-products")
    Product.objects.bulk_create(
        Product(
            market=market,
            name=f"{rng.choice(['Oak', 'Linen', 'Steel', 'Clay', 'Wool'])} "
            f"{rng.choice(['bowl', 'shirt', 'lamp', 'chair', 'scarf', 'mug'])} {n + 1}",
            slug=f"scale-product-{n + 1}",
            sku=f"SC-{market.pk}-{n + 1:02d}",
            price=Decimal(rng.randrange(300, 20000)) / 100,
            # Plenty: the load test places no orders, and charges take no stock.
            stock=10_000,
            category=categories[n % len(categories)],
        )
        for market in markets
        if market.pk not in have
        for n in range(PRODUCTS_PER_MARKET)
    )
    products: dict[int, list[Product]] = {market.pk: [] for market in markets}
    for product in Product.objects.filter(market__in=markets).order_by("pk"):
        products[product.market_id].append(product)
    return products


class _Table:
    """``INSERT`` of the given columns of a model's table, for many rows at once.

    Rows are tuples in ``columns``' order, their values already in the
    database's form. Every other column (but the id, unless named, and
    generated ones) gets its field's default, prepared once, as ``bulk_create``
    would give it: a column added to the model later does not break the seed.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        meta = model._meta
        named = [cast(models.Field[Any, Any], meta.get_field(name)) for name in columns]
        blank = model()
        others = [
            f
            for f in meta.concrete_fields
            if f not in named and not f.primary_key and not f.generated
        ]
        self.constants = tuple(
            f.get_db_prep_save(f.pre_save(blank, True), connection) for f in others
        )
        quote = connection.ops.quote_name
        names = ", ".join(quote(str(f.column)) for f in [*named, *others])
        marks = ", ".join(["%s"] * (len(named) + len(others)))
        self.sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
        self.copy = f"COPY {quote(meta.db_table)} ({names}) FROM STDIN"

    def insert(self, cursor: Any, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        extra = self.constants
        if connection.vendor == "postgresql":
            # COPY: one stream per table and batch, several times faster than
            # INSERTs; constraints and triggers apply as to any insert.
            with cursor.cursor.copy(self.copy) as copy:
                for row in rows:
                    copy.write_row(row + extra)
        else:
            cursor.executemany(self.sql, [row + extra for row in rows] if extra else rows)


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` ids for new rows of ``model`` that no other insert will take.

    PostgreSQL: drawn from the table's sequence, as its inserts draw them.
    SQLite: Django's ids are ``AUTOINCREMENT``, which never reuses an id up
    to the table's counter in ``sqlite_sequence``: the counter is moved past
    the ``count`` ids, under the write lock of a transaction.
    """
    table = model._meta.db_table
    column = str(model._meta.pk.column)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")  # noqa: S608
        last = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        counter = cursor.fetchone()
        last = max(last, counter[0] if counter else 0)
        if counter:
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [last + count, table]
            )
        else:
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last + count]
            )
        return list(range(last + 1, last + 1 + count))


class _Writer:
    """Builds each order's rows, as the services would have left them, and writes them."""

    def __init__(
        self,
        markets: list[Market],
        products: dict[int, list[Product]],
        *,
        seed: int,
        actors: dict[str, Any],
    ) -> None:
        self.seed = seed
        self.markets = [
            (m.pk, m.currency, m.accepts_orders) for m in markets
        ]  # what an order needs of its market
        self.products = {
            market: [(p.pk, p.name, p.sku, p.price) for p in items]
            for market, items in products.items()
        }
        self.actors = {
            role: (user.pk, user.display_name[:ACTOR_NAME_LENGTH]) if user else (None, "")
            for role, user in actors.items()
        }
        # reverse() once: every order's URL is this with its number in.
        self.order_url = reverse("orders:detail", args=["ORD-XXXXXX"]).replace("ORD-XXXXXX", "{}")
        self.sqlite = connection.vendor == "sqlite"
        if self.sqlite:
            # Naive UTC text, as Django's SQLite backend writes datetimes (the
            # times are computed naive, in UTC, for this).
            self.dt: Callable[[datetime | None], Any] = lambda value: value and str(value)
        else:
            # Bound here: the rows are built in another thread, which has a
            # connection object of its own.
            self.dt = connection.ops.adapt_datetimefield_value
        # JSON as text, which both databases read into their JSON columns.
        self.json: Callable[[Any], Any] = json.dumps
        self.no_payload = self.json({})
        # "Ana Berg <ana.berg.7@customers.example>", as the email job writes it:
        # the display name's part, once per name.
        self.display: dict[str, str] = {}
        self.orders = _Table(Order, [
            "id", "number", "market", "customer_name", "customer_email", "payment_token",
            "status", "currency", "total", "tracking_number", "refund_reason", "placed_at",
            "paid_at", "shipped_at", "delivered_at", "cancelled_at", "refunded_at", "updated_at",
        ])  # fmt: skip
        self.lines = _Table(
            OrderLine, ["order", "product", "product_name", "sku", "unit_price", "quantity"]
        )
        self.payments = _Table(Payment, [
            "order", "kind", "amount", "currency", "gateway", "idempotency_key", "status",
            "gateway_reference", "failure_message", "created_at", "payment_token", "reason",
            "completed_at",
        ])  # fmt: skip
        self.emails = _Table(SentEmail, ["order", "kind", "recipient", "subject", "sent_at"])
        self.events = _Table(Event, [
            "context", "name", "aggregate_type", "aggregate_id", "aggregate_label",
            "aggregate_url", "actor", "actor_name", "from_state", "to_state", "reason",
            "payload", "occurred_at", "via",
        ])  # fmt: skip
        # In this order: lines, payments, emails and events refer to orders.
        self.tables = {
            "orders": self.orders, "lines": self.lines, "payments": self.payments,
            "emails": self.emails, "events": self.events,
        }  # fmt: skip

    def build(self, indices: range, ids: list[int]) -> dict[str, list[tuple[Any, ...]]]:
        """The rows of the orders ``indices``, whose ids are ``ids``: no database access."""
        now = timezone.now().astimezone(UTC)
        if self.sqlite:
            now = now.replace(tzinfo=None)
        rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in self.tables}
        for index, pk in zip(indices, ids, strict=True):
            self._order(index, pk, now, rows)
        return rows

    def insert(self, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        with connection.cursor() as cursor:
            for table, insert in self.tables.items():
                insert.insert(cursor, rows[table])

    def _order(
        self, index: int, pk: int, now: datetime, rows: dict[str, list[tuple[Any, ...]]]
    ) -> None:
        rng = random.Random(f"{self.seed}-order-{index}")
        draw = rng.random
        market, currency, open_ = self.markets[index % len(self.markets)]
        status = _STATUSES[bisect.bisect(_CUMULATIVE, draw() * _CUMULATIVE[-1])]
        if status == OrderStatus.PENDING and not open_:
            status = OrderStatus.CANCELLED
        placed = now - timedelta(seconds=rng.randrange(1, 365 * 86400))
        picked = rng.sample(self.products[market], LINE_COUNTS[int(draw() * len(LINE_COUNTS))])
        first = FIRST_NAMES[int(draw() * len(FIRST_NAMES))]
        last = LAST_NAMES[int(draw() * len(LAST_NAMES))]
        declined = draw() < 0.125 or (status == OrderStatus.PENDING and draw() < 0.3)
        quantities = [1 + int(draw() * 3) for _ in picked]

        number = order_number(index)
        name = f"{first} {last}"
        # ASCII, as the checkout's EmailField accepts (García → garcia).
        email = f"{_ascii(first)}.{_ascii(last)}.{index}@customers.example"
        bought = list(zip(picked, quantities, strict=True))
        total = sum((item[3] * quantity for item, quantity in bought), Decimal("0.00"))
        # Two hours between steps, less for a recent order: its whole history
        # (delivery is 40 steps on) stays in the past.
        step = min(_STEP, (now - placed) / 50)
        paid = placed + step if status in _PAID else None
        shipped = placed + 2 * step if status in _SHIPPED else None
        delivered = placed + 40 * step if status == OrderStatus.DELIVERED else None
        cancelled = placed + step if status == OrderStatus.CANCELLED else None
        refunded = placed + 3 * step if status == OrderStatus.REFUNDED else None
        tracking = f"1Z{index:010d}" if shipped else ""
        last_change = delivered or refunded or shipped or cancelled or paid or placed
        dt = self.dt
        rows["orders"].append((
            pk, number, market, name, email, "tok_visa", status, currency, total, tracking,
            REFUND_REASON if refunded else "", dt(placed), dt(paid), dt(shipped), dt(delivered),
            dt(cancelled), dt(refunded), dt(last_change),
        ))  # fmt: skip
        rows["lines"].extend(
            (pk, product, product_name, sku, price, quantity)
            for (product, product_name, sku, price), quantity in bought
        )

        agent, finance = self.actors["agent"], self.actors["finance"]
        url = self.order_url.format(number)
        events = rows["events"]
        json_, no_payload, aggregate_id = self.json, self.no_payload, str(pk)

        def event(
            event_name: str, actor: tuple[int | None, str], when: datetime, *,
            from_state: str = "", to_state: str = "", reason: str = "",
            payload: dict[str, Any] | None = None,
        ) -> None:  # fmt: skip
            events.append((
                "orders", event_name, "order", aggregate_id, number, url, actor[0], actor[1],
                from_state, to_state, reason, json_(payload) if payload else no_payload,
                dt(when), "",
            ))  # fmt: skip

        display = self.display.get(name)
        if display is None:
            display = self.display[name] = str(Address(display_name=name, addr_spec="a@b"))[:-6]
        recipient = f"{display} <{email}>"

        def sent(kind: str, when: datetime) -> None:
            subject = SUBJECTS[kind].format(number=number)
            rows["emails"].append((pk, kind, recipient, subject, dt(when)))
            event(_EMAIL_EVENTS[kind], _SYSTEM, when, payload={"to": recipient, "subject": subject})

        amount = str(total)
        event("order_placed", agent, placed, to_state=_PENDING,
              payload={"total": amount, "currency": currency})  # fmt: skip
        sent("confirmation", placed + EMAIL_DELAY)
        # One in eight charges is declined first (the pending ones keep only that).
        if declined:
            when = placed + step / 2
            rows["payments"].append(
                self._payment(pk, number, _CHARGE, _DECLINED, total, currency, when)
            )
            event("payment_failed", agent, when, from_state=_PENDING, to_state=_PENDING,
                  reason=DECLINED_MESSAGE,
                  payload={"outcome": _DECLINED, "amount": amount})  # fmt: skip
        if paid is not None:
            rows["payments"].append(
                self._payment(pk, number, _CHARGE, _SUCCEEDED, total, currency, paid)
            )
            event("order_paid", agent, paid, from_state=_PENDING, to_state=_PAID_STATE,
                  payload={"amount": amount, "reference": _reference(_CHARGE, number)})  # fmt: skip
        if shipped is not None:
            event("order_shipped", agent, shipped, from_state=_PAID_STATE,
                  to_state=_SHIPPED_STATE, payload={"tracking_number": tracking})  # fmt: skip
            sent("shipped", shipped + EMAIL_DELAY)
        if delivered is not None:
            event("order_delivered", agent, delivered, from_state=_SHIPPED_STATE,
                  to_state=_DELIVERED_STATE)  # fmt: skip
        if cancelled is not None:
            event("order_cancelled", agent, cancelled, from_state=_PENDING,
                  to_state=_CANCELLED_STATE)  # fmt: skip
        if refunded is not None:
            rows["payments"].append(
                self._payment(pk, number, _REFUND, _SUCCEEDED, total, currency, refunded)
            )
            event("order_refunded", finance, refunded, from_state=_PAID_STATE,
                  to_state=_REFUNDED_STATE, reason=REFUND_REASON,
                  payload={"amount": amount, "reference": _reference(_REFUND, number)})  # fmt: skip
            sent("refunded", refunded + EMAIL_DELAY)

    def _payment(
        self,
        order: int,
        number: str,
        kind: str,
        status: str,
        amount: Decimal,
        currency: str,
        when: datetime,
    ) -> tuple[Any, ...]:
        succeeded = status == _SUCCEEDED
        at = self.dt(when)
        return (
            order, kind, amount, currency, "sandbox", f"{kind}-{number}-{status}", status,
            _reference(kind, number) if succeeded else "",
            "" if succeeded else DECLINED_MESSAGE, at,
            "tok_visa" if kind == _CHARGE else "",
            REFUND_REASON if kind == _REFUND else "", at,
        )  # fmt: skip


def _reference(kind: str, number: str) -> str:
    """The sandbox gateway's reference of a succeeded charge or refund."""
    return f"{'ch' if kind == _CHARGE else 're'}_{kind}-{number}-succeeded"[:80]


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
