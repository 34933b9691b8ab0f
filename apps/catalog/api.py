"""What other contexts may ask of the catalog: the only catalog module they import.

Stock moves with orders: the orders context calls ``reserve_stock`` and
``return_stock`` inside its own transaction, so a shortage (``InvalidInput``
naming the product) rolls the whole order back. Prices, names and SKUs are
read through ``priced_lines``, never from the catalog's rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from apps.core.cache import bump_cache_version
from apps.core.errors import InvalidInput

from .models import Product

CACHE_NAMESPACE = "catalog"


class StockLine(NamedTuple):
    """One product and how many of it an order takes or gives back."""

    product_id: int
    quantity: int


@dataclass(frozen=True)
class PricedProduct:
    """A product as an order needs it at the moment it is placed."""

    product_id: int
    market_id: int
    name: str
    sku: str
    price: Decimal
    active: bool
    stock: int


def priced_lines(product_ids: Iterable[int]) -> dict[int, PricedProduct]:
    """The current name, SKU, price, sale state and stock of each product, by id (one query).

    Ids of products that no longer exist are left out.
    """
    rows = Product.objects.filter(pk__in=set(product_ids)).values_list(
        "pk", "market_id", "name", "sku", "price", "active", "stock"
    )
    return {row[0]: PricedProduct(*row) for row in rows}


def price_through(relation: str) -> F:
    """A product's price reached through another context's ForeignKey to it.

    For a sum a database must do (a cart's total, sortable in a list):
    ``price_through("items__product")``. The catalog names its own column.
    """
    return F(f"{relation}__price")


PRODUCT_DETAILS = ("name", "sku", "price", "active", "stock")


def with_product_details[Q: QuerySet[Any]](queryset: Q, relation: str) -> Q:
    """Annotate another context's rows with the product they point at, in the same query.

    ``relation`` is the path of the ForeignKey; the row gains ``product_name``,
    ``product_sku``, ``product_price``, ``product_active`` and ``product_stock``.
    """
    return queryset.annotate(
        **{f"product_{field}": F(f"{relation}__{field}") for field in PRODUCT_DETAILS}
    )


def _bump_on_commit() -> None:
    transaction.on_commit(lambda: bump_cache_version(CACHE_NAMESPACE), robust=True)


def _quantities(lines: Iterable[StockLine]) -> list[tuple[int, int]]:
    """(product id, total quantity), in product id order.

    Two lines of one product count together; a fixed order of row locks
    keeps two concurrent orders from deadlocking on PostgreSQL.
    """
    totals: Counter[int] = Counter()
    for line in lines:
        if line.quantity < 0:
            raise InvalidInput("A quantity cannot be negative.")
        totals[line.product_id] += line.quantity
    return sorted((product_id, quantity) for product_id, quantity in totals.items() if quantity)


def reserve_stock(lines: Iterable[StockLine]) -> None:
    """Take each line's quantity from stock, never below zero, or refuse.

    Call inside the caller's transaction. Each product is one conditional
    UPDATE, so two orders racing for the last items cannot both get them.
    On a shortage the savepoint undoes what was already taken here, and
    ``InvalidInput`` (naming the product) lets the caller undo the rest.
    """
    quantities = _quantities(lines)
    if not quantities:
        return
    now = timezone.now()
    with transaction.atomic():
        for product_id, quantity in quantities:
            taken = Product.objects.filter(pk=product_id, stock__gte=quantity).update(
                stock=F("stock") - quantity, updated_at=now
            )
            if taken:
                continue
            found = Product.objects.filter(pk=product_id).values_list("name", "stock").first()
            if found is None:
                raise InvalidInput("A product of this order is no longer in the catalog.")
            name, available = found
            raise InvalidInput(f"Not enough stock for {name}: {available} left, {quantity} wanted.")
    _bump_on_commit()


def return_stock(lines: Iterable[StockLine]) -> None:
    """Put each line's quantity back in stock, inside the caller's transaction."""
    quantities = _quantities(lines)
    if not quantities:
        return
    now = timezone.now()
    for product_id, quantity in quantities:
        Product.objects.filter(pk=product_id).update(stock=F("stock") + quantity, updated_at=now)
    _bump_on_commit()
