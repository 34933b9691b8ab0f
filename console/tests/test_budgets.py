"""Every page within the query budget its view declares, whatever the number of rows.

One walk over the URLconf: each GET-able URL (lists, filtered lists, htmx
partials, details, the palette, the dashboard, the export) is requested as
a superuser at two data sizes, the second about ten times the first, and
must run no more queries than its view's ``@query_budget`` and exactly as
many at both sizes, with no N+1 suspect (console/querybudget.py). A URL that
is neither walked nor named below as not a page fails the test: a new view
cannot be forgotten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from apps.activity.models import Event
from apps.catalog.models import Product
from apps.catalog.tests.factories import ProductFactory
from apps.core.cache import cache_version
from apps.core.web.budgets import budget_of
from apps.markets.models import Market
from apps.markets.tests.factories import MarketFactory
from apps.orders.models import Cart, Order, OrderLine
from apps.orders.tests.factories import CartFactory, CartItemFactory
from console import demo_scale
from console.querybudget import query_report

HTMX = {"HX-Request": "true"}

# Not pages: POST-only actions (each has its own tests that forge and refuse
# POSTs) and Django's own sign-in/password views, seen signed out.
NOT_PAGES = {
    "markets:bulk": "POST only",
    "markets:transition": "POST only",
    "catalog:bulk": "POST only",
    "orders:bulk": "POST only",
    "orders:transition": "POST only",
    "orders:purge_carts": "POST only",
    "orders:place": "POST only",
    "activity:failed_work_action": "POST only",
    "login": "Django's sign-in view, signed out",
    "logout": "POST only",
    "password_change": "Django's view",
    "password_change_done": "Django's view",
    "password_reset": "Django's view, signed out",
    "password_reset_done": "Django's view, signed out",
    "password_reset_confirm": "Django's view, signed out",
    "password_reset_complete": "Django's view, signed out",
    "healthz": "answered by HealthzMiddleware before the request log (one SELECT 1)",
    "accounts:api_token_create": "POST only",
    "save_view": "POST only",
    "delete_view": "POST only",
    "saved_view": "a redirect to the list it names (walked); its budget is pinned in "
    "console/tests/test_saved_views.py",
    "accounts:api_token_revoke": "POST only",
    **{
        f"api:{name}": "the API: flat budgets per endpoint in console/tests/api/test_reads.py"
        for name in (
            "api-root", "schema", "docs", "market-list", "market-detail", "market-publish",
            "market-suspend", "market-reinstate", "market-archive", "order-list",
            "order-detail", "order-charge", "order-cancel", "order-ship", "order-mark_delivered",
            "order-refund", "cart-list", "cart-detail", "cart-place", "product-list",
            "product-detail", "event-list", "event-detail",
        )
    },
}  # fmt: skip


@dataclass
class Data:
    market: Market
    order: Order
    cart: Cart
    extra: dict[str, Any] = field(default_factory=dict)


def _populate(scale: int, actors: dict[str, Any]) -> Data:
    """A data set whose every list, and the details walked, grow with ``scale``."""
    demo_scale.seed_scale(orders=40 * scale, seed=1, actors=actors, write=lambda _: None)
    MarketFactory.create_batch(3 * scale)
    market = Market.objects.filter(slug__startswith=demo_scale.MARKET_PREFIX).earliest("slug")
    ProductFactory.create_batch(5 * scale, market=market)
    order = Order.objects.filter(market=market).earliest("pk")
    OrderLine.objects.bulk_create(
        OrderLine(order=order, product_name=f"L{n}", sku=f"S{n}", unit_price=1, quantity=1)
        for n in range(3 * scale)
    )
    products = list(Product.objects.filter(market=market).order_by("pk")[: 2 * scale])
    cart = CartFactory(market=market)
    for _ in range(3 * scale):
        CartItemFactory(cart=CartFactory(market=market), product=products[0])
    for product in products:
        CartItemFactory(cart=cart, product=product)
    assert Event.objects.count() > 10 * scale
    # A product with order lines (one per order of the scale) and events.
    product = products[0]
    return Data(market=market, order=order, cart=cart, extra={"product": product.pk})


def _requests(data: Data) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """The GETs walked for each URL name: page, filtered page, htmx partial."""
    market, order, cart = data.market.slug, data.order.number, data.cart.pk
    return {
        "dashboard": [("/", {})],
        "palette": [("/palette/?q=or", HTMX), ("/palette/?q=", HTMX)],
        "markets:list": [
            ("/markets/", {}),
            ("/markets/?status=active&q=market&sort=-updated_at", {}),
            ("/markets/?status=active", HTMX),
        ],
        "markets:create": [("/markets/new/", {})],
        # The current version in the URL: any other is redirected to it.
        "markets:choices": [
            (f"/markets/choices.json?q=market&v={cache_version('markets')}", {}),
            (f"/markets/choices.json?q=&v={cache_version('markets')}", {}),
        ],
        "markets:detail": [(f"/markets/{market}/", {})],
        "markets:edit": [(f"/markets/{market}/edit/", {})],
        "catalog:product": [(f"/products/{data.extra['product']}/", {})],
        "catalog:products": [
            ("/products/", {}),
            (f"/products/?market={market}&active=yes&in_stock=yes&sort=-price", {}),
            ("/products/?active=yes&sort=-stock", HTMX),
        ],
        "orders:list": [
            ("/orders/", {}),
            (f"/orders/?status=delivered&market={data.market.pk}&sort=-total", {}),
            ("/orders/?q=example", {}),
            # A second page at both sizes. A page past the end (an old link) costs two
            # queries more, at any size: the count, then the last page (test_search.py).
            ("/orders/?page=2", HTMX),
        ],
        "orders:export": [("/orders/export.csv?status=paid", {})],
        "orders:detail": [(f"/orders/{order}/", {})],
        "orders:carts": [("/carts/", {}), ("/carts/?page=1", HTMX)],
        "orders:cart": [(f"/carts/{cart}/", {})],
        "activity:list": [
            ("/activity/", {}),
            ("/activity/?context=orders&q=order", {}),
            ("/activity/?context=markets", HTMX),
        ],
        "activity:failed_work": [("/activity/failed-work/", {})],
        "accounts:api_tokens": [("/api-tokens/", {})],
    }


def _url_names(patterns: list[Any], namespace: str = "") -> dict[str, Callable[..., Any]]:
    names: dict[str, Callable[..., Any]] = {}
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in ("admin", "djdt"):
                continue  # Django's admin (superusers only) and the toolbar's own
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names.update(_url_names(pattern.url_patterns, inner))
        elif isinstance(pattern, URLPattern) and pattern.name:
            names[f"{namespace}{pattern.name}"] = pattern.callback
    return names


def _measure(client: Client, url: str, headers: dict[str, str]) -> tuple[int, int]:
    """Queries of a warm GET (session touched, cached fragments filled) and its N+1 suspects."""
    client.get(url, headers=headers)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    report = query_report(response.wsgi_request)
    assert report["groups"], "the request log recorded no queries to look for N+1 in"
    return len(captured), report["n_plus_one"]


def test_every_url_is_walked_or_named_as_not_a_page() -> None:
    names = _url_names(get_resolver().url_patterns)
    missing = set(names) - set(NOT_PAGES) - set(WALKED)
    assert not missing, f"walk these in test_budgets.py or name them in NOT_PAGES: {missing}"
    for name in WALKED:
        assert budget_of(names[name]) is not None, f"{name} declares no @query_budget"


WALKED = [
    "dashboard", "palette", "markets:list", "markets:create", "markets:choices",
    "markets:detail", "markets:edit", "catalog:products", "catalog:product", "orders:list",
    "orders:export", "orders:detail", "orders:carts", "orders:cart", "activity:list",
    "activity:failed_work", "accounts:api_tokens",
]  # fmt: skip


@pytest.mark.django_db
def test_every_page_is_within_its_budget_and_flat(
    client: Client, superuser, manager, agent, finance
) -> None:
    actors = {"manager": manager, "agent": agent, "finance": finance}
    views = _url_names(get_resolver().url_patterns)
    client.force_login(superuser)
    counts: dict[int, dict[str, int]] = {}
    for scale in (1, 10):
        data = _populate(scale, actors)
        requests = _requests(data)
        assert sorted(requests) == sorted(WALKED)
        counts[scale] = {}
        for name, gets in requests.items():
            budget = budget_of(views[name])
            for number, (url, headers) in enumerate(gets):
                queries, n_plus_one = _measure(client, url, headers)
                key = f"{name} #{number}"
                counts[scale][key] = queries
                assert budget is not None and queries <= budget, (key, queries, budget)
                assert n_plus_one == 0, (key, n_plus_one)
    # Identical at both sizes: no query per row, per market or per event.
    assert counts[1] == counts[10]
