"""``{% status_pill obj %}``, ``{{ value|sku }}`` (see ``apps.core.web.ui``) and
``{% console_table table %}``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.safestring import SafeString

from apps.core.web import ui

register = template.Library()


@register.simple_tag
def status_pill(record: Any, status: str | None = None, label: str | None = None) -> SafeString:
    """The pill of a record (``status``, ``get_status_display()``), or of a status and label."""
    if record is not None:
        status, label = record.status, record.get_status_display()
    return ui.status_pill(str(status), str(label))


@register.filter
def sku(value: str) -> SafeString:
    return ui.sku(value)


@register.filter
def relative_time(moment: datetime | None) -> SafeString:
    return ui.relative_time(moment)


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``mapping[key]``, or None: a template cannot index by a variable."""
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def console_table(context: template.Context, table: Any) -> SafeString:
    """django-tables2's ``{% render_table table %}`` for a table made in the
    view, without its second ``RequestContext``: that one ran every context
    processor again (the navigation, the user menu, the messages) for a
    template that reads only the table and the request (its sort and page
    links keep the query string). django-tables2's own ``Table.as_html``
    renders it so, with a plain context of those two (this part of the
    kernel imports no template machinery: test_boundaries)."""
    html: SafeString = table.as_html(context.get("request"))
    return html


@register.simple_tag(takes_context=True)
def table_head(context: template.Context, table: Any) -> SafeString:
    """The table's header row (``ConsoleTable.head_row``): sort links keep the query."""
    return table.head_row(context["request"].GET)
