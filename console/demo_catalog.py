"""Demo catalog for ``seed_demo``, made through the catalog's services.

Idempotent: categories and tags are found by slug, products by SKU within
their market; only what is missing is created.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apps.catalog import services as catalog_services
from apps.catalog.models import Category, Product, Tag
from apps.markets.models import Market
from console.demo_scale import MARKET_PREFIX

DEMO_CATEGORIES = [
    ("Home & kitchen", "home-kitchen"),
    ("Clothing", "clothing"),
    ("Books", "books"),
    ("Tools", "tools"),
]

DEMO_TAGS = [
    ("Handmade", "handmade"),
    ("Gift idea", "gift-idea"),
    ("Second-hand", "second-hand"),
    ("Eco", "eco"),
]

# (name, SKU suffix, price, stock, category slug, tag slugs, active)
DEMO_PRODUCTS: list[tuple[str, str, str, int, str, tuple[str, ...], bool]] = [
    ("Stoneware mug", "MUG", "14.50", 40, "home-kitchen", ("handmade", "gift-idea"), True),
    ("Linen tea towel", "TOWEL", "9.00", 0, "home-kitchen", ("eco",), True),
    ("Wool scarf", "SCARF", "39.90", 12, "clothing", ("handmade",), True),
    ("Denim jacket", "JACKET", "65.00", 3, "clothing", ("second-hand",), False),
    ("Pocket notebook", "NOTE", "6.75", 120, "books", ("gift-idea", "eco"), True),
    ("Folding saw", "SAW", "24.00", 0, "tools", (), False),
]


# Demo prices are in euros; other markets show them at a rough rate, whole
# yen since the yen has no minor unit.
RATES = {"JPY": Decimal("160"), "SEK": Decimal("11"), "USD": Decimal("1.1"), "GBP": Decimal("0.85")}


def _price(euros: str, currency: str) -> Decimal:
    amount = Decimal(euros) * RATES.get(currency, Decimal("1"))
    return amount.quantize(Decimal("1") if currency == "JPY" else Decimal("0.01"))


def _ensure(
    actor: Any, model: type[Category] | type[Tag], rows: list[tuple[str, str]]
) -> dict[str, int]:
    existing = dict(model.objects.filter(slug__in=[s for _, s in rows]).values_list("slug", "pk"))
    create = catalog_services.create_category if model is Category else catalog_services.create_tag
    for name, slug in rows:
        if slug not in existing:
            existing[slug] = create(actor=actor, name=name, slug=slug).pk
    return existing


def seed_catalog(actor: Any) -> int:
    """Create the demo catalog that is missing for every demo market not archived.

    Returns how many products were created.
    """
    categories = _ensure(actor, Category, DEMO_CATEGORIES)
    tags = _ensure(actor, Tag, DEMO_TAGS)
    # The scale data set's markets (seed_demo --orders) have products of their own.
    markets = list(
        Market.objects.exclude(status="archived")
        .exclude(slug__startswith=MARKET_PREFIX)
        .order_by("slug")
    )
    taken = set(Product.objects.filter(market__in=markets).values_list("market_id", "sku"))
    created = 0
    for market in markets:
        prefix = "".join(word[:3] for word in market.slug.split("-")).upper()
        for name, suffix, price, stock, category, tag_slugs, active in DEMO_PRODUCTS:
            sku = f"{prefix}-{suffix}"
            if (market.pk, sku) in taken:
                continue
            catalog_services.create_product(
                actor=actor,
                market_id=market.pk,
                name=name,
                sku=sku,
                price=_price(price, market.currency),
                stock=stock,
                category_id=categories[category],
                tag_ids=[tags[slug] for slug in tag_slugs],
                active=active,
            )
            created += 1
    return created
