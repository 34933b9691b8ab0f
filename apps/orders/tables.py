from __future__ import annotations

import django_tables2 as tables
from django.utils.safestring import mark_safe

from apps.core.web.tables import (
    ConsoleTable,
    SelectColumn,
    StatusColumn,
    TimestampColumn,
    escaped,
)

from .models import Cart, Order, cents


class OrderTable(ConsoleTable):
    select = SelectColumn()
    # Kept on one line: on a phone the table scrolls in its own box instead.
    number = tables.Column(
        linkify=True, verbose_name="Order", attrs={"td": {"class": "text-nowrap"}}
    )
    placed_at = TimestampColumn(
        verbose_name="Placed", format="Y-m-d H:i", attrs={"td": {"class": "text-nowrap"}}
    )
    status = StatusColumn()
    # Annotated by markets_api.with_market_details in the list's selector.
    market = tables.Column(accessor="market_name", order_by="market_name", verbose_name="Market")
    customer = tables.Column(
        accessor="customer_name", order_by="customer_email", verbose_name="Customer"
    )
    total = tables.Column(attrs={"td": {"class": "text-end"}})

    def render_customer(self, record: Order) -> str:
        # An f-string of escaped parts: format_html costs more than the cell.
        return mark_safe(  # noqa: S308
            f'{escaped(record.customer_name)}<div class="small text-body-secondary">'
            f"{escaped(record.customer_email)}</div>"
        )

    def render_total(self, record: Order) -> str:
        return f"{record.total} {record.currency}"

    class Meta:
        model = Order
        fields = ("select", "number", "placed_at", "status", "market", "customer", "total")
        template_name = "console/table.html"
        order_by = "-placed_at"
        empty_text = "No orders match these filters."


class CartTable(ConsoleTable):
    id = tables.Column(linkify=True, verbose_name="Cart")
    # Annotated by markets_api.with_market_details in the list's selector.
    market = tables.Column(accessor="market_name", order_by="market_name", verbose_name="Market")
    customer_name = tables.Column(verbose_name="Customer")
    customer_email = tables.Column(verbose_name="Email")
    item_count = tables.Column(verbose_name="Items", attrs={"td": {"class": "text-end"}})
    total = tables.Column(attrs={"td": {"class": "text-end"}})
    updated_at = TimestampColumn(verbose_name="Updated", format="Y-m-d H:i")

    def render_total(self, record: Cart) -> str:
        # ``total`` is annotated by CartQuerySet.with_totals().
        return f"{cents(record.total)} {record.market_info.currency}"  # type: ignore[attr-defined]

    class Meta:
        model = Cart
        fields = (
            "id",
            "market",
            "customer_name",
            "customer_email",
            "item_count",
            "total",
            "updated_at",
        )
        template_name = "console/table.html"
        order_by = "-updated_at"
        empty_text = "No open carts."
