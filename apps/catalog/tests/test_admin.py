"""The products' admin page (superusers): the market through the markets API."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.markets.tests.factories import MarketFactory

from .factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_the_product_admin_lists_and_filters_by_market_in_flat_queries(
    client: Client, superuser, django_assert_max_num_queries
) -> None:
    berlin, paris = MarketFactory(name="Berlin"), MarketFactory(name="Paris")
    for market in (berlin, paris):
        ProductFactory.create_batch(5, market=market)
    client.force_login(superuser)
    response = client.get("/admin/catalog/product/")
    assert response.status_code == 200
    assert "Berlin" in response.content.decode() and "Paris" in response.content.decode()
    filtered = client.get(f"/admin/catalog/product/?market={paris.pk}").content.decode()
    assert "5 products" in filtered
    assert client.get("/admin/catalog/product/?market=x").status_code == 200
    ProductFactory.create_batch(20, market=berlin)
    with django_assert_max_num_queries(12):
        assert client.get("/admin/catalog/product/?o=3").status_code == 200
