"""What the load test asks for: every endpoint it hits, named once.

Kept free of locust (which monkey-patches the standard library with gevent
when imported), so the normal test suite can import it and check that each
path resolves to a view: a renamed URL fails a fast test instead of turning
into a run of 404s.

``{number}``, ``{slug}``, ``{market}``, ``{term}`` and ``{n}`` are filled in
at run time from pages the virtual user has just read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Endpoint:
    name: str  # the row of the results table
    path: str  # with {placeholders}
    method: str = "GET"
    htmx: bool = False  # sent with HX-Request: the view answers with a fragment

    def url(self, **values: object) -> str:
        return self.path.format(**values)


SIGN_IN = Endpoint("sign in", "/accounts/login/", "POST")
SIGN_IN_PAGE = Endpoint("sign-in page", "/accounts/login/")
DASHBOARD = Endpoint("dashboard", "/")
ORDERS = Endpoint("orders list", "/orders/")
ORDERS_PAGE = Endpoint("orders list, page N (htmx)", "/orders/?page={n}", htmx=True)
ORDERS_FILTERED = Endpoint(
    "orders filtered: status + market (htmx)", "/orders/?status={status}&market={market}", htmx=True
)
ORDERS_SORTED = Endpoint("orders sorted by total (htmx)", "/orders/?sort=-total", htmx=True)
ORDERS_SEARCH = Endpoint("orders search (htmx)", "/orders/?q={term}", htmx=True)
ORDER_DETAIL = Endpoint("order detail", "/orders/{number}/")
ORDER_DETAIL_HTMX = Endpoint("order detail (htmx)", "/orders/{number}/", htmx=True)
CHARGE = Endpoint("charge (POST, htmx)", "/orders/{number}/transitions/charge/", "POST", True)
SHIP = Endpoint("ship (POST, htmx)", "/orders/{number}/transitions/ship/", "POST", True)
MARKETS = Endpoint("markets list", "/markets/")
MARKETS_FILTERED = Endpoint(
    "markets filtered: status + search (htmx)", "/markets/?status=active&q={term}", htmx=True
)
MARKET_DETAIL = Endpoint("market detail", "/markets/{slug}/")
PRODUCTS = Endpoint("products list", "/products/")
PRODUCTS_FILTERED = Endpoint("products filtered by market (htmx)", "/products/?market={slug}",
                             htmx=True)  # fmt: skip
# The market filters are autocompletes: markets come from their JSON (redirected
# once to the current version), at most 20 an answer.
MARKET_CHOICES = Endpoint("market choices (autocomplete)", "/markets/choices.json?q={term}")
ACTIVITY = Endpoint("activity list", "/activity/")
ACTIVITY_FILTERED = Endpoint("activity filtered (htmx)", "/activity/?q={term}", htmx=True)
PALETTE = Endpoint("palette (htmx)", "/palette/?q={term}", htmx=True)

ENDPOINTS = [
    SIGN_IN, SIGN_IN_PAGE, DASHBOARD, ORDERS, ORDERS_PAGE, ORDERS_FILTERED, ORDERS_SORTED,
    ORDERS_SEARCH, ORDER_DETAIL, ORDER_DETAIL_HTMX, CHARGE, SHIP, MARKETS, MARKETS_FILTERED,
    MARKET_DETAIL, PRODUCTS, PRODUCTS_FILTERED, MARKET_CHOICES, ACTIVITY, ACTIVITY_FILTERED,
    PALETTE,
]  # fmt: skip

# Example values, as the pages give them, for checking that every path resolves.
EXAMPLES = {
    "n": 7, "status": "pending", "market": 3, "term": "berg", "number": "ORD-7K3M9Q",
    "slug": "scale-market-001",
}  # fmt: skip

# Who the virtual users sign in as (the demo users of ``seed_demo``), and
# what each does: agents work the order queues and take payments; the
# others read (a viewer, a market manager, finance).
AGENT = "agent"
READERS = ("viewer", "manager", "finance")

# What the virtual users read off the pages (tested against real pages, so a
# template change that breaks them fails a test, not a load run).
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
IDEMPOTENCY = re.compile(r'name="idempotency_key" value="([^"]+)"')
ORDER_LINK = re.compile(r'href="/orders/(ORD-[0-9A-Z]+)/"')
MARKET_LINK = re.compile(r'href="/markets/(scale-market-\d+)/"')
# From /markets/choices.json: a scale market's id (the orders filter's value)
# and slug (the products filter's).
MARKET_ID = re.compile(r'"label": "Scale Market \d+", "id": (\d+)')
MARKET_SLUG = re.compile(r'"value": "(scale-market-\d+)"')
# What an agent types to find every scale market, 20 at most an answer:
# "scale market 00" … "scale market 19" together name all of 000 to 199.
MARKET_QUERIES = [f"scale market {prefix:02d}" for prefix in range(20)]
CHARGE_CONFIRM = re.compile(r"Charge ([0-9.]+) [A-Z]{3} to (ORD-[0-9A-Z]+)\?")
CURRENT_USER = re.compile(r'data-testid="current-user">([^<]+)<')


def sandbox_accepts(total: str) -> bool:
    """Whether the sandbox gateway takes a charge of ``total``: it declines,
    times out or errors on cents .51, .52 and .53 (apps/orders/payments.py)."""
    return int(Decimal(total) * 100) % 100 not in {51, 52, 53}
