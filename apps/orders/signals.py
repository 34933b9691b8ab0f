"""Domain events the orders context announces.

Two kinds:

**In the transaction** (present tense, may veto). Sent by the service while
its transaction is open; a receiver's writes commit or roll back with the
order, and a receiver may refuse by raising a ``DomainError`` with a message
for staff, which undoes everything. This is how the catalog keeps stock
exactly right without the orders context writing catalog rows.

**After commit** (past tense). Sent with ``apps.core.events.announce`` once
the change is durable, with ``sender=Order`` and ``event`` (the recorded
:class:`~apps.core.events.DomainEvent`) and ``order``. For side effects.
"""

from __future__ import annotations

from typing import NamedTuple

from django.dispatch import Signal


class StockLine(NamedTuple):
    """One product and how many of it an order takes or gives back."""

    product_id: int
    quantity: int


# --- In the transaction -------------------------------------------------------

order_placing = Signal()
"""An order is being placed. Arguments: ``order_number`` (str), ``lines``
(list of :class:`StockLine`). The catalog takes the stock, never below zero,
or raises a ``DomainError`` naming the product that is short."""

order_cancelling = Signal()
"""A pending order is being cancelled. Arguments: ``order_number`` (str),
``lines`` (list of :class:`StockLine`). The catalog puts the stock back."""

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
