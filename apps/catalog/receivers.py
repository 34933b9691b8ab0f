"""How the catalog reacts to events: its own (fresh sidebars) and the orders
context's in-transaction stock signals (stock taken and given back)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone

from apps.core.cache import bump_cache_version
from apps.core.errors import InvalidInput
from apps.orders import signals as order_signals

from . import signals
from .models import Product

CACHE_NAMESPACE = "catalog"


@receiver(signals.product_created, dispatch_uid="catalog.cache.created")
@receiver(signals.products_activated, dispatch_uid="catalog.cache.activated")
@receiver(signals.products_deactivated, dispatch_uid="catalog.cache.deactivated")
def invalidate_catalog_fragments(sender: type, **kwargs: Any) -> None:
    # These signals are sent on commit, so the next render sees the new state.
    bump_cache_version(CACHE_NAMESPACE)


def _bump_on_commit() -> None:
    transaction.on_commit(lambda: bump_cache_version(CACHE_NAMESPACE), robust=True)


def _quantities(lines: Iterable[order_signals.StockLine]) -> list[tuple[int, int]]:
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


@receiver(order_signals.order_placing, dispatch_uid="catalog.stock.take")
def take_stock(sender: type, lines: list[order_signals.StockLine], **kwargs: Any) -> None:
    """Take each line's quantity from stock, never below zero, or refuse the order.

    Runs inside the order's transaction. Each product is one conditional
    UPDATE, so two orders racing for the last items cannot both get them.
    On a shortage the savepoint undoes what this receiver already took, and
    ``InvalidInput`` (naming the product) makes the orders service undo the rest.
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


@receiver(order_signals.order_cancelling, dispatch_uid="catalog.stock.give_back")
def give_stock_back(sender: type, lines: list[order_signals.StockLine], **kwargs: Any) -> None:
    """Put each line's quantity back in stock, inside the cancelling order's transaction."""
    quantities = _quantities(lines)
    if not quantities:
        return
    now = timezone.now()
    for product_id, quantity in quantities:
        Product.objects.filter(pk=product_id).update(stock=F("stock") + quantity, updated_at=now)
    _bump_on_commit()
