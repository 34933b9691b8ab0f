"""Input limits of carts and orders, at their boundaries, on every database.

SQLite ignores column lengths; PostgreSQL refuses a value that does not fit
(a DataError, a 500). So each limit is checked by the service with a clear
message, and these tests run on both (CI runs the suite on PostgreSQL).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from apps.catalog.tests.factories import ProductFactory
from apps.core.errors import InvalidInput
from apps.markets.models import MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders import services
from apps.orders.models import Cart, CartItem, Order, OrderStatus

from .factories import CartFactory, CartItemFactory, OrderFactory

pytestmark = pytest.mark.django_db


def _create_cart(**overrides: Any) -> Cart:
    market: Any = overrides.pop("market", None) or MarketFactory(status=MarketStatus.ACTIVE)
    product = ProductFactory(market=market, price=Decimal("3.00"))
    arguments: dict[str, Any] = {
        "market_id": market.pk,
        "customer_name": "Ann Lee",
        "customer_email": "ann@example.com",
        "payment_token": "tok_visa",
        "items": [(product.pk, 1)],
    }
    return services.create_cart(**{**arguments, **overrides})


# --- Tracking numbers ---------------------------------------------------------------


def test_a_tracking_number_of_sixty_four_characters_is_saved(agent) -> None:
    order = OrderFactory(status=OrderStatus.PAID)
    services.ship_order(actor=agent, order_id=order.pk, tracking_number="T" * 64)
    order.refresh_from_db()
    assert (order.status, order.tracking_number) == (OrderStatus.SHIPPED, "T" * 64)
    assert order.shipped_at is not None


def test_a_longer_tracking_number_is_refused_with_a_message(agent) -> None:
    order = OrderFactory(status=OrderStatus.PAID)
    with pytest.raises(InvalidInput, match="at most 64 characters") as refused:
        services.ship_order(actor=agent, order_id=order.pk, tracking_number="T" * 65)
    assert refused.value.field == "tracking_number"
    order.refresh_from_db()
    assert (order.status, order.tracking_number, order.shipped_at) == (OrderStatus.PAID, "", None)


# --- Carts --------------------------------------------------------------------------


def test_create_cart_records_the_customer_and_merges_repeated_products() -> None:
    market = MarketFactory(status=MarketStatus.ACTIVE)
    teapot, cup = ProductFactory(market=market), ProductFactory(market=market)
    cart = _create_cart(
        market=market,
        customer_name="  Ann Lee ",
        customer_email=" ann@example.com ",
        items=[(teapot.pk, 2), (cup.pk, 1), (teapot.pk, 3)],
    )
    assert (cart.customer_name, cart.customer_email, cart.payment_token) == (
        "Ann Lee",
        "ann@example.com",
        "tok_visa",
    )
    quantities = dict(CartItem.objects.filter(cart=cart).values_list("product_id", "quantity"))
    assert quantities == {teapot.pk: 5, cup.pk: 1}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"customer_name": "  "}, "needs the customer's name and email"),
        ({"customer_email": ""}, "needs the customer's name and email"),
        ({"items": [(0, 0)]}, "Quantities must be at least 1"),
        ({"items": [(0, -2)]}, "Quantities must be at least 1"),
    ],
)
def test_create_cart_refuses_bad_input_and_writes_nothing(overrides: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        _create_cart(**overrides)
    assert not Cart.objects.exists()


@pytest.mark.parametrize(
    ("field", "limit"), [("customer_name", 120), ("customer_email", 254), ("payment_token", 64)]
)
def test_create_cart_limits_at_their_boundary(field: str, limit: int) -> None:
    def value(length: int) -> str:
        if field == "customer_email":
            return "a" * (length - len("@example.com")) + "@example.com"
        return "n" * length

    cart = _create_cart(**{field: value(limit)})
    assert getattr(Cart.objects.get(pk=cart.pk), field) == value(limit)
    with pytest.raises(InvalidInput, match=f"at most {limit} characters") as refused:
        _create_cart(**{field: value(limit + 1)})
    assert refused.value.field == field
    assert Cart.objects.count() == 1


# --- Placing ------------------------------------------------------------------------


def test_a_product_of_another_market_cannot_be_ordered(agent) -> None:
    cart = CartFactory()
    elsewhere = ProductFactory(name="Foreign teapot", price=Decimal("1.00"))
    CartItemFactory(cart=cart, product=elsewhere, quantity=1)
    with pytest.raises(InvalidInput, match=f"Foreign teapot is not sold in {cart.market.name}"):
        services.create_order_from_cart(actor=agent, cart_id=cart.pk)
    assert not Order.objects.exists()
    assert CartItem.objects.filter(cart=cart).exists()


def test_a_product_taken_off_sale_cannot_be_ordered(agent) -> None:
    cart = CartFactory()
    product = ProductFactory(market=cart.market, name="Old teapot", active=False)
    CartItemFactory(cart=cart, product=product)
    with pytest.raises(InvalidInput, match="Old teapot is no longer on sale"):
        services.create_order_from_cart(actor=agent, cart_id=cart.pk)
    assert not Order.objects.exists()


def test_an_order_copies_the_cart_and_its_prices(agent) -> None:
    cart = CartFactory(customer_name="Bo Park", payment_token="tok_special")
    mug = ProductFactory(market=cart.market, name="Mug", sku="MUG-1", price=Decimal("4.25"))
    CartItemFactory(cart=cart, product=mug, quantity=3)
    order = services.create_order_from_cart(actor=agent, cart_id=cart.pk)
    order.refresh_from_db()
    assert (order.customer_name, order.customer_email, order.payment_token) == (
        "Bo Park",
        cart.customer_email,
        "tok_special",
    )
    assert (order.total, order.currency, order.market_id) == (
        Decimal("12.75"),
        cart.market.currency,
        cart.market_id,
    )
    line = order.lines.get()
    assert (line.product_id, line.product_name, line.sku, line.unit_price, line.quantity) == (
        mug.pk,
        "Mug",
        "MUG-1",
        Decimal("4.25"),
        3,
    )
    assert line.line_total == Decimal("12.75")
