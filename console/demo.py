"""Demo data for ``seed_demo``, made through the services so it has real history.

Each part is idempotent: it only creates what is missing, found by slug.
"""

from __future__ import annotations

import contextlib
from typing import Any

from apps.markets import services as market_services
from apps.markets.models import Market

# (name, slug, currency, description, path of transitions with their arguments)
DEMO_MARKETS: list[tuple[str, str, str, str, list[tuple[str, dict[str, str]]]]] = [
    (
        "Nordic Crafts",
        "nordic-crafts",
        "SEK",
        "Handmade goods from Scandinavian makers.",
        [("publish", {})],
    ),
    (
        "Berlin Vintage",
        "berlin-vintage",
        "EUR",
        "Second-hand clothing and furniture.",
        [("publish", {})],
    ),
    ("London Books", "london-books", "GBP", "Rare and used books.", []),
    ("Tokyo Gadgets", "tokyo-gadgets", "JPY", "", []),
    (
        "Paris Fashion",
        "paris-fashion",
        "EUR",
        "Designer clothing resale.",
        [("publish", {}), ("suspend", {"reason": "Counterfeit listings reported; under review."})],
    ),
    (
        "Lisbon Ceramics",
        "lisbon-ceramics",
        "EUR",
        "Tiles and pottery.",
        [
            ("publish", {}),
            ("suspend", {"reason": "Seller verification lapsed."}),
            ("reinstate", {}),
        ],
    ),
    ("Old Town Antiques", "old-town-antiques", "USD", "Closed after the pilot.", [("archive", {})]),
    ("Texas Tools", "texas-tools", "USD", "Power tools and hardware.", [("publish", {})]),
]

# Enough plain drafts and active markets to page through the list.
DEMO_FILLER = 24


def seed_markets(actor: Any) -> int:
    """Create the demo markets that are missing; return how many were created."""
    created = 0
    plan = list(DEMO_MARKETS)
    for number in range(1, DEMO_FILLER + 1):
        path: list[tuple[str, dict[str, str]]] = [("publish", {})] if number % 3 else []
        plan.append(
            (
                f"Demo Market {number:02d}",
                f"demo-market-{number:02d}",
                "EUR",
                "A demo market.",
                path,
            )
        )
    existing = set(
        Market.objects.filter(slug__in=[row[1] for row in plan]).values_list("slug", flat=True)
    )
    for name, slug, currency, description, path in plan:
        if slug in existing:
            continue
        market = market_services.create_market(
            actor=actor, name=name, slug=slug, currency=currency, description=description
        )
        for transition, arguments in path:
            market_services.TRANSITION_SERVICES[transition](
                actor=actor, market_id=market.pk, **arguments
            )
        created += 1
    return created


# (customer number, payment token, what happens after placing)
DEMO_ORDER_PLAN: list[tuple[int, str, list[str]]] = [
    (1, "tok_visa", []),  # Pending
    (2, "tok_decline", ["charge"]),  # Pending, with a declined payment
    (3, "tok_visa", ["charge"]),  # Paid
    (4, "tok_visa", ["charge", "ship"]),  # Shipped
    (5, "tok_visa", ["charge", "ship", "mark_delivered"]),  # Delivered
    (6, "tok_visa", ["cancel"]),  # Cancelled
    (7, "tok_visa", ["charge", "ship", "mark_delivered", "refund"]),  # Refunded
    (8, "tok_timeout", ["charge"]),  # Pending, the gateway timed out
    (9, "tok_visa", ["charge"]),  # Paid
]
OPEN_CARTS = 4
# Its pending order then shows Charge payment disabled: "Market is suspended."
MARKET_SUSPENDED_AFTER_ORDERS = ("texas-tools", "Payment processor review after chargebacks.")


def seed_orders(*, agent: Any, finance: Any, manager: Any) -> int:
    """Carts in active markets, orders placed from most of them and taken
    through every state. Idempotent: skipped once demo carts exist."""
    from apps.catalog.models import Product
    from apps.orders import services as order_services
    from apps.orders.models import Cart

    if Cart.objects.filter(customer_email__startswith="demo-customer-").exists():
        return 0
    markets = list(Market.objects.active().order_by("name"))
    products = {
        market.pk: list(
            Product.objects.filter(market=market, active=True, stock__gte=5).order_by("name")[:3]
        )
        for market in markets
    }
    markets = [market for market in markets if products[market.pk]]
    if not markets:
        return 0
    placed = 0
    plan = DEMO_ORDER_PLAN + [(10 + n, "tok_visa", ["open"]) for n in range(OPEN_CARTS)]
    # The market suspended afterwards gets one pending order of its own.
    texas = next((m for m in markets if m.slug == MARKET_SUSPENDED_AFTER_ORDERS[0]), None)
    if texas is not None:
        plan.append((20, "tok_visa", []))
    for index, (number, token, steps) in enumerate(plan):
        market = texas if number == 20 and texas is not None else markets[index % len(markets)]
        cart = order_services.create_cart(
            market_id=market.pk,
            customer_name=f"Demo Customer {number}",
            customer_email=f"demo-customer-{number}@example.com",
            payment_token=token,
            items=[
                (product.pk, 1 + (number + k) % 2)
                for k, product in enumerate(products[market.pk][: 1 + number % 3])
            ],
        )
        if steps == ["open"]:
            continue
        order = order_services.create_order_from_cart(actor=agent, cart_id=cart.pk)
        placed += 1
        for step in steps:
            _run_order_step(order_services, step, order.pk, agent=agent, finance=finance)
    if texas is not None:
        market_services.suspend_market(
            actor=manager, market_id=texas.pk, reason=MARKET_SUSPENDED_AFTER_ORDERS[1]
        )
    return placed


def _run_order_step(
    order_services: Any, step: str, order_id: int, *, agent: Any, finance: Any
) -> None:
    key = f"demo-{step}-{order_id}"
    # The demo wants declined and timed-out payments on record: the failure
    # is recorded before PaymentFailed is raised, so it is expected here.
    with contextlib.suppress(order_services.PaymentFailed):
        if step == "charge":
            order_services.charge_payment(actor=agent, order_id=order_id, idempotency_key=key)
        elif step == "ship":
            order_services.ship_order(
                actor=agent, order_id=order_id, tracking_number=f"1Z{order_id:08d}"
            )
        elif step == "mark_delivered":
            order_services.mark_delivered(actor=agent, order_id=order_id)
        elif step == "cancel":
            order_services.cancel_order(actor=agent, order_id=order_id)
        elif step == "refund":
            order_services.refund_order(
                actor=finance, order_id=order_id, reason="Arrived damaged.", idempotency_key=key
            )
