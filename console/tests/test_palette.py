from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.markets.tests.factories import MarketFactory
from apps.orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def test_finds_pages_markets_and_orders(client: Client, viewer) -> None:
    MarketFactory(name="Harbour Fish", slug="harbour-fish")
    order = OrderFactory(number="ORD-HARBOR", customer_email="fish@harbour.example")
    client.force_login(viewer)
    content = client.get("/palette/?q=harbour", headers=HTMX).content.decode()
    assert 'data-href="/markets/harbour-fish/"' in content
    assert f'data-href="/orders/{order.number}/"' in content  # by customer email
    pages = client.get("/palette/?q=ord", headers=HTMX).content.decode()
    assert 'data-href="/orders/"' in pages


def test_empty_query_lists_pages_without_querying(client: Client, viewer) -> None:
    client.force_login(viewer)
    client.get("/palette/")
    with CaptureQueriesContext(connection) as captured:
        content = client.get("/palette/?q=", headers=HTMX).content.decode()
    assert len(captured) == 2  # session, user
    assert 'data-href="/markets/"' in content and 'data-href="/activity/"' in content


@pytest.mark.parametrize("rows", [3, 40])
def test_query_budget_is_flat(client: Client, viewer, rows: int) -> None:
    for number in range(rows):
        MarketFactory(name=f"Alpha {number}")
        OrderFactory(customer_email=f"alpha{number}@example.com")
    client.force_login(viewer)
    client.get("/palette/?q=alpha")
    with CaptureQueriesContext(connection) as captured:
        content = client.get("/palette/?q=alpha", headers=HTMX).content.decode()
    # session, user, permissions (2), markets, orders
    assert len(captured) == 6
    assert content.count('role="option"') == 2 * min(rows, 5)  # five of each kind at most


def test_nothing_matches_says_so(client: Client, viewer) -> None:
    client.force_login(viewer)
    assert b"Nothing matches." in client.get("/palette/?q=zzzz", headers=HTMX).content
