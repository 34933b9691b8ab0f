from __future__ import annotations

import django_tables2 as tables

from .models import Market


class MarketTable(tables.Table):
    select = tables.TemplateColumn(
        template_name="console/_select_cell.html", orderable=False, verbose_name="Select"
    )
    name = tables.Column(linkify=True)
    status = tables.TemplateColumn(template_name="console/_status_cell.html")
    currency = tables.Column()
    updated_at = tables.DateTimeColumn(verbose_name="Updated", format="Y-m-d H:i")

    class Meta:
        model = Market
        fields = ("select", "name", "slug", "status", "currency", "updated_at")
        template_name = "console/table.html"
        order_by = "name"
        empty_text = "No markets match these filters."
