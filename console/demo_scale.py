"""A large demo data set for load tests and benchmarks: ``seed_demo --orders N``.

The small demo (``console/demo.py``) goes through the services so every row
has real history; at 100,000 orders that would take hours. Here the same
shapes are written with ``bulk_create`` in batches: each order with the
lines, payments and timeline events a real one would have in its state, in
markets and products of their own (``scale-market-NNN``). Deterministic:
the same ``N`` and ``seed`` give the same rows.

At 100,000 orders: 200 markets, 2,000 products, ≈300k lines, ≈104k payments,
≈433k events (the performance issue's data set had ≈98k payments and ≈360k
events; here every order also has its confirmation-email event, and one
charge in eight was declined before it succeeded).

Idempotent: orders are numbered by their index in the data set, so a second
run adds only the ones missing, and a run that finds ``N`` already there
writes nothing.
"""

from __future__ import annotations

import random
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.activity.models import Event
from apps.catalog.models import Category, Product
from apps.core.cache import bump_cache_version
from apps.markets.models import Market, MarketStatus
from apps.orders.models import (
    NUMBER_ALPHABET,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
)
from apps.orders.payments import MESSAGES, Outcome

ORDERS_PER_MARKET = 500
MIN_MARKETS = 4
PRODUCTS_PER_MARKET = 10
BATCH = 2000  # orders per transaction; their lines, payments and events go with them
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
# Order numbers that look random but are a pure function of the index:
# index -> (index * 7**10 + offset) mod 30**6 is one-to-one, since 7**10 has no
# factor 2, 3 or 5, so two indices never share a number.
_SPACE = len(NUMBER_ALPHABET) ** 6
_MULTIPLIER = 7**10
_OFFSET = 123_457


def scale_markets(orders: int) -> int:
    """How many markets a data set of ``orders`` orders has (200 at 100,000)."""
    return max(MIN_MARKETS, orders // ORDERS_PER_MARKET)


def order_number(index: int) -> str:
    """The ``index``-th order's number: ``ORD-`` and six letters, unique per index."""
    value = (index * _MULTIPLIER + _OFFSET) % _SPACE
    letters = []
    for _ in range(6):
        value, digit = divmod(value, len(NUMBER_ALPHABET))
        letters.append(NUMBER_ALPHABET[digit])
    return "ORD-" + "".join(letters)


@dataclass
class Progress:
    """One line per batch: how far seeding is, and how fast it goes."""

    total: int
    write: Callable[[str], None]
    started: float = field(default_factory=time.monotonic)
    done_before: int = 0

    def __call__(self, done: int) -> None:
        rate = (done - self.done_before) / max(time.monotonic() - self.started, 1e-9)
        self.write(f"  orders {done:>7,}/{self.total:,}  ({rate:,.0f}/s)")


def seed_scale(
    *, orders: int, seed: int, actors: dict[str, Any], write: Callable[[str], None] = print
) -> int:
    """Make sure the scale data set holds ``orders`` orders; return how many were added."""
    markets = _markets(scale_markets(orders), seed=seed, actor=actors["manager"])
    products = _products(markets, seed=seed)
    have = Order.objects.filter(market__in=markets).count()
    if have >= orders:
        return 0
    progress = Progress(orders, write, done_before=have)
    for start in range(have, orders, BATCH):
        stop = min(start + BATCH, orders)
        with transaction.atomic():
            _orders(range(start, stop), markets, products, seed=seed, actors=actors)
        progress(stop)
    # Cached fragments (sidebars, the dashboard) were computed before these rows.
    for namespace in ("activity", "orders", "markets", "catalog"):
        bump_cache_version(namespace)
    return orders - have


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


def _orders(
    indices: range,
    markets: list[Market],
    products: dict[int, list[Product]],
    *,
    seed: int,
    actors: dict[str, Any],
) -> None:
    now = timezone.now()
    statuses = [status for status, _ in STATUS_WEIGHTS]
    weights = [weight for _, weight in STATUS_WEIGHTS]
    plans = []
    for index in indices:
        rng = random.Random(f"{seed}-order-{index}")
        market = markets[index % len(markets)]
        status = rng.choices(statuses, weights)[0]
        if status == OrderStatus.PENDING and not market.accepts_orders:
            status = OrderStatus.CANCELLED
        placed = now - timedelta(seconds=rng.randrange(1, 365 * 86400))
        picked = rng.sample(products[market.pk], rng.choice([1, 2, 3, 3, 4, 5]))
        lines = [(product, rng.randint(1, 3)) for product in picked]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        plans.append((index, market, status, placed, lines, first, last, rng))
    orders = Order.objects.bulk_create(
        _order(index, market, status, placed, lines, first, last, now=now)
        for index, market, status, placed, lines, first, last, _ in plans
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order, product=product, product_name=product.name, sku=product.sku,
            unit_price=product.price, quantity=quantity,
        )
        for order, plan in zip(orders, plans, strict=True)
        for product, quantity in plan[4]
    )  # fmt: skip
    payments: list[Payment] = []
    events: list[Event] = []
    for order, plan in zip(orders, plans, strict=True):
        rng = plan[7]
        history = _History(order, actors)
        history.add("order_placed", actors["agent"], order.placed_at, to_state="pending",
                    payload={"total": str(order.total), "currency": order.currency})  # fmt: skip
        history.add("confirmation_email_sent", None, order.placed_at + timedelta(seconds=5),
                    payload={"to": order.customer_email})  # fmt: skip
        # One in eight charges is declined first (the pending ones keep only that).
        if rng.random() < 0.125 or (order.status == OrderStatus.PENDING and rng.random() < 0.3):
            when = order.placed_at + timedelta(minutes=10)
            payments.append(_payment(order, PaymentKind.CHARGE, PaymentStatus.DECLINED, when))
            history.add("payment_failed", actors["agent"], when, from_state="pending",
                        to_state="pending", reason=MESSAGES[Outcome.DECLINED],
                        payload={"outcome": "declined", "amount": str(order.total)})  # fmt: skip
        if order.paid_at is not None:
            payments.append(
                _payment(order, PaymentKind.CHARGE, PaymentStatus.SUCCEEDED, order.paid_at)
            )
            history.add("order_paid", actors["agent"], order.paid_at, from_state="pending",
                        to_state="paid", payload={"amount": str(order.total)})  # fmt: skip
        if order.shipped_at is not None:
            history.add("order_shipped", actors["agent"], order.shipped_at, from_state="paid",
                        to_state="shipped",
                        payload={"tracking_number": order.tracking_number})  # fmt: skip
        if order.delivered_at is not None:
            history.add("order_delivered", actors["agent"], order.delivered_at,
                        from_state="shipped", to_state="delivered")  # fmt: skip
        if order.cancelled_at is not None:
            history.add("order_cancelled", actors["agent"], order.cancelled_at,
                        from_state="pending", to_state="cancelled")  # fmt: skip
        if order.refunded_at is not None:
            payments.append(
                _payment(order, PaymentKind.REFUND, PaymentStatus.SUCCEEDED, order.refunded_at)
            )
            history.add("order_refunded", actors["finance"], order.refunded_at,
                        from_state="paid", to_state="refunded",
                        reason=order.refund_reason)  # fmt: skip
        events.extend(history.events)
    Payment.objects.bulk_create(payments)
    Event.objects.bulk_create(events)


def _order(
    index: int,
    market: Market,
    status: str,
    placed: datetime,
    lines: list[tuple[Product, int]],
    first: str,
    last: str,
    *,
    now: datetime,
) -> Order:
    total = sum((product.price * quantity for product, quantity in lines), Decimal("0.00"))
    # Two hours between steps, less for a recent order: its whole history
    # (delivery is 40 steps on) stays in the past.
    step = min(timedelta(hours=2), (now - placed) / 50)
    paid = status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
    shipped = status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
    return Order(
        number=order_number(index),
        market=market,
        customer_name=f"{first} {last}",
        # ASCII, as the checkout's EmailField accepts (García → garcia).
        customer_email=f"{_ascii(first)}.{_ascii(last)}.{index}@customers.example",
        payment_token="tok_visa",
        status=status,
        currency=market.currency,
        total=total,
        tracking_number=f"1Z{index:010d}" if shipped else "",
        refund_reason="Arrived damaged." if status == OrderStatus.REFUNDED else "",
        placed_at=placed,
        paid_at=placed + step if paid or status == OrderStatus.REFUNDED else None,
        shipped_at=placed + 2 * step if shipped else None,
        delivered_at=placed + 40 * step if status == OrderStatus.DELIVERED else None,
        cancelled_at=placed + step if status == OrderStatus.CANCELLED else None,
        refunded_at=placed + 3 * step if status == OrderStatus.REFUNDED else None,
    )


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def _payment(order: Order, kind: str, status: str, when: datetime) -> Payment:
    key = f"{kind}-{order.number}-{status}"
    succeeded = status == PaymentStatus.SUCCEEDED
    return Payment(
        order=order,
        kind=kind,
        amount=order.total,
        currency=order.currency,
        gateway="sandbox",
        idempotency_key=key,
        status=status,
        gateway_reference=f"{'ch' if kind == PaymentKind.CHARGE else 're'}_{key}"[:80]
        if succeeded
        else "",
        failure_message="" if succeeded else MESSAGES[Outcome.DECLINED],
        created_at=when,
        completed_at=when,
        payment_token=order.payment_token if kind == PaymentKind.CHARGE else "",
        reason="Arrived damaged." if kind == PaymentKind.REFUND else "",
    )


class _History:
    """The timeline events of one order, as the services would have written them."""

    def __init__(self, order: Order, actors: dict[str, Any]) -> None:
        self.order = order
        self.events: list[Event] = []

    def add(self, name: str, actor: Any, when: datetime, **details: Any) -> None:
        self.events.append(
            Event(
                context="orders",
                name=name,
                aggregate_type="order",
                aggregate_id=str(self.order.pk),
                aggregate_label=self.order.number,
                aggregate_url=self.order.get_absolute_url(),
                actor=actor,
                occurred_at=when,
                **details,
            )
        )
