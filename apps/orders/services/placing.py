"""Carts and placing: a cart becomes a Pending order, its stock taken in the same transaction."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts.api import User
from apps.catalog import api as catalog_api
from apps.catalog.api import StockLine
from apps.core.errors import (
    DomainError,
    InvalidInput,
    NotPermitted,
    TransitionNotAllowed,
    require_permission,
)
from apps.core.events import DomainEvent, announce
from apps.core.text import require_length
from apps.markets import api as markets_api

from .. import signals
from ..models import (
    Cart,
    CartItem,
    Order,
    OrderLine,
    new_order_number,
)
from ._common import CONTEXT, _event

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
def create_order_from_cart(*, actor: User, cart_id: int) -> Order:
    """Turn a cart into a Pending order, atomically.

    The market must take orders and every product must be on sale in it;
    the catalog takes the stock (never below zero) inside this transaction
    or refuses, naming the product; the cart is emptied; the confirmation
    email goes out after commit.
    """
    if not actor.has_perm("orders.add_order"):
        raise NotPermitted("Your role does not allow placing orders.")
    try:
        cart = Cart.objects.select_for_update().get(pk=cart_id)
    except Cart.DoesNotExist:
        raise DomainError("That cart does not exist (any more).") from None
    items = list(CartItem.objects.filter(cart=cart))
    if not items:
        raise InvalidInput("The cart is empty: there is nothing to order.")
    market = markets_api.market_summary(cart.market_id)
    if market is None or not market.is_open:
        name, state = (market.name, market.status_display) if market else ("The market", "gone")
        raise TransitionNotAllowed(f"{name} is {state}: it does not take orders.")
    products = catalog_api.priced_lines(item.product_id for item in items)
    for item in items:
        product = products.get(item.product_id)
        if product is None:
            raise InvalidInput("A product of this cart is no longer in the catalog.")
        if not product.active:
            raise InvalidInput(f"{product.name} is no longer on sale; remove it from the cart.")
        if product.market_id != market.market_id:
            raise InvalidInput(f"{product.name} is not sold in {market.name}.")
    total = sum(
        (products[item.product_id].price * item.quantity for item in items), Decimal("0.00")
    )
    if total <= 0:
        # A gateway cannot charge nothing; such an order could never be Paid.
        raise InvalidInput("The cart's total is 0.00: there is nothing to charge.")
    order = _insert_order(cart=cart, currency=market.currency, total=total)
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product_id=item.product_id,
            product_name=products[item.product_id].name,
            sku=products[item.product_id].sku,
            unit_price=products[item.product_id].price,
            quantity=item.quantity,
        )
        for item in items
    )
    # A required step, in this transaction: the catalog takes the stock or refuses.
    catalog_api.reserve_stock(StockLine(item.product_id, item.quantity) for item in items)
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


def _insert_order(*, cart: Cart, currency: str, total: Decimal) -> Order:
    # Numbers are random; on the rare collision draw another.
    for _ in range(5):
        order = Order(
            number=new_order_number(),
            market_id=cart.market_id,
            customer_name=cart.customer_name,
            customer_email=cart.customer_email,
            payment_token=cart.payment_token,
            currency=currency,
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


ABANDONED_AFTER_DAYS = 30
MAX_ABANDONED_DAYS = 36_500


@transaction.atomic
def purge_abandoned_carts(
    *, actor: User | None, older_than_days: int = ABANDONED_AFTER_DAYS
) -> int:
    """Delete every cart with no items or untouched for ``older_than_days`` days, in bulk.

    One DELETE statement whatever the number of carts: their items go by the
    database's own cascade (``CartItem.cart`` is ``DB_CASCADE``), so Django
    needs neither to collect ids nor to delete in batches. Nothing listens to a
    cart's deletion (no delete signals), which is what lets Django take that
    fast path. Recorded as one ``carts_purged`` event with how many went.
    Returns that number. Staff need ``orders.delete_cart``; the management
    command acts as the system (``actor=None``).
    """
    if actor is not None:
        require_permission(actor, "orders.delete_cart", "purging carts")
    if older_than_days < 1:
        raise InvalidInput("Carts must be untouched for at least one day to be purged.")
    if older_than_days > MAX_ABANDONED_DAYS:
        # Further back than any cart (and than a date can go: a 500 before).
        raise InvalidInput(f"Days is at most {MAX_ABANDONED_DAYS}.", field="days")
    cutoff = timezone.now() - timedelta(days=older_than_days)
    abandoned = Cart.objects.abandoned(untouched_since=cutoff)
    count = abandoned.delete()[1].get(Cart._meta.label, 0)
    if count:
        event = DomainEvent(
            context=CONTEXT,
            name="carts_purged",
            aggregate_type="cart",
            aggregate_id="abandoned",
            aggregate_label=f"{count} abandoned cart{'s' if count != 1 else ''}",
            aggregate_url=reverse("orders:carts"),
            actor_id=actor.pk if actor is not None else None,
            actor_name=actor.display_name if actor is not None else "",
            payload={"count": count, "older_than_days": older_than_days},
        )
        announce(signals.carts_purged, sender=Cart, event=event, count=count)
    return count
