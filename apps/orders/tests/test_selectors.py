"""The orders context's reads: what the lists, the cart and order pages, the
dashboard and the palette show, without a request."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from apps.catalog.tests.factories import ProductFactory
from apps.core.tests.conventions import assert_selectors_take_one_positional_argument
from apps.markets.models import Currency, MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders import selectors, services
from apps.orders.models import Order, OrderStatus, Payment, PaymentStatus

from .factories import CartFactory, CartItemFactory, OrderFactory

pytestmark = pytest.mark.django_db


def _payment(order: Order, status: str, *, key: str, **fields: object) -> Payment:
    return Payment.objects.create(
        order=order, kind="charge", amount=order.total, currency=order.currency,
        gateway="sandbox", idempotency_key=key, status=status, **fields,
    )  # fmt: skip


def test_a_cart_line_total_is_price_times_quantity() -> None:
    line = selectors.CartLine("Mug", "MUG-1", Decimal("2.50"), True, 4, quantity=3)
    assert line.line_total == Decimal("7.50")


def test_carts_for_list_are_the_carts_with_items_with_count_and_total(
    django_assert_num_queries,
) -> None:
    cart = CartFactory()
    mug = ProductFactory(market=cart.market, price=Decimal("2.50"))
    plate = ProductFactory(market=cart.market, price=Decimal("10.00"))
    CartItemFactory(cart=cart, product=mug, quantity=3)
    CartItemFactory(cart=cart, product=plate, quantity=1)
    CartFactory()  # empty: nothing to place
    with django_assert_num_queries(1):
        carts = selectors.carts_for_list()
        rows = [(c.pk, c.market_info.name, c.item_count, c.total) for c in carts]
    assert rows == [(cart.pk, cart.market.name, 4, Decimal("17.50"))]


def test_a_cart_or_404() -> None:
    cart = CartFactory()
    assert selectors.cart_or_404(cart.pk) == cart
    with pytest.raises(Http404):
        selectors.cart_or_404(cart.pk + 1)


def test_cart_detail_shows_each_item_as_the_catalog_has_it_now_and_the_exact_total() -> None:
    cart = CartFactory()
    mug = ProductFactory(market=cart.market, name="Mug", sku="MUG-1", price=Decimal("2.50"))
    plate = ProductFactory(market=cart.market, name="Plate", sku="PL-1", price=Decimal("0.10"))
    CartItemFactory(cart=cart, product=plate, quantity=3)
    CartItemFactory(cart=cart, product=mug, quantity=2)
    plate.price, plate.active, plate.stock = Decimal("0.20"), False, 0
    plate.save()
    detail = selectors.cart_detail(cart.pk)
    assert detail.cart == cart
    assert detail.items == [
        selectors.CartLine("Plate", "PL-1", Decimal("0.20"), False, 0, 3),
        selectors.CartLine("Mug", "MUG-1", Decimal("2.50"), True, 10, 2),
    ]
    assert detail.total == Decimal("5.60")
    with pytest.raises(Http404):
        selectors.cart_detail(cart.pk + 1)


def test_an_empty_cart_totals_zero() -> None:
    detail = selectors.cart_detail(CartFactory().pk)
    assert (detail.items, detail.total) == ([], Decimal(0))


def test_orders_for_list_come_with_their_market(django_assert_num_queries) -> None:
    OrderFactory.create_batch(3)
    with django_assert_num_queries(1):
        assert len({o.market_info.name for o in selectors.orders_for_list()}) == 3


def test_an_order_or_404_by_its_number() -> None:
    order = OrderFactory(number="ORD-AAAAAA")
    assert selectors.order_or_404("ORD-AAAAAA") == order
    with pytest.raises(Http404):
        selectors.order_or_404("ORD-BBBBBB")
    with pytest.raises(Http404):
        selectors.order_for_page("ORD-BBBBBB")


def test_an_order_for_its_page_has_lines_and_payments_oldest_first(
    django_assert_num_queries,
) -> None:
    order = OrderFactory(number="ORD-AAAAAA")
    now = timezone.now()
    late = _payment(order, PaymentStatus.DECLINED, key="k-late")
    early = _payment(order, PaymentStatus.TIMED_OUT, key="k-early")
    Payment.objects.filter(pk=late.pk).update(created_at=now)
    Payment.objects.filter(pk=early.pk).update(created_at=now - timedelta(minutes=1))
    with django_assert_num_queries(3):
        page = selectors.order_for_page("ORD-AAAAAA")
        shown = (page.market_info.name, len(page.lines.all()), [p.pk for p in page.payments.all()])
    assert shown == (order.market.name, 2, [early.pk, late.pk])


def test_order_counts_name_every_status_zeros_included() -> None:
    OrderFactory.create_batch(2, status=OrderStatus.PAID)
    OrderFactory()
    assert selectors.order_counts_by_status() == {
        "pending": 1, "paid": 2, "shipped": 0, "delivered": 0, "cancelled": 0, "refunded": 0,
    }  # fmt: skip


def test_order_counts_follow_every_change_and_read_the_figures_not_the_orders(
    django_assert_num_queries,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    yesterday = timezone.now() - timedelta(days=1)
    first, second = OrderFactory(placed_at=yesterday), OrderFactory(currency="USD")
    OrderFactory(status=OrderStatus.SHIPPED)
    first.cancel()  # the model's own transition, saved as a service would
    first.save()
    second.delete()
    with CaptureQueriesContext(connection) as queries:
        counts = selectors.order_counts_by_status()
    assert counts == Order.objects.counts_by_status()
    assert counts["cancelled"] == 1 and counts["pending"] == 0 and counts["shipped"] == 1
    assert len(queries) == 1 and 'orders_order"' not in queries[0]["sql"]
    assert "orders_orderfigure" in queries[0]["sql"]


def test_search_orders_newest_first_up_to_the_limit() -> None:
    now = timezone.now()
    old = OrderFactory(customer_name="Ada Lovelace", placed_at=now - timedelta(days=2))
    new = OrderFactory(customer_name="Ada Byron", placed_at=now)
    OrderFactory(customer_name="Grace Hopper", placed_at=now)
    assert selectors.search_orders("ada", limit=5) == [new, old]
    assert selectors.search_orders("ada", limit=1) == [new]
    assert selectors.search_orders("nobody", limit=5) == []


def test_failed_payment_orders_on_a_day_and_their_count() -> None:
    today = timezone.localdate()
    declined, not_taken = OrderFactory(), OrderFactory()
    _payment(declined, PaymentStatus.DECLINED, key="k1")
    _payment(not_taken, PaymentStatus.VOID, key="k2")
    _payment(OrderFactory(), PaymentStatus.PENDING, key="k3")
    assert set(selectors.failed_payment_orders_on(today)) == {declined, not_taken}
    assert selectors.failed_payment_order_count(today) == 2
    assert selectors.failed_payment_order_count(today - timedelta(days=1)) == 0


def test_the_queues_are_named_by_their_list_filter_values() -> None:
    assert selectors.awaiting_payment_status() == "pending"
    assert selectors.to_ship_status() == "paid"


def test_revenue_counts_only_orders_paid_since_the_given_day() -> None:
    now = timezone.now()
    market = MarketFactory(status=MarketStatus.ACTIVE, currency=Currency.SEK)
    OrderFactory(status=OrderStatus.PAID, total=Decimal("10.10"), paid_at=now)
    OrderFactory(status=OrderStatus.SHIPPED, total=Decimal("0.20"), paid_at=now)
    OrderFactory(status=OrderStatus.PAID, total=Decimal("5.00"), market=market, paid_at=now)
    OrderFactory(status=OrderStatus.PAID, total=Decimal("99.00"), paid_at=now - timedelta(days=8))
    today = timezone.localdate(now)
    since = timezone.localdate(now - timedelta(days=7))
    assert selectors.revenue_per_day_since(first_day=since) == [
        (today, "EUR", Decimal("10.30")),
        (today, "SEK", Decimal("5.00")),
    ]
    tomorrow = today + timedelta(days=1)
    assert selectors.revenue_per_day_since(first_day=tomorrow) == []


def test_selectors_take_one_positional_argument_at_most() -> None:
    assert_selectors_take_one_positional_argument(selectors)


def test_a_cart_as_read_is_a_value_that_cannot_be_changed() -> None:
    cart = CartFactory()
    CartItemFactory(cart=cart, product=ProductFactory(market=cart.market), quantity=2)
    detail = selectors.cart_detail(cart.pk)
    with pytest.raises(FrozenInstanceError):
        detail.total = Decimal(0)
    with pytest.raises(FrozenInstanceError):
        detail.items[0].quantity = 5


def test_a_placed_cart_says_which_order_its_items_went_to(agent) -> None:
    cart = CartFactory(payment_token="tok_visa")
    CartItemFactory(cart=cart, product=ProductFactory(market=cart.market, stock=5), quantity=1)
    assert selectors.cart_detail(cart.pk).placed_as is None  # not placed yet
    order = services.create_order_from_cart(actor=agent, cart_id=cart.pk)
    detail = selectors.cart_detail(cart.pk)
    assert (detail.items, detail.placed_as) == ([], order.number)
    assert selectors.cart_detail(CartFactory().pk).placed_as is None  # empty, never placed


def test_work_queue_counts_name_every_status_and_count_zero_without_orders() -> None:
    assert selectors.work_queue_counts() == dict.fromkeys(OrderStatus.values, 0)
    OrderFactory(status=OrderStatus.PENDING)
    assert selectors.work_queue_counts() == {
        **dict.fromkeys(OrderStatus.values, 0),
        OrderStatus.PENDING: 1,
    }
