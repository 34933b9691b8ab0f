"""What other contexts may ask of the orders context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .models import OrderLine, OrderStatus

RECENT_LINES = 10


@dataclass(frozen=True)
class ProductLine:
    """One order line of a product, with its order's number, status and time."""

    order_number: str
    order_status: str
    order_status_label: str
    placed_at: datetime
    quantity: int
    unit_price: Decimal
    currency: str


def recent_lines_for_product(product_id: int, *, limit: int = RECENT_LINES) -> list[ProductLine]:
    """The newest order lines of a product, newest order first (one query)."""
    labels = dict(OrderStatus.choices)
    rows = (
        OrderLine.objects.filter(product_id=product_id)
        .order_by("-order__placed_at", "-pk")
        .values_list(
            "order__number",
            "order__status",
            "order__placed_at",
            "quantity",
            "unit_price",
            "order__currency",
        )[:limit]
    )
    return [
        ProductLine(number, status, labels.get(status, status), placed, quantity, price, currency)
        for number, status, placed, quantity, price, currency in rows
    ]
