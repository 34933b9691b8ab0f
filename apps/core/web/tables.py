"""Table columns every list uses. They render with ``format_html``: a
template per cell would be compiled per cell (django-tables2's
``template_code``), which dominated list render time."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils import dateformat, timezone
from django.utils.html import format_html

from .ui import status_pill


class SelectColumn(tables.Column):
    """The row's checkbox for bulk actions, labelled with the row's name (UI.md)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("verbose_name", "Select")
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("empty_values", ())
        super().__init__(**kwargs)

    def render(self, record: Any) -> str:
        return format_html(
            '<input class="form-check-input" type="checkbox" name="ids" value="{}" '
            'form="bulk-form" aria-label="{}">',
            record.pk,
            str(record),
        )


class StatusColumn(tables.Column):
    """The status as text in an element with ``data-status`` (UI.md)."""

    def render(self, record: Any, value: Any) -> str:
        return status_pill(record.status, record.get_status_display())


class TimestampColumn(tables.Column):
    """A local date and time. django-tables2's DateTimeColumn compiles a
    template for every cell; formatting directly is many times faster."""

    def __init__(self, *, format: str = "Y-m-d H:i", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.format = format

    def render(self, value: Any) -> str:
        return dateformat.format(timezone.localtime(value), self.format)
