"""Demo data for ``seed_demo``, made through the services so it has real history.

Each part is idempotent: it only creates what is missing, found by slug.
"""

from __future__ import annotations

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
