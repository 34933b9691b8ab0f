from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from apps.markets.models import MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders.models import Cart, CartItem, Order, OrderLine, OrderStatus, Payment, PaymentKind

PAID_OR_LATER = {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.REFUNDED}


class CartFactory(factory.django.DjangoModelFactory[Cart]):
    class Meta:
        model = Cart

    market = factory.SubFactory(MarketFactory, status=MarketStatus.ACTIVE)
    customer_name = factory.Sequence(lambda n: f"Customer {n:04d}")
    customer_email = factory.Sequence(lambda n: f"customer{n}@example.com")
    payment_token = "tok_visa"


class CartItemFactory(factory.django.DjangoModelFactory[CartItem]):
    class Meta:
        model = CartItem

    cart = factory.SubFactory(CartFactory)
    quantity = 1


class OrderFactory(factory.django.DjangoModelFactory[Order]):
    """Orders in any state, with the fields each state requires."""

    class Meta:
        model = Order
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"ORD-T{n:05d}")
    market = factory.SubFactory(MarketFactory, status=MarketStatus.ACTIVE)
    customer_name = factory.Sequence(lambda n: f"Customer {n:04d}")
    customer_email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    payment_token = "tok_visa"
    status = OrderStatus.PENDING
    currency = factory.LazyAttribute(lambda o: o.market.currency)
    total = Decimal("40.00")
    paid_at = factory.LazyAttribute(lambda o: timezone.now() if o.status in PAID_OR_LATER else None)
    tracking_number = factory.LazyAttribute(
        lambda o: "TRACK-1" if o.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) else ""
    )
    refund_reason = factory.LazyAttribute(
        lambda o: "Damaged" if o.status == OrderStatus.REFUNDED else ""
    )

    @factory.post_generation
    def lines(obj: Order, create: bool, extracted: int | None, **kwargs: object) -> None:
        """Two lines adding up to the total, unless ``lines=0``."""
        if not create or extracted == 0:
            return
        half = Decimal(obj.total) / 2
        OrderLine.objects.bulk_create(
            OrderLine(
                order=obj, product_name=f"Thing {n}", sku=f"SKU-{n}", unit_price=half, quantity=1
            )
            for n in (1, 2)
        )

    @factory.post_generation
    def charged(obj: Order, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """A paid order has the succeeded charge that paid it (refunds need its reference)."""
        if create and obj.status in PAID_OR_LATER:
            Payment.objects.create(
                order=obj,
                kind=PaymentKind.CHARGE,
                amount=obj.total,
                currency=obj.currency,
                gateway="sandbox",
                idempotency_key=f"seed-{obj.number}",
                status="succeeded",
                gateway_reference=f"ch_seed{obj.pk}",
                completed_at=obj.paid_at,
            )
