"""Emails to customers about their orders: text and HTML from templates."""

from __future__ import annotations

from email.headerregistry import Address

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import Order

SUBJECTS = {
    "confirmation": "Your order {number} is confirmed",
    "shipped": "Your order {number} is on its way",
    "refunded": "Your order {number} has been refunded",
}


def send_order_email(*, order_id: int, kind: str) -> None:
    """Send one email about an order. ``kind`` is a key of ``SUBJECTS``."""
    order = Order.objects.select_related("market").prefetch_related("lines").get(pk=order_id)
    context = {"order": order, "lines": list(order.lines.all())}
    message = EmailMultiAlternatives(
        subject=SUBJECTS[kind].format(number=order.number),
        body=render_to_string(f"orders/email/{kind}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        # An Address quotes names with commas or quotes ("Smith, John").
        to=[str(Address(display_name=order.customer_name, addr_spec=order.customer_email))],
    )
    message.attach_alternative(render_to_string(f"orders/email/{kind}.html", context), "text/html")
    message.send()
