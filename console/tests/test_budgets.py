"""Every page within the query budget its view declares, whatever the number of rows.

One walk over the URLconf: each GET-able URL (lists, filtered lists, htmx
partials, details, the palette, the dashboard, the export) is requested as
a superuser at two data sizes, the second about ten times the first, and
must run no more queries than its view's ``@query_budget`` and exactly as
many at both sizes, with no N+1 suspect (console/querybudget.py). The API's
GETs are walked the same way, as a script sends them (a token, no session),
and its writes (``WRITES``: create, edit, every transition, placing a cart)
each on a fresh object in the right state, against the budget its ViewSet
declares for that action. A URL that is neither walked nor named below as
not a page, or a ViewSet action routed but not walked, fails the test: a new
view cannot be forgotten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from apps.accounts.services import create_api_token
from apps.activity.models import Event
from apps.catalog.models import Product
from apps.catalog.tests.factories import ProductFactory
from apps.core.cache import cache_version
from apps.core.web.budgets import budget_of, query_budget
from apps.markets.models import Market
from apps.markets.tests.factories import MarketFactory
from apps.orders.models import Cart, Order, OrderLine
from apps.orders.tests.factories import CartFactory, CartItemFactory, OrderFactory
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
    event = Event.objects.filter(aggregate_type="order", aggregate_id=str(order.pk)).latest("pk")
    actor = Event.objects.exclude(actor=None).values_list("actor", flat=True).first()
    # The writes' orders and carts go to a big market that takes orders.
    active = Market.objects.filter(slug__startswith=demo_scale.MARKET_PREFIX, status="active")
    extra = {
        "product": product.pk, "event": event.pk, "active": active.earliest("slug"),
        "actor": actor,
    }  # fmt: skip
    return Data(market=market, order=order, cart=cart, extra=extra)


Requests = dict[str, list[tuple[str, dict[str, str]]]]


def _requests(data: Data) -> Requests:
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
            (f"/activity/?actor={data.extra['actor']}", {}),
            ("/activity/?context=markets", HTMX),
        ],
        # The Activity list's "By" autocomplete: staff matching the text, or the first 20.
        "activity:actors": [("/activity/actors.json?q=a", {}), ("/activity/actors.json", {})],
        "activity:failed_work": [("/activity/failed-work/", {})],
        "accounts:api_tokens": [("/api-tokens/", {})],
    }


def _api_requests(data: Data, token: dict[str, str], next_of: Callable[[str], str]) -> Requests:
    """The API's GETs, as a script sends them (``token``: its Authorization header):
    each list in pages of 100 (full at the larger size), filtered and a page
    further on (a cursor for orders and events), each detail; the schema, and
    the docs and the browsable API as a signed-in browser reads them."""
    market, order, cart = data.market.slug, data.order.number, data.cart.pk
    html = {"Accept": "text/html"}
    return {
        "api:api-root": [("/api/v1/", token)],
        "api:schema": [("/api/v1/schema/", token)],
        "api:docs": [("/api/v1/docs/", {})],
        "api:market-list": [
            ("/api/v1/markets/?page_size=100", token),
            ("/api/v1/markets/?status=active&q=market", token),
            ("/api/v1/markets/?page_size=2&page=2", token),
        ],
        "api:market-detail": [(f"/api/v1/markets/{market}/", token)],
        "api:order-list": [
            ("/api/v1/orders/?page_size=100", token),
            (f"/api/v1/orders/?status=delivered&market={data.market.pk}&q=example", token),
            (next_of("/api/v1/orders/?page_size=5"), token),
            ("/api/v1/orders/?status=paid", html),
        ],
        "api:order-detail": [(f"/api/v1/orders/{order}/", token)],
        "api:cart-list": [
            ("/api/v1/carts/?page_size=100", token),
            ("/api/v1/carts/?page_size=2&page=2", token),
        ],
        "api:cart-detail": [(f"/api/v1/carts/{cart}/", token)],
        "api:product-list": [
            ("/api/v1/products/?page_size=100", token),
            (f"/api/v1/products/?market={market}&active=yes&in_stock=yes", token),
            ("/api/v1/products/?page_size=10&page=2", token),
        ],
        "api:product-detail": [(f"/api/v1/products/{data.extra['product']}/", token)],
        "api:event-list": [
            ("/api/v1/events/?page_size=100", token),
            ("/api/v1/events/?context=orders&q=order", token),
            (f"/api/v1/events/?aggregate_type=order&aggregate_id={data.order.pk}", token),
            (next_of("/api/v1/events/?page_size=5"), token),
        ],
        "api:event-detail": [(f"/api/v1/events/{data.extra['event']}/", token)],
    }


# The API's writes: (URL name, method, a fresh object in the right state → its
# URL, the body). Each is measured on its second fresh object (the first warms
# the caches, as the GETs' first request does), at both sizes.
Write = tuple[str, str, Callable[[Data], str], dict[str, str]]


def _order_in(status: str) -> Callable[[Data], str]:
    def fresh(data: Data) -> str:
        order = OrderFactory(market=data.extra["active"], status=status)
        return f"/api/v1/orders/{order.number}/"

    return fresh


def _market_in(status: str) -> Callable[[Data], str]:
    def fresh(data: Data) -> str:
        return f"/api/v1/markets/{MarketFactory(status=status).slug}/"

    return fresh


def _cart(data: Data) -> str:
    product = ProductFactory(market=data.extra["active"], stock=100, active=True)
    cart = CartFactory(market=data.extra["active"])
    CartItemFactory(cart=cart, product=product, quantity=2)
    return f"/api/v1/carts/{cart.pk}/"


WRITES: list[Write] = [
    ("api:market-list", "post", lambda data: "/api/v1/markets/", {"currency": "EUR"}),
    ("api:market-detail", "patch", _market_in("draft"), {"description": "Edited by a script."}),
    ("api:market-publish", "post", _market_in("draft"), {}),
    ("api:market-suspend", "post", _market_in("active"), {"reason": "Fraud check."}),
    ("api:market-reinstate", "post", _market_in("suspended"), {}),
    ("api:market-archive", "post", _market_in("draft"), {}),
    ("api:order-charge", "post", _order_in("pending"), {}),
    ("api:order-cancel", "post", _order_in("pending"), {}),
    ("api:order-ship", "post", _order_in("paid"), {"tracking_number": "1Z999"}),
    ("api:order-mark_delivered", "post", _order_in("shipped"), {}),
    ("api:order-refund", "post", _order_in("paid"), {"reason": "Arrived damaged."}),
    ("api:cart-place", "post", _cart, {}),
]


def _write(script: Client, token: dict[str, str], write: Write, data: Data, n: int) -> Any:
    """One write on a fresh object; the response."""
    name, method, fresh, body = write
    url = fresh(data)
    action = name.split("-", 1)[1]
    if action not in ("list", "detail"):
        url += f"{action}/"
    if name == "api:market-list":
        body = {**body, "name": f"Script market {data.extra['scale']}-{n}"}
    response = getattr(script, method)(url, body, content_type="application/json", headers=token)
    assert response.status_code in (200, 201), (name, response.content)
    return response


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
    written = {(name, method) for name, method, _, _ in WRITES}
    missing = set(names) - set(NOT_PAGES) - set(WALKED) - {name for name, _ in written}
    assert not missing, f"walk these in test_budgets.py or name them in NOT_PAGES: {missing}"
    for name in WALKED:
        assert budget_of(names[name]) is not None, f"{name} declares no @query_budget"
    for name, method in written:
        assert budget_of(names[name], method) is not None, f"{name} {method}: no budget"
    # A ViewSet's every routed action: a GET walked, or a write walked.
    for name, view in names.items():
        for method in getattr(view, "actions", {}):
            get = method in ("get", "head")  # DRF routes a HEAD to the GET's action
            walked = name in WALKED if get else (name, method) in written
            assert walked, f"{name} {method.upper()}: walk it in test_budgets.py"


def test_a_viewset_declares_a_budget_per_action() -> None:
    markets = resolve("/api/v1/markets/").func  # list on GET, create on POST
    declared = markets.cls.query_budget
    assert budget_of(markets) == budget_of(markets, "HEAD") == declared["list"]
    assert budget_of(markets, "POST") == declared["create"]
    assert budget_of(markets, "DELETE") is None  # not routed: no budget
    with pytest.raises(ValueError, match="one per action"):
        query_budget()
    with pytest.raises(ValueError, match="one per action"):
        query_budget(3, list=2)
    with pytest.raises(ValueError, match="at least one query"):
        query_budget(list=0)


WALKED = [
    "dashboard", "palette", "markets:list", "markets:create", "markets:choices",
    "markets:detail", "markets:edit", "catalog:products", "catalog:product", "orders:list",
    "orders:export", "orders:detail", "orders:carts", "orders:cart", "activity:list",
    "activity:actors", "activity:failed_work", "accounts:api_tokens",
    "api:api-root", "api:schema", "api:docs", "api:market-list", "api:market-detail",
    "api:order-list", "api:order-detail", "api:cart-list", "api:cart-detail",
    "api:product-list", "api:product-detail", "api:event-list", "api:event-detail",
]  # fmt: skip


@pytest.mark.django_db
def test_every_page_is_within_its_budget_and_flat(
    client: Client, superuser, manager, agent, finance
) -> None:
    actors = {"manager": manager, "agent": agent, "finance": finance}
    views = _url_names(get_resolver().url_patterns)
    client.force_login(superuser)
    # A script: no session, its user's token on every request.
    _, raw = create_api_token(actor=superuser, name="budget walk", days=7)
    token = {"Authorization": f"Token {raw}"}
    script = Client()

    def next_of(url: str) -> str:
        return script.get(url, headers=token).json()["next"]

    counts: dict[int, dict[str, int]] = {}
    for scale in (1, 10):
        data = _populate(scale, actors)
        requests = _requests(data) | _api_requests(data, token, next_of)
        assert sorted(requests) == sorted(WALKED)
        counts[scale] = {}
        for name, gets in requests.items():
            budget = budget_of(views[name])
            for number, (url, headers) in enumerate(gets):
                who = script if "Authorization" in headers else client
                queries, n_plus_one = _measure(who, url, headers)
                key = f"{name} #{number}"
                counts[scale][key] = queries
                assert budget is not None and queries <= budget, (key, queries, budget)
                assert n_plus_one == 0, (key, n_plus_one)
        data.extra["scale"] = scale
        for write in WRITES:
            name, method = write[0], write[1]
            _write(script, token, write, data, 0)  # warm
            with CaptureQueriesContext(connection) as captured:
                response = _write(script, token, write, data, 1)
            key = f"{name} {method.upper()}"
            counts[scale][key] = len(captured)
            budget = budget_of(views[name], method)
            assert budget is not None and len(captured) <= budget, (key, len(captured), budget)
            report = query_report(response.wsgi_request)  # what the toolbar's panel shows
            assert report["n_plus_one"] == 0 and report["budget"] == budget, key
    # Identical at both sizes: no query per row, per market or per event.
    assert counts[1] == counts[10]
