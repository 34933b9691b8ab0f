"""Emails to a market's creator about what happened to it: text and HTML from templates."""

from __future__ import annotations

import logging
from email.headerregistry import Address

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import Market

logger = logging.getLogger(__name__)

# Event name → (subject, what the email says happened).
NEWS = {
    "market_created": ("Your market {name} was created", "was created as a Draft"),
    "market_published": ("Your market {name} is live", "was published: it takes orders now"),
    "market_suspended": ("Your market {name} was suspended", "was suspended"),
    "market_reinstated": ("Your market {name} is active again", "was reinstated"),
}


def send_creator_email(*, market_id: int, event_name: str, reason: str = "") -> bool:
    """Tell the market's creator about ``event_name``; False when there is no one to tell."""
    market = Market.objects.select_related("created_by").get(pk=market_id)
    creator = market.created_by
    if creator is None or not creator.email:
        logger.info("market %s has no creator with an email; %s not sent", market_id, event_name)
        return False
    subject, happened = NEWS[event_name]
    name = creator.get_full_name() or creator.get_username()
    context = {"market": market, "name": name, "happened": happened, "reason": reason}
    recipient = str(Address(display_name=name, addr_spec=creator.email))
    message = EmailMultiAlternatives(
        subject=subject.format(name=market.name),
        body=render_to_string("markets/email/creator.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
    )
    message.attach_alternative(render_to_string("markets/email/creator.html", context), "text/html")
    message.send()
    return True
