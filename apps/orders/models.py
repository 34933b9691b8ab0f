"""The orders context's aggregates: Cart (what a customer is about to buy),
Order (what they bought, and what staff do with it) and Payment (every call
to the gateway, recorded before it is made)."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connections, models, router, transaction
from django.db.models import Count, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from apps.catalog import api as catalog_api
from apps.core.errors import RuleViolation
from apps.core.links import page_url
from apps.core.text import INDEXED_SEARCH_LENGTH, fts5_phrase, search_text
from apps.core.transitions import condition
from apps.markets import api as markets_api

from . import figures

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    """Round a money aggregate to cents. SQLite sums decimals as floats
    (``170.550000000000``); only plain columns are quantized by Django."""
    return Decimal(value).quantize(CENT)


def money_field(**options: Any) -> models.DecimalField:
    """Money: a Decimal with cents; the currency lives beside it."""
    return models.DecimalField(max_digits=12, decimal_places=2, **options)


# --- Carts --------------------------------------------------------------------


class CartQuerySet(models.QuerySet["Cart"]):
    def open(self) -> CartQuerySet:
        """Carts with something in them: an order can be placed from these."""
        return self.filter(items__isnull=False).distinct()

    def abandoned(self, *, untouched_since: Any) -> CartQuerySet:
        """Carts with no items, or not changed since ``untouched_since``."""
        has_items = Exists(CartItem.objects.filter(cart=OuterRef("pk")))
        return self.filter(~has_items | Q(updated_at__lt=untouched_since))

    def with_totals(self) -> CartQuerySet:
        line_total = ExpressionWrapper(
            F("items__quantity") * catalog_api.price_through("items__product"),
            output_field=money_field(),
        )
        return self.annotate(
            item_count=Coalesce(Sum("items__quantity"), 0),
            total=Coalesce(Sum(line_total), ZERO, output_field=money_field()),
        )


class Cart(markets_api.InAMarket, models.Model):
    """A customer's basket in one market, kept until staff place it as an order."""

    # DO_NOTHING in Django, but the database's foreign key still refuses to
    # delete a market that has carts (markets are archived, never deleted: no
    # screen and no admin deletes one). It is not PROTECT because Django does not
    # let a chain of references mix Python and database on_delete rules, and
    # CartItem.cart below must be a database cascade.
    market = models.ForeignKey("markets.Market", on_delete=models.DO_NOTHING, related_name="+")
    customer_name = models.CharField(max_length=120)
    customer_email = models.EmailField()
    # The customer's saved payment method at checkout, as the gateway knows it.
    payment_token = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CartQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["-updated_at"], name="cart_updated")]

    def __str__(self) -> str:
        return f"Cart {self.pk} of {self.customer_name}"

    def get_absolute_url(self) -> str:
        return page_url("orders:cart", self.pk)


class CartItem(models.Model):
    """One product in a cart, with how many."""

    # The database deletes a cart's items with it, so purging abandoned carts
    # is one DELETE statement whatever their number (Django's own cascade
    # collects the ids and deletes in batches of 100).
    cart = models.ForeignKey(Cart, on_delete=models.DB_CASCADE, related_name="items")
    # DO_NOTHING for the same reason as Cart.market: a model may not mix the two
    # kinds of rule, and the database's foreign key still refuses to delete a
    # product in a cart (products are deactivated, never deleted).
    product = models.ForeignKey("catalog.Product", on_delete=models.DO_NOTHING, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="cart_item_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_item_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x product {self.product_id}"


# --- Orders -------------------------------------------------------------------


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


# The business terms of the work queues, defined once: the dashboard counts
# these statuses and links to the list filtered by them.
AWAITING_PAYMENT = OrderStatus.PENDING
TO_SHIP = OrderStatus.PAID

NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: read aloud safely


def new_order_number() -> str:
    """A short number staff can read out on the phone, e.g. ``ORD-7K3M9Q``."""
    return "ORD-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(6))


# The FTS5 table of migration 0007 (SQLite): number, email and name of every order.
ORDER_SEARCH_SQLITE = "SELECT rowid FROM orders_order_search WHERE orders_order_search MATCH %s"


class OrderQuerySet(models.QuerySet["Order"]):
    def pending(self) -> OrderQuerySet:
        return self.filter(status=OrderStatus.PENDING)

    def awaiting_payment(self) -> OrderQuerySet:
        """Placed and not yet charged: the agents' first queue (``?status=pending``)."""
        return self.filter(status=AWAITING_PAYMENT)

    def to_ship(self) -> OrderQuerySet:
        """Paid, not shipped yet (``?status=paid``)."""
        return self.filter(status=TO_SHIP)

    def by_number(self, number: str) -> OrderQuerySet:
        return self.filter(number=number)

    def search(self, query: str) -> OrderQuerySet:
        """Orders whose number, customer email or customer name contains ``query``
        (one phrase, any case): ``ord-7k3``, ``@example.com``, ``smith``.

        From ``INDEXED_SEARCH_LENGTH`` characters an index finds the rows, on
        both databases (migration 0007): PostgreSQL's trigram GIN indexes serve
        the ``icontains`` lookups; on SQLite an FTS5 table with the trigram
        tokenizer, kept in sync by triggers, answers the same question. A
        shorter search has no trigram to look up: it reads the orders newest
        first until a page is full (the list counts nothing).
        """
        query = search_text(query)
        if not query:
            return self
        if len(query) >= INDEXED_SEARCH_LENGTH and connections[self.db].vendor == "sqlite":
            # A constant statement; what was typed is its parameter.
            matches = RawSQL(ORDER_SEARCH_SQLITE, [fts5_phrase(query)])  # noqa: S611
            return self.filter(pk__in=matches)
        return self.filter(
            Q(number__icontains=query)
            | Q(customer_email__icontains=query)
            | Q(customer_name__icontains=query)
        )

    def placed_between(self, start: Any, end: Any) -> OrderQuerySet:
        return self.filter(placed_at__gte=start, placed_at__lt=end)

    def for_list(self) -> OrderQuerySet:
        return markets_api.with_market_details(self)

    def counts_by_status(self) -> dict[str, int]:
        counts = dict.fromkeys(OrderStatus.values, 0)
        # COUNT(*), not COUNT(id): PostgreSQL then reads an index holding status
        # alone (index-only), half the time of reading the rows at 100,000 orders.
        for row in self.order_by().values("status").annotate(count=Count("*")):
            counts[row["status"]] = row["count"]
        return counts

    def with_failed_payment_on(self, day: Any) -> OrderQuerySet:
        """Orders with a failed payment on ``day``: see ``PaymentQuerySet.failed_charges_on``.

        The dashboard counts these and its link lists these: one definition.
        """
        return self.filter(pk__in=Payment.objects.failed_charges_on(day).values("order"))

    def revenue_by_currency(self) -> dict[str, Decimal]:
        """Money taken and kept (paid, shipped, delivered), per currency."""
        taken = self.filter(
            status__in=[OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED]
        )
        rows = taken.order_by().values("currency").annotate(amount=Sum("total"))
        return {row["currency"]: cents(row["amount"]) for row in rows.order_by("currency")}


@condition(lambda order: f"Market is {order.market_info.status_display.lower()}.")
def market_takes_charges(order: Order) -> bool:
    return order.market_info.is_open


@condition("A charge is in progress; wait for its outcome.")
def no_charge_in_progress(order: Order) -> bool:
    return not order.has_payment_in_flight(PaymentKind.CHARGE)


@condition("A refund is in progress; wait for its outcome.")
def no_refund_in_progress(order: Order) -> bool:
    return not order.has_payment_in_flight(PaymentKind.REFUND)


# What the confirmation dialogs of the steps that cannot be undone say.
def confirm_charge(order: Order) -> str:
    return f"Charge {order.total:.2f} {order.currency} to {order.number}?"


def confirm_cancel(order: Order) -> str:
    return f"Cancel {order.number}? Its stock goes back and it can no longer be charged."


def confirm_refund(order: Order) -> str:
    return (
        f"Refund {order.total:.2f} {order.currency} of {order.number} to "
        f"{order.customer_name}? A refund cannot be taken back."
    )


# A gateway call that has not answered in this long is taken as lost (the
# worker died): the gateway is asked what became of it.
PAYMENT_STALE_AFTER = timedelta(minutes=5)


class Order(markets_api.InAMarket, ConcurrentTransitionMixin, models.Model):
    """An order placed from a cart, from Pending to a final state.

    ``status`` is protected; the transitions below are called by the
    services in ``services.py`` only.
    """

    number = models.CharField(max_length=16, unique=True)
    market = models.ForeignKey("markets.Market", on_delete=models.PROTECT, related_name="+")
    customer_name = models.CharField(max_length=120)
    customer_email = models.EmailField()
    payment_token = models.CharField(max_length=64)
    status = FSMField(default=OrderStatus.PENDING, choices=OrderStatus.choices, protected=True)
    currency = models.CharField(max_length=3)
    total = money_field()
    tracking_number = models.CharField(max_length=64, blank=True)
    refund_reason = models.TextField(blank=True)
    placed_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-pk"]
        permissions = [
            ("charge_order", "Can charge an order's payment"),
            ("ship_order", "Can ship an order"),
            ("deliver_order", "Can mark an order delivered"),
            ("cancel_order", "Can cancel an order"),
            ("refund_order", "Can refund an order"),
        ]
        # The list's sorts end with the primary key (apps.core.web.lists.tie_broken):
        # so do their indexes, which then serve the whole ORDER BY, read backwards
        # for a descending sort. The search's indexes are in migration 0007
        # (trigram GIN on PostgreSQL, FTS5 on SQLite): not expressible here.
        indexes = [
            models.Index(fields=["status", "placed_at", "id"], name="order_status_placed_id"),
            models.Index(fields=["placed_at", "id"], name="order_placed_id"),
            # A market's orders in a status, newest first (the agents' queue):
            # the filter and the ORDER BY from one index, no sort, no scan of
            # every order in the status.
            models.Index(
                fields=["market", "status", "placed_at", "id"], name="order_market_status_placed"
            ),
            models.Index(fields=["customer_email"], name="order_customer_email"),
            models.Index(fields=["total", "id"], name="order_total_id"),
            # The dashboard's revenue: for each status of money kept, a range of
            # paid_at, read from the index alone (no row is visited).
            models.Index(
                fields=["status", "paid_at", "currency", "total"], name="order_status_paid"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="order_status_valid"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=~Q(status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED])
                | ~Q(tracking_number=""),
                name="order_shipped_has_tracking",
            ),
            models.CheckConstraint(
                condition=~Q(status=OrderStatus.REFUNDED) | ~Q(refund_reason=""),
                name="order_refunded_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[OrderStatus.PENDING, OrderStatus.CANCELLED])
                | Q(paid_at__isnull=False),
                name="order_paid_has_paid_at",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not set(update_fields) & figures.FIELDS:
            super().save(*args, **kwargs)
            return
        # No savepoint: inside a service's transaction this adds no query.
        using = kwargs.get("using") or router.db_for_write(Order)
        with transaction.atomic(using=using, savepoint=False):
            before = figures.saved_contributions(self)
            super().save(*args, **kwargs)
            after, values = figures.written(self, kwargs.get("update_fields"))
            figures.apply(before, after)
        self._figures_as_saved, self._figures_fields = after, values

    def get_absolute_url(self) -> str:
        return page_url("orders:detail", self.number)

    # The dashboard's figures (OrderFigure) follow every save and delete:
    # what this order counted for as loaded, taken back, and what it counts
    # for now, added, in the save's transaction (apps/orders/figures.py).
    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, *, fetch_mode: Any = None) -> Order:
        order = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        order._figures_fields = figures.values_of(order)
        order._figures_as_saved = figures.contributions(order)
        return order

    def refresh_from_db(
        self, using: Any = None, fields: Any = None, from_queryset: Any = None
    ) -> None:
        """Reload, and with it what the row counts for in the figures (fields
        not reloaded keep what they were loaded or last saved with)."""
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        as_saved = getattr(self, "_figures_fields", None)
        if fields is None or as_saved is None:
            self._figures_fields = figures.values_of(self)
        else:
            reloaded = set(fields)
            self._figures_fields = {
                name: getattr(self, name) if name in reloaded else value
                for name, value in as_saved.items()
            }
        values = self._figures_fields
        self._figures_as_saved = () if values is None else figures.contribution_of(values)

    def has_payment_in_flight(self, kind: str) -> bool:
        """A gateway call of ``kind`` is waiting for its answer right now.

        Other unresolved payments (timed out, errored, lost) do not block a
        button: the services settle them with the gateway before they act.
        """
        # Uses prefetched payments when there are some (detail page), else a query.
        return any(payment.kind == kind and payment.in_flight for payment in self.payments.all())

    @transition(
        field=status,
        source=OrderStatus.PENDING,
        target=OrderStatus.PAID,
        permission="orders.charge_order",
        custom={
            "label": "Charge payment",
            "hotkey": "c",
            "style": "primary",
            # Checked before the gateway is called, not when the capture is
            # recorded: see apps.core.transitions.
            "preconditions": [market_takes_charges, no_charge_in_progress],
            "confirm": confirm_charge,
            "idempotency_key": True,
        },
    )
    def charge(self) -> None:
        """Record the captured payment. The gateway is called by the service, not here."""
        self.paid_at = timezone.now()

    @transition(
        field=status,
        source=OrderStatus.PENDING,
        target=OrderStatus.CANCELLED,
        permission="orders.cancel_order",
        conditions=[no_charge_in_progress],
        custom={
            "label": "Cancel order",
            "hotkey": "n",
            "style": "outline-danger",
            "confirm": confirm_cancel,
        },
    )
    def cancel(self) -> None:
        self.cancelled_at = timezone.now()

    @transition(
        field=status,
        source=OrderStatus.PAID,
        target=OrderStatus.SHIPPED,
        permission="orders.ship_order",
        # A refund's gateway call may be answering: shipping now would leave
        # its success with nothing to record it on.
        conditions=[no_refund_in_progress],
        custom={
            "label": "Ship",
            "hotkey": "s",
            "style": "primary",
            "input": "tracking_number",
            "input_label": "Tracking number",
        },
    )
    def ship(self, *, tracking_number: str) -> None:
        tracking_number = tracking_number.strip()
        if not tracking_number:
            raise RuleViolation("A tracking number is required to ship an order.")
        if len(tracking_number) > 64:
            raise RuleViolation("A tracking number has at most 64 characters.")
        self.tracking_number = tracking_number
        self.shipped_at = timezone.now()

    @transition(
        field=status,
        source=OrderStatus.SHIPPED,
        target=OrderStatus.DELIVERED,
        permission="orders.deliver_order",
        custom={"label": "Mark delivered", "hotkey": "d", "style": "success"},
    )
    def mark_delivered(self) -> None:
        self.delivered_at = timezone.now()

    @transition(
        field=status,
        source=[OrderStatus.PAID, OrderStatus.DELIVERED],
        target=OrderStatus.REFUNDED,
        permission="orders.refund_order",
        custom={
            "label": "Refund",
            "hotkey": "r",
            "style": "outline-danger",
            "input": "reason",
            "input_label": "Reason for refunding",
            "preconditions": [no_refund_in_progress],
            "confirm": confirm_refund,
            "idempotency_key": True,
        },
    )
    def refund(self, *, reason: str) -> None:
        """Record a refund the gateway has made. The service calls the gateway first."""
        self.refund_reason = self.refund_reason_for(reason)
        self.refunded_at = timezone.now()

    @staticmethod
    def refund_reason_for(reason: str) -> str:
        """The reason a refund is recorded with; a blank one is refused.

        The service asks this before it asks the gateway for the money back.
        """
        reason = reason.strip()
        if not reason:
            raise RuleViolation("A reason is required to refund an order.")
        return reason


class OrderLine(models.Model):
    """What was bought, as it was at the time: the product may change later."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    product_name = models.CharField(max_length=200)
    sku = models.CharField(max_length=64)
    unit_price = money_field()
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="order_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="order_line_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


# --- Payments -----------------------------------------------------------------


class PaymentKind(models.TextChoices):
    CHARGE = "charge", "Charge"
    REFUND = "refund", "Refund"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "In progress"
    SUCCEEDED = "succeeded", "Succeeded"
    DECLINED = "declined", "Declined"
    TIMED_OUT = "timeout", "Timed out"
    ERROR = "error", "Gateway error"
    VOID = "void", "Not taken"  # settled: the request never reached the gateway


FAILED_STATUSES = (
    PaymentStatus.DECLINED,
    PaymentStatus.TIMED_OUT,
    PaymentStatus.ERROR,
    PaymentStatus.VOID,
)
UNRESOLVED_STATUSES = [PaymentStatus.PENDING, PaymentStatus.TIMED_OUT, PaymentStatus.ERROR]


class PaymentQuerySet(models.QuerySet["Payment"]):
    def failed(self) -> PaymentQuerySet:
        return self.filter(status__in=FAILED_STATUSES)

    def unresolved(self) -> PaymentQuerySet:
        """Outcome unknown: pending, timed out or errored."""
        return self.filter(status__in=UNRESOLVED_STATUSES)

    def charges(self) -> PaymentQuerySet:
        return self.filter(kind=PaymentKind.CHARGE)

    def failed_charges_on(self, day: Any) -> PaymentQuerySet:
        """A "failed payment": a charge declined, timed out, errored or Not taken,
        attempted on ``day`` (in the current time zone). Refunds are not payments.

        A range of ``created_at`` (the day's local midnight to the next), not
        ``created_at__date``: the index on (status, created_at) serves a range;
        a date computed from every row could not use it.
        """
        zone = timezone.get_current_timezone()
        start = datetime.combine(day, time.min, tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
        return self.charges().failed().filter(created_at__gte=start, created_at__lt=end)


# An answer is a fact: whatever the gateway says about a payment that has not
# succeeded is recorded, even over an earlier guess (Not taken, timed out).
NOT_SUCCEEDED = [
    PaymentStatus.PENDING,
    PaymentStatus.DECLINED,
    PaymentStatus.TIMED_OUT,
    PaymentStatus.ERROR,
    PaymentStatus.VOID,
]
NOT_TAKEN = "Not taken: the request never reached the payment gateway."


class Payment(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """One call to the gateway. Recorded (Pending) before the call is made, so a
    retry or a second click with the same idempotency key never charges twice.

    ``ConcurrentTransitionMixin``: a save of a transition is an UPDATE on the
    state it was read in, so a stale copy can never overwrite a success that
    another process recorded meanwhile (SQLite has no row locks to prevent it).
    """

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(max_length=10, choices=PaymentKind.choices)
    amount = money_field()
    currency = models.CharField(max_length=3)
    gateway = models.CharField(max_length=40)
    # Sent to the gateway; the same for every attempt of this payment.
    idempotency_key = models.CharField(max_length=80, unique=True)
    # The key of the page request that started the latest attempt: a double
    # click or a resent form carries it again and gets this payment's answer.
    request_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    # Protected: it changes only through the transitions below, and nothing
    # leaves Succeeded, so a recorded success can never be downgraded.
    status = FSMField(
        max_length=10,
        choices=PaymentStatus.choices,
        default=PaymentStatus.PENDING,
        protected=True,
    )
    gateway_reference = models.CharField(max_length=80, blank=True)
    failure_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The customer's token sent with this charge; why, for a refund.
    payment_token = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="payment_status_created"),
            models.Index(fields=["order", "kind", "status"], name="payment_order_kind_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=PaymentStatus.values), name="payment_status_valid"
            ),
            # At most one charge in flight per order: the database itself
            # stops two concurrent clicks from both calling the gateway.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(kind="charge", status="pending"),
                name="payment_one_charge_in_flight",
            ),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(kind="refund", status="pending"),
                name="payment_one_refund_in_flight",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} {self.amount} {self.currency} ({self.get_status_display()})"
        )

    @transition(field=status, source=NOT_SUCCEEDED, target=PaymentStatus.SUCCEEDED)
    def succeed(self, *, reference: str) -> None:
        """The gateway took (or gave back) the money."""
        self.gateway_reference = reference
        self.failure_message = ""
        self.completed_at = timezone.now()

    @transition(field=status, source=NOT_SUCCEEDED, target=PaymentStatus.DECLINED)
    def decline(self, *, message: str) -> None:
        self._fail(message)

    @transition(field=status, source=NOT_SUCCEEDED, target=PaymentStatus.TIMED_OUT)
    def time_out(self, *, message: str) -> None:
        self._fail(message)

    @transition(field=status, source=NOT_SUCCEEDED, target=PaymentStatus.ERROR)
    def fail_with_error(self, *, message: str) -> None:
        self._fail(message)

    @transition(field=status, source=UNRESOLVED_STATUSES, target=PaymentStatus.VOID)
    def void(self) -> None:
        """Settled: the gateway never received the request."""
        self._fail(NOT_TAKEN)

    def _fail(self, message: str) -> None:
        self.failure_message = message
        self.completed_at = timezone.now()

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES

    @property
    def unresolved(self) -> bool:
        return self.status in UNRESOLVED_STATUSES

    @property
    def in_flight(self) -> bool:
        """Waiting for the gateway's answer right now (not a call that was lost)."""
        return (
            self.status == PaymentStatus.PENDING
            and timezone.now() - self.created_at < PAYMENT_STALE_AFTER
        )


class SentEmail(models.Model):
    """An email about an order that went out: at most one per order and kind.

    What makes sending idempotent: a retried or repeated job finds the row
    and sends nothing.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "kind"], name="sent_email_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} email of order {self.order_id}"


class ChargingNote(models.Model):
    """A "charging paused/resumed" note put on an order for one market event.

    What makes the notes job idempotent: a retried, repeated or concurrent
    run finds the row and notes that order no more.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    market_event = models.UUIDField()
    paused = models.BooleanField()
    noted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order", "market_event"], name="charging_note_once_per_event"
            )
        ]

    def __str__(self) -> str:
        state = "paused" if self.paused else "resumed"
        return f"charging {state} on order {self.order_id} ({self.market_event})"


class OrderFigure(models.Model):
    """The dashboard's figures, kept by the orders themselves: per local day,
    status and currency, how many orders were placed (``kind`` "placed", the
    day of ``placed_at``) or paid (``kind`` "paid", the day of ``paid_at``)
    and their total. ``Order.save`` moves an order's contribution in the same
    transaction (atomic ``F()`` updates); ``order_figures --check`` compares
    them with a rebuild from the orders (apps/orders/figures.py)."""

    kind = models.CharField(max_length=6)
    day = models.DateField()
    status = models.CharField(max_length=16, choices=OrderStatus.choices)
    currency = models.CharField(max_length=3)
    orders = models.IntegerField(default=0)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "status", "day", "currency"], name="order_figure_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.day} {self.status} {self.currency}: {self.orders}"


def _order_deleting(sender: Any, instance: Order, **kwargs: Any) -> None:
    figures.remember(instance)


def _order_deleted(sender: Any, instance: Order, **kwargs: Any) -> None:
    figures.forget(instance)


models.signals.pre_delete.connect(_order_deleting, sender=Order, dispatch_uid="orders.figures")
models.signals.post_delete.connect(_order_deleted, sender=Order, dispatch_uid="orders.figures")
