"""Emails to a market's creator about what happened to it: text and HTML from templates.

Sending is idempotent: what went is recorded per event (``CreatorEmail``), so a
retried job never sends an email twice. The record is written right after the
mail server accepted the message; only a crash between the two would send it
again.
"""

from __future__ import annotations

import logging
from email.headerregistry import Address

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from . import services
from .models import CreatorEmail, Market

logger = logging.getLogger(__name__)

# Event name → (subject, what the email says happened).
NEWS = {
    "market_created": ("Your market {name} was created", "was created as a Draft"),
    "market_published": ("Your market {name} is live", "was published: it takes orders now"),
    "market_suspended": ("Your market {name} was suspended", "was suspended"),
    "market_reinstated": ("Your market {name} is active again", "was reinstated"),
}


class NoOneToTell(Exception):
    """The market's creator is gone or has no email address: nothing can be sent.

    Not transient, so the job fails at once and a superuser sees why on the
    failed-work page (retrying would not help until someone has an address).
    """


def send_creator_email(
    *, market_id: int, event_name: str, event_id: str = "", reason: str = ""
) -> bool:
    """Tell the market's creator about ``event_name``, once per event.

    Returns False when the email for this event went before (a retried or
    repeated job). Raises ``NoOneToTell`` when there is no one with an address.
    (``event_id`` is empty only for jobs queued before it was passed.)
    """
    if event_id and CreatorEmail.objects.filter(event_id=event_id).exists():
        logger.info("market %s: %s email was sent before; not again", market_id, event_name)
        return False
    market = Market.objects.select_related("created_by").get(pk=market_id)
    creator = market.created_by
    if creator is None or not creator.email:
        raise NoOneToTell(f"Market {market.name} has no creator with an email address.")
    subject, happened = NEWS[event_name]
    name = creator.get_full_name() or creator.get_username()
    context = {"market": market, "name": name, "happened": happened, "reason": reason}
    recipient = str(Address(display_name=name, addr_spec=creator.email))
    subject = subject.format(name=market.name)
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("markets/email/creator.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
    )
    message.attach_alternative(render_to_string("markets/email/creator.html", context), "text/html")
    message.send()
    if event_id:
        services.record_creator_email(
            market_id=market.pk,
            event_id=event_id,
            event_name=event_name,
            recipient=recipient,
            subject=subject,
        )
    return True
