"""``{% status_pill obj %}`` and ``{{ value|sku }}``: see ``apps.core.web.ui``."""

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
