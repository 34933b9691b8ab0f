"""Use cases of the orders context: the only code that changes carts, orders and payments.

Placing an order and every transition run in one transaction that locks the
order, records the domain event and announces it on commit. Charging and
refunding call the gateway *between* two transactions: the Payment is
recorded first (so a retry or a concurrent click finds it and never charges
twice), the gateway is called with no lock held, and its answer is recorded
in a second transaction.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from apps.core.bulk import BulkOutcome
from apps.core.errors import DomainError, InvalidInput, NotPermitted, TransitionNotAllowed
from apps.core.events import DomainEvent, announce, announce_many
from apps.core.text import require_length
from apps.core.transitions import check_transition, perform_transition

from . import signals
from .models import (
    UNRESOLVED_STATUSES,
    Cart,
    CartItem,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
    new_order_number,
)
from .payments import GatewayResult, Outcome, get_gateway
from .signals import StockLine

CONTEXT = "orders"
logger = logging.getLogger(__name__)

FAILED_STATUS = {
    Outcome.DECLINED: PaymentStatus.DECLINED,
    Outcome.TIMED_OUT: PaymentStatus.TIMED_OUT,
    Outcome.ERROR: PaymentStatus.ERROR,
}


class PaymentFailed(DomainError):
    """The gateway declined, timed out or failed. The order is unchanged; the
    failed Payment is recorded with the gateway's message."""

    http_status = 402


def _event(order: Order, name: str, actor: Any, **details: Any) -> DomainEvent:
    return DomainEvent.of(order, context=CONTEXT, name=name, actor=actor, **details)


def _locked_order(order_id: int) -> Order:
    try:
        return Order.objects.select_for_update().select_related("market").get(pk=order_id)
    except Order.DoesNotExist:
        raise DomainError("That order does not exist (any more).") from None


# --- Carts and placing ----------------------------------------------------------


@transaction.atomic
def create_cart(
    *,
    market_id: int,
    customer_name: str,
    customer_email: str,
    payment_token: str,
    items: list[tuple[int, int]],
) -> Cart:
    """Record a customer's cart: ``items`` are (product id, quantity) pairs.

    Carts come from the storefront; this is its entry point (and the demo's).
    """
    customer_name, customer_email = customer_name.strip(), customer_email.strip()
    if not customer_name or not customer_email:
        raise InvalidInput("A cart needs the customer's name and email.")
    # PostgreSQL refuses what does not fit its column (a 500); say so first.
    for field, value in (
        ("customer_name", customer_name),
        ("customer_email", customer_email),
        ("payment_token", payment_token),
    ):
        limit = getattr(Cart._meta.get_field(field), "max_length")  # noqa: B009 - typed Any
        require_length(value, field=field, label=f"The {field.replace('_', ' ')}", max_length=limit)
    quantities: dict[int, int] = {}
    for product_id, quantity in items:
        if quantity <= 0:
            raise InvalidInput("Quantities must be at least 1.")
        quantities[product_id] = quantities.get(product_id, 0) + quantity
    cart = Cart.objects.create(
        market_id=market_id,
        customer_name=customer_name,
        customer_email=customer_email,
        payment_token=payment_token,
    )
    CartItem.objects.bulk_create(
        CartItem(cart=cart, product_id=product_id, quantity=quantity)
        for product_id, quantity in quantities.items()
    )
    return cart


# --- Placing ------------------------------------------------------------------


@transaction.atomic
def create_order_from_cart(*, actor: Any, cart_id: int) -> Order:
    """Turn a cart into a Pending order, atomically.

    The market must take orders and every product must be on sale in it;
    the catalog takes the stock (never below zero) inside this transaction
    or refuses, naming the product; the cart is emptied; the confirmation
    email goes out after commit.
    """
    if not actor.has_perm("orders.add_order"):
        raise NotPermitted("Your role does not allow placing orders.")
    try:
        cart = Cart.objects.select_for_update().select_related("market").get(pk=cart_id)
    except Cart.DoesNotExist:
        raise DomainError("That cart does not exist (any more).") from None
    items = list(CartItem.objects.filter(cart=cart).select_related("product"))
    if not items:
        raise InvalidInput("The cart is empty: there is nothing to order.")
    market = cart.market
    if not market.accepts_orders:
        raise TransitionNotAllowed(
            f"{market.name} is {market.get_status_display()}: it does not take orders."
        )
    for item in items:
        product = item.product
        if not product.active:
            raise InvalidInput(f"{product.name} is no longer on sale; remove it from the cart.")
        if product.market_id != market.pk:
            raise InvalidInput(f"{product.name} is not sold in {market.name}.")
    total = sum((item.product.price * item.quantity for item in items), Decimal("0.00"))
    if total <= 0:
        # A gateway cannot charge nothing; such an order could never be Paid.
        raise InvalidInput("The cart's total is 0.00: there is nothing to charge.")
    order = _insert_order(cart=cart, total=total)
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=item.product,
            product_name=item.product.name,
            sku=item.product.sku,
            unit_price=item.product.price,
            quantity=item.quantity,
        )
        for item in items
    )
    # In the transaction: the catalog takes the stock or vetoes the order.
    signals.order_placing.send(
        sender=Order,
        order_number=order.number,
        lines=[StockLine(item.product_id, item.quantity) for item in items],
    )
    CartItem.objects.filter(cart=cart).delete()
    announce(
        signals.order_placed,
        sender=Order,
        event=_event(
            order,
            "order_placed",
            actor,
            to_state=order.status,
            payload={"cart": cart.pk, "total": str(total), "currency": order.currency},
        ),
        order=order,
    )
    return order


def _insert_order(*, cart: Cart, total: Decimal) -> Order:
    # Numbers are random; on the rare collision draw another.
    for _ in range(5):
        order = Order(
            number=new_order_number(),
            market=cart.market,
            customer_name=cart.customer_name,
            customer_email=cart.customer_email,
            payment_token=cart.payment_token,
            currency=cart.market.currency,
            total=total,
        )
        try:
            with transaction.atomic():
                order.save()
        except IntegrityError:
            if Order.objects.by_number(order.number).exists():
                continue
            raise
        return order
    raise DomainError("Could not allocate an order number; try again.")


# --- Charging and refunding ---------------------------------------------------
#
# Every gateway call is a Payment recorded first (Pending, with a fresh
# idempotency key sent to the gateway and the page's request key that dedups
# clicks), made with no lock held, and answered in a second transaction.
# An answer is a fact: a success is recorded even if the order moved on
# meanwhile (flagged for reconciliation, never a 500), and never downgraded.
#
# An attempt whose outcome is unknown (timed out, errored, or Pending for
# longer than a call can take) is settled before anything else is done with
# the order: the gateway is asked what became of it (``lookup``) and the
# answer recorded; "never arrived" is Not taken. So an order is never
# cancelled, shipped, charged or refunded again while money may have moved.

MAX_KEY_LENGTH = 80
SETTLE_ERROR = (
    "The payment gateway cannot say yet whether the last {kind} went through; "
    "nothing was changed. Try again in a moment."
)


@dataclass(frozen=True)
class ChargeOutcome:
    order: Order
    payment: Payment
    charged_now: bool  # False when the key had been seen: the first answer is returned


def _check_key(key: str, action: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"The {action} request has no valid idempotency key; reload the page.")


def _call_gateway(operation: Callable[..., GatewayResult], **arguments: Any) -> GatewayResult:
    """Never let an adapter's exception leave a payment Pending for good."""
    try:
        return operation(**arguments)
    except Exception as error:
        logger.exception("payment gateway raised")
        return GatewayResult(
            Outcome.ERROR,
            message=f"Gateway error ({error.__class__.__name__}); whether money moved is "
            "checked with the gateway before anything else is done with this order.",
        )


def settle_payments(*, actor: Any, order_id: int, kind: str) -> None:
    """Ask the gateway about every attempt of ``kind`` whose outcome is unknown.

    Called before an action that must not run while money may have moved.
    Attempts still in flight are left alone (the action's condition waits
    for them). Raises ``DomainError`` when the gateway cannot tell now.
    """
    gateway = get_gateway()
    for payment in Payment.objects.unresolved().filter(order_id=order_id, kind=kind):
        if payment.in_flight:
            continue
        try:
            answer = gateway.lookup(idempotency_key=payment.idempotency_key)
        except Exception as error:
            logger.exception("payment gateway lookup raised")
            raise DomainError(SETTLE_ERROR.format(kind=kind)) from error
        _record_answer(actor=actor, payment_id=payment.pk, answer=answer, settled=True)


def _new_payment(*, order: Order, kind: str, request_key: str, reason: str = "") -> Payment:
    try:
        with transaction.atomic():
            return Payment.objects.create(
                order=order,
                kind=kind,
                amount=order.total,
                currency=order.currency,
                gateway=get_gateway().name,
                idempotency_key=f"{kind}-{order.number}-{uuid.uuid4().hex[:16]}",
                request_key=request_key,
                payment_token=order.payment_token if kind == PaymentKind.CHARGE else "",
                reason=reason,
            )
    except IntegrityError:
        if Payment.objects.filter(request_key=request_key).exists():
            raise InvalidInput("That idempotency key belongs to another payment.") from None
        # The partial unique index: another click is making this payment now.
        raise TransitionNotAllowed(
            f"A {kind} is in progress for {order.number}; wait for its outcome."
        ) from None


def _seen(key: str, *, order: Order, kind: str) -> Payment | None:
    seen = Payment.objects.filter(request_key=key).first()
    if seen is not None and (seen.order_id != order.pk or seen.kind != kind):
        raise InvalidInput("That idempotency key belongs to another payment.")
    return seen


def charge_payment(*, actor: Any, order_id: int, idempotency_key: str) -> ChargeOutcome:
    """Charge a Pending order's total through the gateway; Paid on success.

    ``idempotency_key`` comes from the page the user pressed the button on: a
    double click, a retry or a replayed request with the same key never
    charges again; it gets the first outcome back. A decline, timeout or
    gateway error leaves the order Pending and raises ``PaymentFailed`` with
    the gateway's message; the failed Payment stays on record.
    """
    if not actor.has_perm("orders.charge_order"):
        raise NotPermitted("Your role does not allow Charge payment.")
    _check_key(idempotency_key, "charge")
    settle_payments(actor=actor, order_id=order_id, kind=PaymentKind.CHARGE)
    payment, seen = _record_charge_attempt(actor=actor, order_id=order_id, key=idempotency_key)
    if seen:
        return _answer_seen_charge(payment)
    result = _call_gateway(
        get_gateway().charge,
        amount=payment.amount,
        currency=payment.currency,
        token=payment.payment_token,
        idempotency_key=payment.idempotency_key,
    )
    payment = _record_answer(actor=actor, payment_id=payment.pk, answer=result)
    if payment.failed:
        raise PaymentFailed(payment.failure_message)
    return ChargeOutcome(order=payment.order, payment=payment, charged_now=True)


@transaction.atomic
def _record_charge_attempt(*, actor: Any, order_id: int, key: str) -> tuple[Payment, bool]:
    order = _locked_order(order_id)
    seen = _seen(key, order=order, kind=PaymentKind.CHARGE)
    if seen is not None:
        return seen, True
    check_transition(order, "charge", actor=actor)
    return _new_payment(order=order, kind=PaymentKind.CHARGE, request_key=key), False


def _answer_seen_charge(payment: Payment) -> ChargeOutcome:
    if payment.unresolved:
        raise TransitionNotAllowed(
            "Charge payment is not possible: a charge is in progress; wait for its outcome."
        )
    if payment.failed:
        raise PaymentFailed(payment.failure_message)
    payment.order.refresh_from_db()
    return ChargeOutcome(order=payment.order, payment=payment, charged_now=False)


NOT_TAKEN = "Not taken: the request never reached the payment gateway."


@transaction.atomic
def _record_answer(
    *, actor: Any, payment_id: int, answer: GatewayResult | None, settled: bool = False
) -> Payment:
    """Record what the gateway said about a payment, whatever happened meanwhile.

    ``answer`` None (from ``lookup``) means the request never arrived. A
    success already recorded is never overwritten. On success the order
    takes the transition when its state still allows it; otherwise the
    money moved for an order that has moved on, which is recorded as an
    event that asks staff to reconcile, not raised as an error.
    """
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    order = _locked_order(payment.order_id)
    payment.order = order
    if payment.status == PaymentStatus.SUCCEEDED or (
        settled and payment.status not in UNRESOLVED_STATUSES
    ):
        return payment
    payment.completed_at = timezone.now()
    if answer is None:
        payment.status, payment.failure_message = PaymentStatus.VOID, NOT_TAKEN
    elif answer.succeeded:
        payment.status, payment.gateway_reference = PaymentStatus.SUCCEEDED, answer.reference
        payment.failure_message = ""
    else:
        payment.status, payment.failure_message = FAILED_STATUS[answer.outcome], answer.message
    payment.save(update_fields=["status", "gateway_reference", "failure_message", "completed_at"])
    if payment.status == PaymentStatus.SUCCEEDED:
        _apply_success(actor=actor, order=order, payment=payment)
    else:
        name = "payment_failed" if payment.kind == PaymentKind.CHARGE else "refund_failed"
        if payment.status == PaymentStatus.VOID:
            name = f"{payment.kind}_not_taken"
        announce(
            signals.payment_failed,
            sender=Order,
            event=_event(
                order,
                name,
                actor,
                from_state=order.status,
                to_state=order.status,
                reason=payment.failure_message,
                payload={"outcome": payment.status, "amount": str(payment.amount)},
            ),
            order=order,
        )
    return payment


def _apply_success(*, actor: Any, order: Order, payment: Payment) -> None:
    # The preconditions (role, market, nothing in flight) held when the
    # gateway was called; they are not asked again: the money has moved.
    from_state = order.status
    if payment.kind == PaymentKind.CHARGE and order.status == OrderStatus.PENDING:
        order.charge()
        order.save(update_fields=["status", "paid_at", "updated_at"])
        name, signal, details = "order_paid", signals.order_paid, {}
    elif payment.kind == PaymentKind.REFUND and order.status in REFUNDABLE:
        order.refund(reason=payment.reason)
        order.save(update_fields=["status", "refund_reason", "refunded_at", "updated_at"])
        name, signal, details = (
            "order_refunded",
            signals.order_refunded,
            {"reason": order.refund_reason},
        )
    else:
        name, signal = "payment_needs_reconciliation", signals.payment_failed
        details = {
            "reason": f"The gateway completed a {payment.kind} of {payment.amount} "
            f"{payment.currency} after the order became {order.get_status_display()}: "
            "reconcile it by hand."
        }
    announce(
        signal,
        sender=Order,
        event=_event(
            order,
            name,
            actor,
            from_state=from_state,
            to_state=order.status,
            payload={"amount": str(payment.amount), "reference": payment.gateway_reference},
            **details,
        ),
        order=order,
    )


REFUNDABLE = (OrderStatus.PAID, OrderStatus.DELIVERED)


def refund_order(*, actor: Any, order_id: int, reason: str, idempotency_key: str) -> Order:
    """Refund a Paid or Delivered order's charge through the gateway; Refunded on success.

    Like charging: the refund is recorded first, the gateway is called with
    no lock held, the answer recorded after. A refusal leaves the order as it
    was and raises ``PaymentFailed``.
    """
    if not actor.has_perm("orders.refund_order"):
        raise NotPermitted("Your role does not allow Refund.")
    _check_key(idempotency_key, "refund")
    settle_payments(actor=actor, order_id=order_id, kind=PaymentKind.REFUND)
    refund, seen = _record_refund_attempt(
        actor=actor, order_id=order_id, reason=reason, key=idempotency_key
    )
    if seen:
        if refund.unresolved:
            raise TransitionNotAllowed("Refund is not possible: a refund is in progress.")
        if refund.failed:
            raise PaymentFailed(f"Refund failed: {refund.failure_message}")
        refund.order.refresh_from_db()
        return refund.order
    charge = (
        Payment.objects.charges().filter(order_id=order_id, status=PaymentStatus.SUCCEEDED).first()
    )
    result = _call_gateway(
        get_gateway().refund,
        reference=charge.gateway_reference if charge else "",
        amount=refund.amount,
        currency=refund.currency,
        idempotency_key=refund.idempotency_key,
    )
    refund = _record_answer(actor=actor, payment_id=refund.pk, answer=result)
    if refund.failed:
        raise PaymentFailed(f"Refund failed: {refund.failure_message}")
    return refund.order


@transaction.atomic
def _record_refund_attempt(
    *, actor: Any, order_id: int, reason: str, key: str
) -> tuple[Payment, bool]:
    order = _locked_order(order_id)
    seen = _seen(key, order=order, kind=PaymentKind.REFUND)
    if seen is not None:
        return seen, True
    transition = check_transition(order, "refund", actor=actor)
    if not reason.strip():
        raise InvalidInput(
            "A reason is required to refund an order.", field=transition.custom["input"]
        )
    refund = _new_payment(
        order=order, kind=PaymentKind.REFUND, request_key=key, reason=reason.strip()
    )
    return refund, False


# --- Fulfilment and cancelling --------------------------------------------------


def _transition(
    *,
    actor: Any,
    order_id: int,
    name: str,
    event_name: str,
    signal: Signal,
    update_fields: list[str],
    arguments: dict[str, Any] | None = None,
    payload: Callable[[Order], dict[str, Any]] | None = None,
    in_transaction: Callable[[Order], None] | None = None,
) -> Order:
    order = _locked_order(order_id)
    if in_transaction is not None:
        # Only once the transition is allowed; undone with it if saving fails.
        check_transition(order, name, actor=actor)
        in_transaction(order)
    from_state, to_state = perform_transition(
        order,
        name,
        actor=actor,
        update_fields=[*update_fields, "updated_at"],
        **(arguments or {}),
    )
    announce(
        signal,
        sender=Order,
        event=_event(
            order,
            event_name,
            actor,
            from_state=from_state,
            to_state=to_state,
            payload=payload(order) if payload else {},
        ),
        order=order,
    )
    return order


def ship_order(*, actor: Any, order_id: int, tracking_number: str) -> Order:
    """Paid → Shipped, with the carrier's tracking number; the customer is emailed.

    Not while a refund's outcome is unknown: the gateway is asked first.
    """
    settle_payments(actor=actor, order_id=order_id, kind=PaymentKind.REFUND)
    return _ship(actor=actor, order_id=order_id, tracking_number=tracking_number)


@transaction.atomic
def _ship(*, actor: Any, order_id: int, tracking_number: str) -> Order:
    return _transition(
        actor=actor,
        order_id=order_id,
        name="ship",
        event_name="order_shipped",
        signal=signals.order_shipped,
        update_fields=["tracking_number", "shipped_at"],
        arguments={"tracking_number": tracking_number},
        payload=lambda order: {"tracking_number": order.tracking_number},
    )


@transaction.atomic
def mark_delivered(*, actor: Any, order_id: int) -> Order:
    """Shipped → Delivered."""
    return _transition(
        actor=actor,
        order_id=order_id,
        name="mark_delivered",
        event_name="order_delivered",
        signal=signals.order_delivered,
        update_fields=["delivered_at"],
    )


def _give_stock_back(order: Order) -> None:
    signals.order_cancelling.send(
        sender=Order,
        order_number=order.number,
        lines=[
            StockLine(line.product_id, line.quantity)
            for line in order.lines.all()
            if line.product_id is not None
        ],
    )


def cancel_order(*, actor: Any, order_id: int) -> Order:
    """Pending → Cancelled; the stock goes back to the catalog in the same transaction.

    Not while a charge's outcome is unknown: the gateway is asked first, and
    if the money was taken the order is Paid (and cannot be cancelled).
    """
    settle_payments(actor=actor, order_id=order_id, kind=PaymentKind.CHARGE)
    return _cancel(actor=actor, order_id=order_id)


@transaction.atomic
def _cancel(*, actor: Any, order_id: int) -> Order:
    return _transition(
        actor=actor,
        order_id=order_id,
        name="cancel",
        event_name="order_cancelled",
        signal=signals.order_cancelled,
        update_fields=["cancelled_at"],
        in_transaction=_give_stock_back,
    )


# --- Reactions to the markets context ------------------------------------------


@transaction.atomic
def note_market_charging(*, market_id: int, paused: bool, reason: str, actor_id: int | None) -> int:
    """Put "charging paused/resumed" on the timeline of the market's pending orders.

    The rule itself needs no copy of the market's state: Charge payment
    reads the market's status when it is pressed. This tells the staff who
    look at an order why it cannot be charged, and since when. One INSERT for
    all of them. Returns how many orders were noted.
    """
    orders = list(Order.objects.pending().filter(market_id=market_id))
    name = "charging_paused" if paused else "charging_resumed"
    events = [
        DomainEvent.of(
            order, context=CONTEXT, name=name, actor=None, actor_id=actor_id, reason=reason
        )
        for order in orders
    ]
    signal = signals.charging_paused if paused else signals.charging_resumed
    announce_many(signal, sender=Order, events=events)
    return len(orders)


TRANSITION_SERVICES: dict[str, Callable[..., Any]] = {
    "charge": charge_payment,
    "cancel": cancel_order,
    "ship": ship_order,
    "mark_delivered": mark_delivered,
    "refund": refund_order,
}


BULK_ACTIONS = {"mark_delivered": "Mark delivered", "cancel": "Cancel order"}


def bulk_transition_orders(*, actor: Any, order_ids: list[int], action: str) -> BulkOutcome[Order]:
    """Run ``action`` on each order in its own transaction; report done and skipped rows."""
    if action not in BULK_ACTIONS:
        raise InvalidInput(f"Unknown bulk action {action!r}.")
    service = TRANSITION_SERVICES[action]
    outcome: BulkOutcome[Order] = BulkOutcome()
    for order in Order.objects.filter(pk__in=order_ids).order_by("placed_at", "pk"):
        try:
            outcome.done.append(service(actor=actor, order_id=order.pk))
        except DomainError as error:
            outcome.skipped.append((order, error.message))
    return outcome
