"""The console's small shared UI pieces, rendered with ``format_html`` so a
table cell and a template render them identically (and a list pays no
template compilation per cell)."""

from __future__ import annotations

from datetime import datetime

from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

# One colour per meaning, the same in every context (Tabler's status colours):
# done or live, under way, waiting for someone, stopped or failed, closed.
STATUS_COLOURS = {
    "active": "green",
    "paid": "green",
    "delivered": "green",
    "succeeded": "green",
    "shipped": "blue",
    "pending": "yellow",
    "queued": "yellow",
    "running": "blue",
    "draft": "secondary",
    "suspended": "red",
    "cancelled": "red",
    "failed": "red",
    "declined": "red",
    "timeout": "red",
    "error": "red",
    "void": "secondary",
    "archived": "secondary",
    "inactive": "secondary",
    "refunded": "orange",
}


def status_pill(status: str, label: str) -> SafeString:
    """The status as a coloured pill with its text, in an element with ``data-status`` (UI.md)."""
    return format_html(
        # The dot is the pill's ::before (console.css): no element per pill.
        '<span class="status status-{} status-pill" data-status="{}">{}</span>',
        STATUS_COLOURS.get(status, "secondary"),
        status,
        label,
    )


def sku(value: str) -> SafeString:
    """A SKU, set the same way on every page."""
    return format_html('<span class="sku" data-sku>{}</span>', value)


def relative_time(moment: datetime | None, now: datetime | None = None) -> SafeString:
    """ "just now", "5 min ago", "3 h ago", "2 days ago", else the date; the
    exact local time is the element's title (shown on hover) and datetime."""
    if moment is None:
        return format_html("{}", "—")
    now = now or timezone.now()
    seconds = max(0, int((now - moment).total_seconds()))
    local = timezone.localtime(moment)
    if seconds < 60:
        text = "just now"
    elif seconds < 3600:
        text = f"{seconds // 60} min ago"
    elif seconds < 86400:
        text = f"{seconds // 3600} h ago"
    elif seconds < 7 * 86400:
        days = seconds // 86400
        text = f"{days} day{'s' if days > 1 else ''} ago"
    else:
        text = dateformat.format(local, "Y-m-d")
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(),
        dateformat.format(local, "Y-m-d H:i:s T"),
        text,
    )
