from __future__ import annotations

import django_tables2 as tables

from apps.core.web.tables import ConsoleTable, SelectColumn, StatusColumn, TimestampColumn

from .models import Market


class MarketTable(ConsoleTable):
    select = SelectColumn()
    name = tables.Column(linkify=True)
    status = StatusColumn()
    currency = tables.Column()
    updated_at = TimestampColumn(verbose_name="Updated", format="Y-m-d H:i")

    class Meta:
        model = Market
        fields = ("select", "name", "slug", "status", "currency", "updated_at")
        template_name = "console/table.html"
        order_by = "name"
        empty_text = "No markets match these filters."
