"""``{% timeline timeline %}``: any context's page shows the history its view read.

The tag runs no query: the view passes ``apps.activity.api.timeline(...)``.
"""

from __future__ import annotations

from typing import Any

from django import template

from apps.activity.api import Timeline

register = template.Library()


@register.filter
def field_changes(changed: Any) -> list[dict[str, Any]]:
    """An edit's ``payload["changed"]`` as rows of field, old and new value.

    Events recorded before edits kept their values list only the field names
    (``recorded`` is then False).
    """
    if isinstance(changed, dict):
        return [
            {"field": name, "old": values.get("old"), "new": values.get("new"), "recorded": True}
            for name, values in changed.items()
            if isinstance(values, dict)
        ]
    return [{"field": name, "recorded": False} for name in changed or []]


@register.inclusion_tag("activity/timeline.html")
def timeline(history: Timeline) -> dict[str, Any]:
    return {"events": history.events, "limit": history.limit}
