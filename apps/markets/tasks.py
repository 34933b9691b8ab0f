"""Background work of the markets context, retried by ``apps.core.work``."""

from __future__ import annotations

from apps.core.work import background

from . import emails


@background
def send_creator_email(
    *, market_id: int, event_name: str, event_id: str = "", reason: str = ""
) -> None:
    emails.send_creator_email(
        market_id=market_id, event_name=event_name, event_id=event_id, reason=reason
    )
