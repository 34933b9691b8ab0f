"""Domain events the orders context announces.

Each is sent **after commit** with ``apps.core.events.announce``, once the
change is durable, with ``sender=Order`` and ``event`` (the recorded
:class:`~apps.core.events.DomainEvent`) and ``order``. For reactions that
are truly optional (activity, caches, emails); a step an order cannot do
without, like taking stock, is a call to that context's ``api`` inside the
order's transaction, not a signal.
"""

from __future__ import annotations

from django.dispatch import Signal

# --- After commit -------------------------------------------------------------

order_placed = Signal()
"""Pending: placed from a cart. The confirmation email goes out."""

order_paid = Signal()
"""Pending → Paid: the gateway captured the payment."""

payment_failed = Signal()
"""A charge was declined, timed out or errored; the order stays Pending.
``event.reason`` carries the gateway's message."""

order_shipped = Signal()
"""Paid → Shipped, with ``event.payload["tracking_number"]``."""

order_delivered = Signal()
"""Shipped → Delivered."""

order_cancelled = Signal()
"""Pending → Cancelled; stock is back."""

order_refunded = Signal()
"""Paid or Delivered → Refunded through the gateway, with ``event.reason``."""

order_email_sent = Signal()
"""An email about the order went out (``confirmation_email_sent``,
``shipping_email_sent``, ``refund_email_sent``), with ``event.payload`` ``to``
and ``subject``. That one *failed for good* is ``<name>_failed``, announced by
``apps.core.work``."""

charging_paused = Signal()
"""The market of these pending orders stopped taking charges (suspended).
Receives ``events`` (one per order, ``event.reason`` = the market's reason)."""

charging_resumed = Signal()
"""The market of these pending orders takes charges again (reinstated).
Receives ``events``, one per order."""

carts_purged = Signal()
"""Abandoned carts (no items, or untouched for days) were deleted in bulk.
Receives ``event`` (one for the whole purge, ``payload["count"]``) and ``count``."""
