"""The catalog's reads for its list, its sidebar and the palette."""

from __future__ import annotations

import pytest

from apps.catalog import selectors
from apps.core.tests.conventions import assert_selectors_take_one_positional_argument
from apps.markets.tests.factories import MarketFactory

from .factories import ProductFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_the_list_reads_every_row_with_its_relations_in_two_queries(
    django_assert_num_queries,
) -> None:
    tag = TagFactory()
    made = {ProductFactory(tags=[tag]).pk for _ in range(4)}
    with django_assert_num_queries(2):
        rows = [(p.pk, p.market_info.name, p.category.name, list(p.tags.all())) for p in
                selectors.products_for_list()]  # fmt: skip
    assert {pk for pk, *_ in rows} == made
    assert all(tags == [tag] for *_, tags in rows)


def test_counts_are_the_sidebar_numbers() -> None:
    ProductFactory.create_batch(2)
    ProductFactory(stock=0)
    ProductFactory(active=False)
    assert selectors.counts() == {"all": 4, "active": 3, "inactive": 1, "out_of_stock": 1}


def test_search_finds_by_name_or_sku_in_sku_order_up_to_the_limit(
    django_assert_num_queries,
) -> None:
    market = MarketFactory(name="Oak Market")
    ProductFactory(market=market, name="Blue Mug", sku="MUG-3")
    ProductFactory(market=market, name="Red Mug", sku="MUG-1")
    ProductFactory(market=market, name="Mug rack", sku="RACK-1")
    ProductFactory(name="Plate", sku="PL-1")
    with django_assert_num_queries(1):  # the market comes with each product
        found = [(p.sku, p.market_info.name) for p in selectors.search_products("mug", limit=2)]
    assert found == [("MUG-1", "Oak Market"), ("MUG-3", "Oak Market")]
    assert [p.sku for p in selectors.search_products("MUG", limit=5)] == [
        "MUG-1",
        "MUG-3",
        "RACK-1",
    ]
    assert selectors.search_products("nothing like it", limit=5) == []


def test_selectors_take_one_positional_argument_at_most() -> None:
    assert_selectors_take_one_positional_argument(selectors)
