"""``{% timeline timeline %}``: any context's page shows the history its view read.

The tag runs no query: the view passes ``apps.activity.api.timeline(...)``.
"""

from __future__ import annotations

from typing import Any

from django import template

from apps.activity.api import Timeline

register = template.Library()


@register.inclusion_tag("activity/timeline.html")
def timeline(history: Timeline) -> dict[str, Any]:
    return {"events": history.events, "limit": history.limit}
