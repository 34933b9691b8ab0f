from __future__ import annotations

import django_tables2 as tables

from apps.core.web.tables import TimestampColumn

from .models import Event


class EventTable(tables.Table):
    occurred_at = TimestampColumn(verbose_name="When", format="Y-m-d H:i:s")
    context = tables.Column()
    name = tables.Column(verbose_name="Event")
    aggregate_label = tables.TemplateColumn(
        template_name="activity/_subject_cell.html",
        verbose_name="Subject",
        order_by="aggregate_label",
    )
    # The name as it read when it happened (a rename later does not rewrite history).
    actor = tables.Column(accessor="actor_name", verbose_name="By", default="System")
    change = tables.TemplateColumn(
        template_name="activity/_change_cell.html", verbose_name="Change", orderable=False
    )

    class Meta:
        model = Event
        fields = ("occurred_at", "context", "name", "aggregate_label", "actor", "change")
        template_name = "console/table.html"
        order_by = "-occurred_at"
        empty_text = "No events match these filters."
