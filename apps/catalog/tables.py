from __future__ import annotations

import django_tables2 as tables
from django.utils.safestring import SafeString, mark_safe

from apps.core.web.tables import ConsoleTable, SelectColumn, StatusColumn, escaped
from apps.core.web.ui import sku

from .models import Product

END = {"th": {"class": "text-end"}, "td": {"class": "text-end text-nowrap"}}
NO_TAGS = mark_safe('<span class="text-body-secondary" aria-label="No tags">&ndash;</span>')
OUT_OF_STOCK = mark_safe(
    '<span class="text-danger" data-out-of-stock>0 <span class="small">out of stock</span></span>'
)


class ProductTable(ConsoleTable):
    """Cells render with ``format_html`` (see ``apps.core.web.tables``), never a
    template per cell. Every sort ends with the primary key, so pages never
    repeat or skip a row when values tie."""

    select = SelectColumn(actions=lambda product: ["deactivate" if product.active else "activate"])
    name = tables.Column(order_by=("name", "pk"))
    sku = tables.Column(
        verbose_name="SKU", order_by=("sku", "pk"), attrs={"td": {"class": "text-nowrap"}}
    )
    # Links to the market: Enter on a selected row opens it. The market's details
    # are annotated by markets_api.with_market_details (ProductQuerySet.with_relations).
    market = tables.Column(accessor="market_name", order_by=("market_name", "name", "pk"))
    category = tables.Column(order_by=("category__name", "name", "pk"))
    tags = tables.Column(orderable=False, empty_values=())
    price = tables.Column(order_by=("price", "pk"), attrs=END)
    stock = tables.Column(order_by=("stock", "pk"), attrs=END)
    active = StatusColumn(verbose_name="Status", order_by=("active", "name", "pk"))

    class Meta:
        model = Product
        fields = ("select", "name", "sku", "market", "category", "tags", "price", "stock", "active")
        template_name = "console/table.html"
        order_by = "name"
        empty_text = "No products match these filters."

    # Cells are f-strings of escaped parts: format_html's per-call parsing and
    # lazy-string checks were a third of this table's rows (docs/performance.md).

    def render_name(self, record: Product) -> SafeString:
        # The row's first link: Enter or o on a chosen row opens the product.
        url, name = escaped(record.get_absolute_url()), escaped(record.name)
        return mark_safe(f'<a href="{url}">{name}</a>')  # noqa: S308

    def render_sku(self, value: str) -> SafeString:
        return sku(value)

    def render_tags(self, record: Product) -> SafeString:
        # .all() reads the prefetched tags: no query per row.
        tags = record.tags.all()
        if not tags:
            return NO_TAGS
        return mark_safe(  # noqa: S308  # escaped parts
            "".join(
                f'<span class="badge text-bg-light border me-1" data-tag="{escaped(tag.slug)}">'
                f"{escaped(tag.name)}</span>"
                for tag in tags
            )
        )

    def render_market(self, record: Product) -> SafeString:
        market = record.market_info
        return mark_safe(f'<a href="{escaped(market.url)}">{escaped(market.name)}</a>')  # noqa: S308

    def render_price(self, record: Product) -> SafeString:
        market = record.market_info
        return mark_safe(  # noqa: S308  # escaped parts
            f"<span data-price>{escaped(record.price)}</span> "
            f'<abbr class="text-body-secondary small" title="{escaped(market.currency_display)}">'
            f"{escaped(market.currency)}</abbr>"
        )

    def render_stock(self, value: int) -> SafeString | int:
        return value if value else OUT_OF_STOCK
