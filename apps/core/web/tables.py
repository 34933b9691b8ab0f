"""Table columns every list uses. They render with ``format_html``: a
template per cell would be compiled per cell (django-tables2's
``template_code``), which dominated list render time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_tables2 as tables
from django.utils import dateformat, timezone
from django.utils.html import format_html

from apps.core.transitions import names_from_state

from .ui import status_pill


class SelectColumn(tables.Column):
    """The row's checkbox for bulk actions, labelled with the row's name (UI.md).

    ``data-actions`` lists the bulk actions this row's state allows, so the
    toolbar offers only those that apply to a ticked row (console.js). By
    default the state machine's transitions from the row's status; ``actions``
    (record → names) for a list whose actions are not transitions.
    """

    def __init__(self, *, actions: Callable[[Any], list[str]] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("verbose_name", "Select")
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("empty_values", ())
        super().__init__(**kwargs)
        self.actions = actions or names_from_state

    def render(self, record: Any) -> str:
        return format_html(
            '<input class="form-check-input" type="checkbox" name="ids" value="{}" '
            'form="bulk-form" aria-label="{}" data-actions="{}">',
            record.pk,
            str(record),
            " ".join(self.actions(record)),
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
