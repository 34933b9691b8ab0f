from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.tests.factories import UserFactory
from apps.catalog.tests.factories import ProductFactory
from apps.core.web.ui import status_pill
from apps.markets.models import MarketStatus
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
    # session, user, then the user's and their groups' permissions (the role check)
    assert len(captured) == 4
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
    # session, user, permissions (2), markets, orders, products
    assert len(captured) == 7
    assert content.count('role="option"') == 2 * min(rows, 5)  # five of each kind at most


def test_nothing_matches_says_so(client: Client, viewer) -> None:
    client.force_login(viewer)
    assert b"Nothing matches." in client.get("/palette/?q=zzzz", headers=HTMX).content


def test_finds_an_order_by_any_part_of_its_number(client: Client, viewer) -> None:
    order = OrderFactory(number="ORD-4D5A94")
    OrderFactory(number="ORD-ZZZZZZ")
    client.force_login(viewer)
    content = client.get("/palette/?q=4d5a", headers=HTMX).content.decode()
    assert f'data-href="/orders/{order.number}/"' in content
    assert "ORD-ZZZZZZ" not in content


def test_finds_a_market_by_part_of_its_slug_and_shows_kind_and_status(client, viewer) -> None:
    MarketFactory(name="Harbour Fish", slug="harbour-fish-ltd", status=MarketStatus.SUSPENDED)
    client.force_login(viewer)
    content = client.get("/palette/?q=fish-ltd", headers=HTMX).content.decode()
    assert 'data-href="/markets/harbour-fish-ltd/"' in content
    assert 'data-kind="market"' in content
    assert status_pill("suspended", "Suspended") in content


def test_finds_a_product_by_sku(client: Client, viewer) -> None:
    product = ProductFactory(sku="TEA-POT-42", name="Teapot")
    client.force_login(viewer)
    content = client.get("/palette/?q=pot-4", headers=HTMX).content.decode()
    assert f'data-href="/products/{product.pk}/"' in content
    assert 'data-kind="product"' in content


@pytest.mark.parametrize(
    ("word", "href"),
    [
        ("pending", "/orders/?status=pending"),
        ("Suspended", "/markets/?status=suspended"),
        ("inact", "/products/?active=no"),
    ],
)
def test_a_status_word_offers_the_filtered_list(client: Client, viewer, word, href) -> None:
    client.force_login(viewer)
    content = client.get(f"/palette/?q={word}", headers=HTMX).content.decode()
    assert f'data-href="{href}"' in content
    assert 'data-kind="list"' in content


def test_results_say_which_text_they_answer(client: Client, viewer) -> None:
    # console.js acts only on results whose data-query is the text in the box.
    client.force_login(viewer)
    content = client.get("/palette/?q=%20london%20", headers=HTMX).content.decode()
    assert 'id="palette-hits"' in content
    assert 'data-query="london"' in content


def test_results_are_scoped_to_what_the_user_may_see(client: Client, role_groups) -> None:
    MarketFactory(name="Pending Pastries", slug="pending-pastries")
    OrderFactory(customer_name="Pending Person")
    ProductFactory(sku="PENDING-1")
    no_role = UserFactory(role=None, is_staff=True)
    client.force_login(no_role)
    response = client.get("/palette/?q=pending", headers=HTMX)
    assert response.status_code == 403
    content = response.content.decode()
    assert "Pending Pastries" not in content
    assert "Pending Person" not in content
    assert "PENDING-1" not in content
    assert "/orders/?status=pending" not in content
