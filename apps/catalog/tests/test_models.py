from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from apps.catalog.models import Product, ProductQuerySet
from apps.core.errors import RuleViolation
from apps.core.tests.conventions import assert_querysets_take_options_by_keyword
from apps.markets.tests.factories import MarketFactory

from .factories import CategoryFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_str_is_the_name() -> None:
    assert str(ProductFactory(name="Oak Table")) == "Oak Table"
    assert str(CategoryFactory(name="Furniture")) == "Furniture"
    assert str(TagFactory(name="Handmade")) == "Handmade"


def test_queryset_reads() -> None:
    market, other = MarketFactory(), MarketFactory()
    on_sale = ProductFactory(market=market, name="Blue Mug", sku="MUG-1", stock=3)
    sold_out = ProductFactory(market=market, name="Red Mug", sku="MUG-2", stock=0)
    retired = ProductFactory(market=other, name="Green Plate", sku="PL-9", active=False)
    assert set(Product.objects.active()) == {on_sale, sold_out}
    assert list(Product.objects.inactive()) == [retired]
    assert set(Product.objects.in_stock()) == {on_sale, retired}
    assert list(Product.objects.out_of_stock()) == [sold_out]
    assert set(Product.objects.for_market(market.pk)) == {on_sale, sold_out}
    assert list(Product.objects.search("blue MUG")) == [on_sale]
    assert list(Product.objects.search("mug-2")) == [sold_out]
    assert list(Product.objects.search("pl-9 green")) == [retired]
    assert list(Product.objects.search("mug plate")) == []
    assert set(Product.objects.search("  ")) == {on_sale, sold_out, retired}
    assert list(Product.objects.active().in_stock().for_market(market.pk)) == [on_sale]
    assert Product.objects.sku_taken(market_id=market.pk, sku="MUG-1")
    assert not Product.objects.sku_taken(market_id=other.pk, sku="MUG-1")
    assert not Product.objects.sku_taken(market_id=market.pk, sku="MUG-1", exclude_id=on_sale.pk)
    assert Product.objects.slug_taken(market_id=market.pk, slug=on_sale.slug)


@pytest.mark.parametrize("field", ["sku", "slug"])
def test_taken_leaves_out_the_product_being_edited_and_only_it(field: str) -> None:
    market = MarketFactory()
    mug, plate = ProductFactory(market=market), ProductFactory(market=market)
    taken = getattr(Product.objects, f"{field}_taken")
    value = getattr(mug, field)
    assert taken(market_id=market.pk, **{field: value})
    assert not taken(market_id=market.pk, exclude_id=mug.pk, **{field: value})
    assert taken(market_id=market.pk, exclude_id=plate.pk, **{field: value})
    assert not taken(market_id=MarketFactory().pk, **{field: value})


def test_queryset_methods_take_their_options_by_keyword() -> None:
    assert_querysets_take_options_by_keyword(ProductQuerySet)


def test_counts_tell_active_from_inactive() -> None:
    ProductFactory.create_batch(3)
    ProductFactory(active=False, stock=0)
    assert Product.objects.counts() == {"all": 4, "active": 3, "inactive": 1, "out_of_stock": 1}


@pytest.mark.parametrize(("active", "change"), [(True, "activate"), (False, "deactivate")])
def test_a_product_read_back_refuses_the_state_it_is_in(active: bool, change: str) -> None:
    product = Product.objects.get(pk=ProductFactory(active=active).pk)
    with pytest.raises(RuleViolation, match="already"):
        getattr(product, change)()


def test_counts_take_one_query(django_assert_num_queries) -> None:
    ProductFactory(stock=0)
    ProductFactory(active=False, stock=0)
    ProductFactory(active=False)
    ProductFactory()
    with django_assert_num_queries(1):
        counts = Product.objects.counts()
    assert counts == {"all": 4, "active": 2, "inactive": 2, "out_of_stock": 2}


def test_counts_of_an_empty_catalog_are_zeros() -> None:
    assert Product.objects.counts() == {"all": 0, "active": 0, "inactive": 0, "out_of_stock": 0}


def test_with_relations_reads_any_number_of_rows_in_three_queries(
    django_assert_num_queries,
) -> None:
    tags = TagFactory.create_batch(3)
    for _ in range(12):
        ProductFactory(tags=tags[:2])
    with django_assert_num_queries(2):  # rows with market and category, then every tag
        products = list(Product.objects.with_relations())
    with django_assert_num_queries(0):
        shown = [
            (p.market_info.currency, p.category.name, [t.name for t in p.tags.all()])
            for p in products
        ]
    assert len(shown) == 12
    assert all(len(tags_shown) == 2 for _, _, tags_shown in shown)


def test_status_and_link() -> None:
    product = ProductFactory(sku="A B&C")
    assert product.status == "active"
    assert product.get_absolute_url() == f"/products/{product.pk}/"
    product.active = False
    assert product.status == "inactive"


@pytest.mark.parametrize(
    "change",
    [{"stock": -1}, {"price": Decimal("-0.01")}, {"name": ""}, {"sku": ""}],
    ids=["negative-stock", "negative-price", "blank-name", "blank-sku"],
)
def test_database_refuses_impossible_rows(change: dict[str, object]) -> None:
    product = ProductFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(**change)


@pytest.mark.parametrize("field", ["sku", "slug"])
def test_sku_and_slug_are_unique_per_market(field: str) -> None:
    market = MarketFactory()
    first = ProductFactory(market=market)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(market=market, **{field: getattr(first, field)})
    # The same value in another market is fine.
    ProductFactory(**{field: getattr(first, field)})
    assert Product.objects.filter(**{field: getattr(first, field)}).count() == 2


def test_a_category_in_use_cannot_be_deleted() -> None:
    product = ProductFactory()
    with pytest.raises(ProtectedError):
        product.category.delete()
    with pytest.raises(ProtectedError):
        product.market.delete()
