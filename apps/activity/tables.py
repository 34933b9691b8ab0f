from __future__ import annotations

import django_tables2 as tables
from django.template.defaultfilters import capfirst, truncatechars
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from apps.core.web.tables import ConsoleTable, TimestampColumn

from .models import Event
from .templatetags.activity import field_changes

SUBJECT_TYPE = '<span class="small text-body-secondary">{}</span>'


class EventTable(ConsoleTable):
    """Subject and change render with ``format_html`` (they were templates per
    cell, each running every context processor)."""

    occurred_at = TimestampColumn(verbose_name="When", format="Y-m-d H:i:s")
    context = tables.Column()
    name = tables.Column(verbose_name="Event")
    aggregate_label = tables.Column(
        verbose_name="Subject", order_by="aggregate_label", empty_values=()
    )
    # The name as it read when it happened (a rename later does not rewrite history).
    actor = tables.Column(accessor="actor_name", verbose_name="By", default="System")
    change = tables.Column(verbose_name="Change", orderable=False, empty_values=())

    class Meta:
        model = Event
        fields = ("occurred_at", "context", "name", "aggregate_label", "actor", "change")
        template_name = "console/table.html"
        order_by = "-occurred_at"
        empty_text = "No events match these filters."

    def render_aggregate_label(self, record: Event) -> SafeString:
        kind = format_html(SUBJECT_TYPE, record.aggregate_type)
        if record.aggregate_url:
            return format_html(
                '<a href="{}">{}</a>\n{}', record.aggregate_url, record.aggregate_label, kind
            )
        return format_html("{}\n{}", record.aggregate_label, kind)

    def render_change(self, record: Event) -> SafeString:
        parts = []
        if record.from_state and record.to_state and record.from_state != record.to_state:
            parts.append(
                format_html("{} → {}", capfirst(record.from_state), capfirst(record.to_state))
            )
        if record.reason:
            parts.append(
                format_html(
                    '<div class="small">{}: <q>{}</q></div>', record.reason_label, record.reason
                )
            )
        changed = (record.payload or {}).get("changed")
        if changed:
            parts.append(_field_changes(changed))
        return format_html_join("\n", "{}", ((part,) for part in parts))


def _field_changes(changed: object) -> SafeString:
    """An edit: each field changed, with its old and new value when the event
    kept them (as ``activity/_field_changes.html`` shows it on timelines)."""
    items = []
    for change in field_changes(changed):
        if change["recorded"]:
            items.append(
                format_html(
                    '<span data-changed-field="{}">{} from <q data-old>{}</q> to '
                    "<q data-new>{}</q></span>",
                    change["field"],
                    change["field"],
                    truncatechars(change["old"], 80),
                    truncatechars(change["new"], 80),
                )
            )
        else:
            items.append(
                format_html(
                    '<span data-changed-field="{}">{}</span>', change["field"], change["field"]
                )
            )
    return format_html(
        '<div class="small text-body-secondary" data-changes>Changed: {}</div>',
        format_html_join(", ", "{}", ((item,) for item in items)),
    )
