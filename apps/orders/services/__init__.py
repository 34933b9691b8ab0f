"""Use cases of the orders context: the only code that changes carts, orders and payments.

Placing an order and every transition run in one transaction that locks the
order, records the domain event and announces it on commit. Charging and
refunding call the gateway *between* two transactions: the Payment is
recorded first (so a retry or a concurrent click finds it and never charges
twice), the gateway is called with no lock held, and its answer is recorded
in a second transaction.

One module per use case: ``placing`` (carts and placing), ``payments``,
``fulfilment`` (shipping, delivering, cancelling, bulk) and ``reactions``.
Every name stays importable from ``apps.orders.services``.
"""

from apps.orders.models import NOT_TAKEN

from ._common import CONTEXT, PaymentFailed, _event, _locked_order
from .fulfilment import (
    BULK_ACTIONS,
    TRANSITION_SERVICES,
    bulk_transition_orders,
    cancel_order,
    mark_delivered,
    ship_order,
)
from .payments import (
    FAILED_TRANSITION,
    MAX_KEY_LENGTH,
    SETTLE_ERROR,
    ChargeOutcome,
    _record_answer,
    _record_charge_attempt,
    _record_refund_attempt,
    charge_payment,
    refund_order,
    settle_payments,
)
from .placing import (
    ABANDONED_AFTER_DAYS,
    create_cart,
    create_order_from_cart,
    purge_abandoned_carts,
)
from .reactions import note_market_charging, record_email_sent

__all__ = [
    "ABANDONED_AFTER_DAYS",
    "BULK_ACTIONS",
    "CONTEXT",
    "FAILED_TRANSITION",
    "MAX_KEY_LENGTH",
    "NOT_TAKEN",
    "SETTLE_ERROR",
    "TRANSITION_SERVICES",
    "ChargeOutcome",
    "PaymentFailed",
    "_event",
    "_locked_order",
    "_record_answer",
    "_record_charge_attempt",
    "_record_refund_attempt",
    "bulk_transition_orders",
    "cancel_order",
    "charge_payment",
    "create_cart",
    "create_order_from_cart",
    "mark_delivered",
    "note_market_charging",
    "purge_abandoned_carts",
    "record_email_sent",
    "refund_order",
    "settle_payments",
    "ship_order",
]
