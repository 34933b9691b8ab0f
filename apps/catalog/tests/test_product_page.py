"""A product's own page: /products/<id>/ (a SKU is unique only per market)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.activity.models import Event
from apps.catalog import services, views
from apps.catalog.models import Product
from apps.core.web.budgets import budget_of
from apps.markets.tests.factories import MarketFactory
from apps.orders.models import OrderLine, OrderStatus
from apps.orders.tests.factories import OrderFactory

from .factories import ProductFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _order_line(product: Product, *, status: str = OrderStatus.PENDING, quantity: int = 1) -> str:
    order = OrderFactory(market=product.market, status=status, lines=0)
    OrderLine.objects.create(
        order=order, product=product, product_name=product.name, sku=product.sku,
        unit_price=product.price, quantity=quantity,
    )  # fmt: skip
    return order.number


def test_the_same_sku_in_two_markets_has_two_pages(client: Client, viewer) -> None:
    north = ProductFactory(sku="MUG-1", name="North mug", market=MarketFactory(name="North"))
    south = ProductFactory(sku="MUG-1", name="South mug", market=MarketFactory(name="South"))
    assert north.get_absolute_url() != south.get_absolute_url()
    client.force_login(viewer)
    assert "North mug" in client.get(north.get_absolute_url()).content.decode()
    assert "South mug" in client.get(south.get_absolute_url()).content.decode()


def test_the_page_shows_price_stock_status_market_orders_and_timeline(
    client: Client, manager
) -> None:
    product = ProductFactory(name="Teapot", sku="TEA-1", price=Decimal("12.50"), stock=4)
    number = _order_line(product, status=OrderStatus.PAID, quantity=3)
    services.set_products_active(actor=manager, product_ids=[product.pk], active=False)
    client.force_login(manager)
    content = client.get(f"/products/{product.pk}/").content.decode()
    assert "data-price>12.50 " in content and "data-stock>4<" in content
    assert 'data-status="inactive"' in content
    assert f'href="{product.market_info.url}"' in content
    # The market's pill in its own colours, as on every other page.
    assert f'data-status="{product.market.status}"' in content
    assert f'href="/orders/{number}/"' in content and 'data-status="paid"' in content
    assert 'data-event="product_deactivated"' in content
    assert ">Activate</button>" in content and ">Deactivate</button>" not in content


def test_activate_and_deactivate_from_the_page(client: Client, manager) -> None:
    product = ProductFactory(active=True)
    client.force_login(manager)
    response = client.post(f"/products/{product.pk}/", {"action": "deactivate"}, headers=HTMX)
    assert response.status_code == 200
    assert ">Activate</button>" in response.content.decode()
    product.refresh_from_db()
    assert product.active is False
    assert Event.objects.filter(name="product_deactivated").count() == 1
    # Without JavaScript: back to the page.
    response = client.post(f"/products/{product.pk}/", {"action": "activate"})
    assert response.status_code == 302 and response["Location"] == f"/products/{product.pk}/"
    product.refresh_from_db()
    assert product.active is True


def test_bad_actions_and_viewers_change_nothing(client: Client, viewer, manager) -> None:
    product = ProductFactory(active=True)
    client.force_login(manager)
    # Refused with a message, like any bad input (console.errors): never a 5xx.
    response = client.post(f"/products/{product.pk}/", {"action": "explode"}, headers=HTMX)
    assert 400 <= response.status_code < 500
    assert "Choose Activate or Deactivate." in response["HX-Trigger"]
    client.force_login(viewer)
    assert ">Deactivate</button>" not in client.get(f"/products/{product.pk}/").content.decode()
    assert client.post(f"/products/{product.pk}/", {"action": "deactivate"}).status_code == 403
    product.refresh_from_db()
    assert product.active is True
    assert client.get("/products/999999/").status_code == 404


def test_o_on_a_product_row_opens_its_page(client: Client, viewer) -> None:
    product = ProductFactory(name="Teapot")
    client.force_login(viewer)
    content = client.get("/products/").content.decode()
    body = content[content.index("<tbody") :]
    # The row's first link is what Enter and o open (console.js).
    assert body.split('<a href="', 1)[1].split('"', 1)[0] == f"/products/{product.pk}/"


@pytest.mark.parametrize("lines", [2, 30])
def test_product_page_query_budget_is_flat(client: Client, manager, lines: int) -> None:
    product = ProductFactory()
    for _ in range(lines):
        _order_line(product)
    for _ in range(lines // 2):
        services.set_products_active(actor=manager, product_ids=[product.pk], active=False)
        services.set_products_active(actor=manager, product_ids=[product.pk], active=True)
    client.force_login(manager)
    client.get(f"/products/{product.pk}/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/products/{product.pk}/").status_code == 200
    # session, user, permissions (2), product with market and category, its
    # tags, recent order lines, timeline with actors.
    assert len(captured) == budget_of(views.product_detail) == 8
