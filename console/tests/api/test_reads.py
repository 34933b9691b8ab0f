"""Read endpoints: who may read, the lists' own filters, cursor pages, ETags.

Their query budgets (within the declared ``@query_budget``, the same at two
data sizes) are walked with the pages' in console/tests/test_budgets.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken
from apps.accounts.services import create_api_token
from apps.catalog.tests.factories import ProductFactory
from apps.core.transitions import version_tag
from apps.markets.tests.factories import MarketFactory
from apps.orders import services as order_services
from apps.orders.tests.factories import CartFactory, CartItemFactory, OrderFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _rows(kind: str, count: int) -> str:
    """``count`` rows of ``kind``; the URL that lists them."""
    market = MarketFactory(status="active")
    if kind == "markets":
        MarketFactory.create_batch(count - 1, status="active")
    elif kind == "orders":
        OrderFactory.create_batch(count, market=market)
    elif kind == "carts":
        for _ in range(count):
            CartItemFactory(cart=CartFactory(market=market), product=ProductFactory(market=market))
    elif kind == "products":
        ProductFactory.create_batch(count, market=market)
    elif kind == "events":
        for order in OrderFactory.create_batch(count, market=market):
            order_services.cancel_order(actor=_root(), order_id=order.pk)
    return f"/api/v1/{kind}/?page_size=100"


def _root():
    from apps.accounts.models import User

    return User.objects.get(username="root")


@pytest.mark.parametrize("kind", ["orders", "events"])
def test_orders_and_events_page_by_cursor_without_counting(kind, superuser, token_client):
    client = token_client(superuser)
    url = _rows(kind, 5)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url.replace("page_size=100", "page_size=2")).json()
    assert "count" not in page and page["next"]
    assert not any("COUNT(" in query["sql"].upper() for query in captured)
    second = client.get(page["next"]).json()
    seen = {row.get("number", row.get("id")) for row in page["results"]}
    assert not seen & {row.get("number", row.get("id")) for row in second["results"]}


def test_an_order_with_lines_payments_actions_and_its_etag(agent, token_client):
    order = OrderFactory()
    response = token_client(agent).get(f"/api/v1/orders/{order.number}/")
    body = response.json()
    assert response["ETag"] == version_tag(order)
    assert body["number"] == order.number and body["payments"] == []
    assert [line["sku"] for line in body["lines"]] == [line.sku for line in order.lines.all()]
    assert [action["name"] for action in body["actions"]] == ["charge", "cancel"]


def test_lists_filter_with_the_pages_filtersets(agent, token_client):
    client = token_client(agent)
    paid = OrderFactory(status="paid")
    OrderFactory(status="pending")
    numbers = [row["number"] for row in client.get("/api/v1/orders/?status=paid").json()["results"]]
    assert numbers == [paid.number]
    market = MarketFactory()
    product = ProductFactory(market=market)
    ProductFactory()
    found = client.get(f"/api/v1/products/?market={market.slug}").json()["results"]
    assert [row["id"] for row in found] == [product.pk]


def test_a_bad_filter_is_a_400_problem_naming_the_field(agent, token_client):
    response = token_client(agent).get("/api/v1/orders/?status=nonsense")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["field"] == "status" and body["status"] == 400 and body["title"]


def test_markets_by_slug_and_unknown_ones_404_as_problems(viewer, token_client):
    market = MarketFactory()
    client = token_client(viewer)
    response = client.get(f"/api/v1/markets/{market.slug}/")
    assert response.json()["slug"] == market.slug and response["ETag"] == version_tag(market)
    missing = client.get("/api/v1/markets/no-such-market/")
    assert missing.status_code == 404 and missing["Content-Type"] == PROBLEM


def test_cart_detail_has_its_items_and_total(agent, token_client):
    item = CartItemFactory(product=ProductFactory(price="12.50"), quantity=2)
    body = token_client(agent).get(f"/api/v1/carts/{item.cart_id}/").json()
    assert body["total"] == "25.00" and body["items"][0]["quantity"] == 2


def test_without_a_token_401_and_outsiders_403(customer):
    response = APIClient().get("/api/v1/orders/")
    assert response.status_code == 401 and response["Content-Type"] == PROBLEM
    _, raw = create_api_token(actor=customer, name="outsider", days=7)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get("/api/v1/orders/").status_code == 403


def test_an_expired_or_revoked_token_is_refused(agent):
    token, raw = create_api_token(actor=agent, name="old", days=7)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get("/api/v1/orders/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/orders/").status_code == 401
    _, raw = create_api_token(actor=agent, name="revoked", days=7)
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    ApiToken.objects.filter(user=agent).delete()
    assert client.get("/api/v1/orders/").status_code == 401


def test_tokens_are_stored_hashed(agent):
    token, raw = create_api_token(actor=agent, name="hashed", days=7)
    assert raw not in {token.digest, token.token_key} and raw.startswith(token.token_key)


def test_a_session_works_for_the_browsable_api(agent, client):
    client.force_login(agent)
    response = client.get("/api/v1/orders/", headers={"Accept": "text/html"})
    assert response.status_code == 200 and b"<html" in response.content


def test_throttling_counts_per_token(agent, monkeypatch):
    from apps.core.web.rest_policy import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "rate", "2/minute", raising=False)
    first, second = APIClient(), APIClient()
    for client, name in ((first, "a"), (second, "b")):
        _, raw = create_api_token(actor=agent, name=name, days=7)
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert [first.get("/api/v1/markets/").status_code for _ in range(3)] == [200, 200, 429]
    refused = first.get("/api/v1/markets/")
    assert refused["Content-Type"] == PROBLEM and refused["Retry-After"]
    assert second.get("/api/v1/markets/").status_code == 200  # a budget of its own


@pytest.mark.parametrize("kind", ["orders", "events"])
@pytest.mark.parametrize(
    "cursor",
    [
        "cD1nYXJiYWdl",  # base64 of "p=garbage"
        "cD0yMDI1LTAxLTAxVDAwOjAwOjAwJmk9eA",  # p=2025-01-01T00:00:00&i=x (naive, bad pk)
        "%%%",
        "cD0yMDI1LTAxLTAxVDAwOjAwOjAwKzAwOjAw",  # a timestamp but no pk
    ],
)
def test_a_forged_cursor_is_a_problem_not_a_500(kind, cursor, superuser, token_client):
    response = token_client(superuser).get(f"/api/v1/{kind}/?cursor={cursor}")
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "Invalid cursor"


def _cursor(query: str) -> str:
    from base64 import b64encode

    return b64encode(query.encode(), altchars=b"-_").decode()


@pytest.mark.parametrize("kind", ["orders", "events"])
@pytest.mark.parametrize(
    "stamp",
    [
        "0001-01-01T00:00:00%2B14:00",  # before year 1 in UTC: Python cannot hold it
        "9999-12-31T23:59:59-14:00",  # after year 9999 in UTC
    ],
)
def test_a_cursor_out_of_range_in_utc_is_invalid_not_a_500(kind, stamp, superuser, token_client):
    client = token_client(superuser)
    client.raise_request_exception = False
    response = client.get(f"/api/v1/{kind}/?cursor={_cursor(f'p={stamp}&i=1')}")
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == "Invalid cursor"


@pytest.mark.parametrize("kind", ["orders", "events"])
def test_a_cursor_with_any_utc_offset_is_the_same_instant(kind, superuser, token_client):
    """PostgreSQL refuses offsets beyond ±15:59 (a DataError, a 500 before);
    the cursor's instant is compared in UTC, the same rows as its UTC spelling."""
    _rows(kind, 3)
    client = token_client(superuser)
    client.raise_request_exception = False
    pages = [
        client.get(f"/api/v1/{kind}/?cursor={_cursor(f'p={stamp}&i=1')}")
        for stamp in ("2999-01-01T23:59:00%2B23:59", "2999-01-01T00:00:00%2B00:00")
    ]
    assert [page.status_code for page in pages] == [200, 200]
    assert pages[0].json()["results"] == pages[1].json()["results"] != []


def test_the_cursor_walks_rows_sharing_one_timestamp_each_once(superuser, token_client):
    """DRF's CursorPagination steps over ties by an offset capped at 1,000: past
    that it loops. The keyset (occurred_at, pk) does not."""
    from apps.activity.models import Event

    moment = timezone.now() - timedelta(days=1)
    Event.objects.bulk_create(
        Event(
            context="orders",
            name="order_cancelled",
            aggregate_type="order",
            aggregate_id=str(n),
            aggregate_label=f"Order {n}",
            occurred_at=moment,
        )
        for n in range(1150)
    )
    expected = list(Event.objects.order_by("-pk").values_list("pk", flat=True))
    client = token_client(superuser)
    url: str | None = "/api/v1/events/?page_size=100"
    seen: list[int] = []
    pages = 0
    while url and pages < 20:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
        pages += 1
    assert seen == expected and pages == 12
    # And back: ``previous`` of the last page is the page before it.
    back = client.get(page["previous"]).json()
    assert [row["id"] for row in back["results"]] == expected[1000:1100]


def test_an_order_or_market_read_through_the_api_names_its_timeline(manager, agent, token_client):
    """The events' ``aggregate_type`` + ``aggregate_id`` is the aggregate's id,
    which an API client must be able to read from the order or market itself."""
    other, order = OrderFactory(), OrderFactory()
    market = MarketFactory(status="draft")
    client = token_client(agent)
    for done in (other, order):
        client.post(f"/api/v1/orders/{done.number}/cancel/", {}, format="json")
    token_client(manager).post(f"/api/v1/markets/{market.slug}/publish/", {}, format="json")
    for kind, path in (("order", f"orders/{order.number}"), ("market", f"markets/{market.slug}")):
        resource = client.get(f"/api/v1/{path}/").json()
        listed = client.get(f"/api/v1/{path.split('/')[0]}/").json()["results"]
        assert resource["id"] in {row["id"] for row in listed}
        timeline = client.get(
            f"/api/v1/events/?aggregate_type={kind}&aggregate_id={resource['id']}"
        ).json()["results"]
        assert timeline and {event["aggregate_url"] for event in timeline} == {resource["url"]}
