"""Fetch modes: a field a list or detail row did not load is an error in tests and dev.

The querysets of lists and details come from the selectors through
``apps.core.fetching.strict``: ``FETCH_RAISE`` under the test and dev
settings, ``FETCH_PEERS`` in production (one query for the page instead of
one per row). These tests introduce the N+1 on purpose and watch it fail.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldFetchBlocked
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.catalog import models as catalog_models
from apps.catalog.tests.factories import ProductFactory
from apps.markets import api as markets_api
from apps.markets import selectors as market_selectors
from apps.markets.tests.factories import MarketFactory
from apps.orders import selectors as order_selectors
from apps.orders.tests.factories import OrderFactory

ROWS = 3


def _without_category_join(self: catalog_models.ProductQuerySet) -> catalog_models.ProductQuerySet:
    """``with_relations`` with its ``select_related("category")`` forgotten."""
    return markets_api.with_market_details(self.prefetch_related("tags"))


@pytest.fixture
def forgotten_join(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_models.ProductQuerySet, "with_relations", _without_category_join)


def test_the_setting_is_raise_under_test_settings(settings) -> None:
    assert settings.CONSOLE_FETCH_MODE == "raise"


@pytest.mark.django_db
def test_an_unselected_foreign_key_on_a_list_row_raises() -> None:
    OrderFactory.create_batch(ROWS, lines=0)
    row = order_selectors.orders_for_list().first()
    assert row is not None
    assert row.market_name  # what the list shows is annotated: no fetch
    with pytest.raises(FieldFetchBlocked, match=r"Order\.market"):
        row.market  # noqa: B018 - the lazy load under test


@pytest.mark.django_db
def test_a_deferred_field_on_a_detail_raises() -> None:
    market = MarketFactory()
    loaded = market_selectors.markets().defer("description").get(pk=market.pk)
    with pytest.raises(FieldFetchBlocked, match=r"Market\.description"):
        loaded.description  # noqa: B018
    # The detail's own read loads every column: nothing to block.
    assert market_selectors.market_or_404(market.slug).description == market.description


@pytest.mark.django_db
def test_a_page_whose_rows_lazy_load_fails_loudly(client: Client, manager, forgotten_join) -> None:
    ProductFactory.create_batch(ROWS)
    client.force_login(manager)
    with pytest.raises(FieldFetchBlocked, match=r"Product\.category"):
        client.get("/products/")


@pytest.mark.django_db
def test_in_production_the_same_lazy_load_is_one_query_for_the_page(
    client: Client, manager, forgotten_join, settings
) -> None:
    settings.CONSOLE_FETCH_MODE = "peers"
    ProductFactory.create_batch(ROWS)
    client.force_login(manager)
    client.get("/products/")  # warm
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/products/").status_code == 200
    category_reads = [q for q in captured if 'FROM "catalog_category"' in q["sql"]]
    # The filter form's choices are one read; the rows' categories one more, not ROWS.
    assert len(category_reads) == 2
