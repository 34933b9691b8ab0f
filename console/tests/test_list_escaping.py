"""Names typed by people reach the lists, chips and chosen filters escaped."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from apps.activity.models import Event
from apps.catalog.tests.factories import ProductFactory
from apps.markets.tests.factories import MarketFactory
from apps.orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

EVIL = "\"'><img src=x onerror=alert(1)><script>alert(2)</script>"


@pytest.mark.parametrize("htmx", [False, True])
def test_a_hostile_market_customer_or_product_name_is_escaped_everywhere(
    client: Client, manager, htmx: bool
) -> None:
    market = MarketFactory(name="M" + EVIL)
    OrderFactory(market=market, customer_name="C" + EVIL)
    ProductFactory(market=market, name="P" + EVIL)
    Event.objects.create(
        context="markets",
        name="market_renamed",
        aggregate_type="market",
        aggregate_id=str(market.pk),
        aggregate_label="E" + EVIL,
        reason="R" + EVIL,
        occurred_at=timezone.now(),
    )
    client.force_login(manager)
    headers = {"HX-Request": "true"} if htmx else {}
    for url, query in [
        ("/orders/", {"market": market.pk}),
        ("/orders/", {"q": "onerror"}),
        ("/products/", {"market": market.slug}),
        ("/markets/", {"q": "onerror"}),
        ("/activity/", {}),
        ("/activity/", {"q": "onerror alert"}),
    ]:
        html = client.get(url, query, headers=headers).content.decode()
        assert "<img src=x" not in html, url
        assert "<script>alert" not in html, url
        assert "onerror=alert(1)>" not in html, url
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, url  # shown, as text
