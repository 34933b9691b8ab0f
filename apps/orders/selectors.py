"""Reads of the orders context: every query a view, the dashboard, the palette,
a filter or a template needs, named in the staff's words.

One definition per business term: "awaiting payment", "to ship" and "failed
payment" are each defined once here (on the QuerySets they use), so the
dashboard's numbers always equal the rows their links open.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.shortcuts import get_object_or_404

from apps.activity import api as activity_api
from apps.catalog import api as catalog_api
from apps.core.fetching import peers, strict
from apps.markets import api as markets_api

from . import figures
from .models import (
    AWAITING_PAYMENT,
    TO_SHIP,
    Cart,
    CartItem,
    CartQuerySet,
    Order,
    OrderFigure,
    OrderQuerySet,
    OrderStatus,
    Payment,
    cents,
)

# Money taken and kept (OrderQuerySet.revenue_by_currency).
TAKEN = [OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED]


@dataclass(frozen=True)
class CartLine:
    """One item of a cart with its product as the catalog has it now."""

    product_name: str
    product_sku: str
    product_price: Decimal
    product_active: bool
    product_stock: int
    quantity: int

    @property
    def line_total(self) -> Decimal:
        return self.product_price * self.quantity


@dataclass(frozen=True)
class CartDetail:
    cart: Cart
    items: list[CartLine]
    total: Decimal
    # The order an empty cart was last placed as (its number), if any.
    placed_as: str | None = None


def carts_for_list() -> CartQuerySet:
    """Carts with something in them, with their item count and total."""
    return strict(markets_api.with_market_details(Cart.objects.open().with_totals()))


def cart_or_404(cart_id: int) -> Cart:
    return get_object_or_404(
        strict(markets_api.with_market_details(Cart.objects.all())), pk=cart_id
    )


def cart_detail(cart_id: int) -> CartDetail:
    """A cart, its items with the products' current details, and its total."""
    cart = cart_or_404(cart_id)
    rows = catalog_api.with_product_details(
        CartItem.objects.filter(cart=cart), relation="product"
    ).order_by("pk")
    fields = [f"product_{field}" for field in catalog_api.PRODUCT_DETAILS]
    items = [CartLine(*row) for row in rows.values_list(*fields, "quantity")]
    total = sum((item.line_total for item in items), Decimal(0))
    placed_as = None
    if not items:  # placing a cart empties it: say where its items went
        order_id = activity_api.latest_aggregate_id("order_placed", cart=cart.pk)
        if order_id is not None:
            placed_as = Order.objects.filter(pk=order_id).values_list("number", flat=True).first()
    return CartDetail(cart=cart, items=items, total=total, placed_as=placed_as)


def orders_for_list() -> OrderQuerySet:
    return strict(Order.objects.for_list())


def order_or_404(number: str) -> Order:
    return get_object_or_404(Order.objects.all(), number=number)


def order_for_page(number: str) -> Order:
    """An order with its market, lines and payments (oldest first), for its page."""
    queryset = strict(markets_api.with_market_details(Order.objects.all())).prefetch_related(
        "lines", Prefetch("payments", queryset=Payment.objects.order_by("created_at", "pk"))
    )
    return get_object_or_404(queryset, number=number)


def order_counts_by_status() -> dict[str, int]:
    """The order list's sidebar: how many orders in each status. The sidebar
    is cached until the next event, and on a busy day there is one a second:
    counting 100,000 orders each time took 18 ms of SQLite and 28 ms of
    PostgreSQL, these sums 4."""
    return _placed_by_status()


def work_queue_counts() -> dict[str, int]:
    """Orders awaiting payment and to ship, by status (the dashboard's queues
    and the navigation's badge); the other statuses 0."""
    return _placed_by_status([AWAITING_PAYMENT, TO_SHIP])


def _placed_by_status(statuses: list[str] | None = None) -> dict[str, int]:
    """Orders by status (every status there, the others 0), of ``statuses``
    or all: summed from the figures the orders keep (``OrderFigure``, one row
    per day, status and currency), not counted over the orders."""
    placed = OrderFigure.objects.filter(kind=figures.PLACED)
    if statuses is not None:
        placed = placed.filter(status__in=statuses)
    rows = placed.order_by().values("status").annotate(count=Sum("orders"))
    counts = dict.fromkeys(OrderStatus.values, 0)
    counts.update({row["status"]: row["count"] for row in rows})
    return counts


def search_orders(query: str, *, limit: int) -> list[Order]:
    return list(peers(Order.objects.search(query)).order_by("-placed_at", "-pk")[:limit])


def failed_payment_orders_on(day: Any) -> OrderQuerySet:
    """Orders with a failed charge (declined, timed out, errored or Not taken) on ``day``."""
    return Order.objects.with_failed_payment_on(day)


def awaiting_payment_status() -> str:
    """The list filter value of "Awaiting payment" (``OrderQuerySet.awaiting_payment``)."""
    return AWAITING_PAYMENT


def to_ship_status() -> str:
    """The list filter value of "To ship" (``OrderQuerySet.to_ship``)."""
    return TO_SHIP


def failed_payment_order_count(day: Any) -> int:
    """How many orders the list filtered by ``failed_payment_on=day`` shows."""
    return Order.objects.with_failed_payment_on(day).count()


MARKET_COLUMNS = ("market_name", "market_slug")


def busiest_markets(*, placed_since: Any, limit: int) -> QuerySet[Any, Any]:
    """The markets with the most orders placed since ``placed_since``, busiest first.

    One grouped query (``Count`` per market), rows of ``market_name``,
    ``market_slug`` and ``orders``; ties by name.
    """
    return (
        markets_api.with_market_details(Order.objects.filter(placed_at__gte=placed_since))
        # Annotations of the markets API (the plugin cannot see them by name).
        .values(*MARKET_COLUMNS)
        .annotate(orders=Count("pk"))
        .order_by("-orders", "market_name")[:limit]
    )


def revenue_per_day_since(*, first_day: date) -> list[tuple[date, str, Decimal]]:
    """(day, currency, amount) of money taken and kept on each local day from
    ``first_day`` on, by day and currency, in one grouped query of the figures
    (kept per local day): the dashboard's revenue chart and its revenue today
    and this week, all three from these rows. A day and currency whose orders
    were all refunded or cancelled since has its row, at 0.00."""
    rows = (
        OrderFigure.objects.filter(kind=figures.PAID, status__in=TAKEN, day__gte=first_day)
        .order_by()
        .values("day", "currency")
        .annotate(amount=Sum("revenue"))
        .order_by("day", "currency")
    )
    return [(row["day"], row["currency"], cents(row["amount"])) for row in rows]


def orders_per_day_by_status(*, days: list[Any], statuses: list[str]) -> list[tuple[Any, str, int]]:
    """(day, status, count) of the orders in ``statuses`` placed on each of
    ``days`` (local dates), in one query of the figures: the dashboard's
    orders chart. The statuses are asked for by name, all of them if need
    be, so that the figures' unique index (kind, status, day, …) is searched
    for each status and day instead of read for every day of the kind."""
    rows = (
        OrderFigure.objects.filter(kind=figures.PLACED, status__in=statuses, day__in=days)
        .order_by()
        .values("day", "status")
        .annotate(count=Sum("orders"))
        .order_by("day", "status")
    )
    return [(row["day"], row["status"], row["count"]) for row in rows if row["count"]]


def rows_for_export(orders: OrderQuerySet, *, fields: list[str]) -> Iterator[tuple[Any, ...]]:
    """The values of ``fields`` of each order, streamed in chunks (the CSV export)."""
    return orders.values_list(*fields).iterator(chunk_size=1000)
