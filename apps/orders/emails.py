"""Emails to customers about their orders: text and HTML from templates.

Sending is idempotent: what went is recorded per order and kind
(``SentEmail``), so a retried job never sends an email twice. The record is
written right after the mail server accepted the message; only a crash
between the two would send it again.
"""

from __future__ import annotations

import logging
from email.headerregistry import Address

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from apps.markets import api as markets_api

from . import services
from .models import Order, SentEmail

logger = logging.getLogger(__name__)

SUBJECTS = {
    "confirmation": "Your order {number} is confirmed",
    "shipped": "Your order {number} is on its way",
    "refunded": "Your order {number} has been refunded",
}

# How the job and the timeline name each email: "shipping email sent/failed".
JOB_NAMES = {
    "confirmation": "confirmation_email",
    "shipped": "shipping_email",
    "refunded": "refund_email",
}


def send_order_email(*, order_id: int, kind: str) -> None:
    """Send the ``kind`` email (a key of ``SUBJECTS``) about an order, unless it went already."""
    if SentEmail.objects.filter(order_id=order_id, kind=kind).exists():
        logger.info("order %s: %s email was sent before; not again", order_id, kind)
        return
    orders = markets_api.with_market_details(Order.objects.all()).prefetch_related("lines")
    order = orders.get(pk=order_id)
    context = {"order": order, "lines": list(order.lines.all())}
    # An Address quotes names with commas or quotes ("Smith, John").
    recipient = str(Address(display_name=order.customer_name, addr_spec=order.customer_email))
    subject = SUBJECTS[kind].format(number=order.number)
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"orders/email/{kind}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
    )
    message.attach_alternative(render_to_string(f"orders/email/{kind}.html", context), "text/html")
    message.send()
    services.record_email_sent(
        order_id=order.pk, kind=kind, name=JOB_NAMES[kind], recipient=recipient, subject=subject
    )
