"""Stock moves inside the order's transaction, through the catalog's API."""

from __future__ import annotations

import pytest
from django.db import transaction

from apps.catalog.api import StockLine, reserve_stock, return_stock
from apps.catalog.models import Product
from apps.core.cache import cache_version
from apps.core.errors import InvalidInput

from .factories import ProductFactory

pytestmark = pytest.mark.django_db


def _stock(*products: Product) -> list[int]:
    return [Product.objects.get(pk=p.pk).stock for p in products]


def _place(*lines: StockLine) -> None:
    with transaction.atomic():
        reserve_stock(lines)


def test_placing_takes_the_stock() -> None:
    mug, plate = ProductFactory(stock=5), ProductFactory(stock=2)
    _place(StockLine(mug.pk, 3), StockLine(plate.pk, 2))
    assert _stock(mug, plate) == [2, 0]


def test_two_lines_of_one_product_count_together() -> None:
    mug = ProductFactory(stock=5)
    _place(StockLine(mug.pk, 2), StockLine(mug.pk, 3))
    assert _stock(mug) == [0]
    cup = ProductFactory(name="Cup", stock=1)
    with pytest.raises(InvalidInput, match="Cup: 1 left, 2 wanted"):
        _place(StockLine(cup.pk, 1), StockLine(cup.pk, 1))
    assert _stock(cup) == [1]


def test_a_shortage_names_the_product_and_leaves_every_stock_unchanged() -> None:
    # Taken in product id order: the mug first, then the plate is short.
    mug = ProductFactory(name="Blue Mug", stock=5)
    plate = ProductFactory(name="Big Plate", stock=1)
    with pytest.raises(InvalidInput) as raised:
        _place(StockLine(mug.pk, 2), StockLine(plate.pk, 3))
    assert raised.value.message == "Not enough stock for Big Plate: 1 left, 3 wanted."
    assert _stock(mug, plate) == [5, 1]


def test_a_shortage_undoes_its_own_work_even_if_the_caller_carries_on() -> None:
    mug, plate = ProductFactory(stock=5), ProductFactory(stock=0)
    with transaction.atomic():
        with pytest.raises(InvalidInput, match="0 left, 1 wanted"):
            reserve_stock([StockLine(mug.pk, 1), StockLine(plate.pk, 1)])
        assert _stock(mug, plate) == [5, 0]


def test_a_product_that_vanished_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no longer in the catalog"):
        _place(StockLine(0, 1))


def test_a_negative_quantity_is_refused() -> None:
    mug = ProductFactory(stock=5)
    with pytest.raises(InvalidInput, match="cannot be negative"):
        _place(StockLine(mug.pk, -2))
    assert _stock(mug) == [5]


def test_the_whole_order_rolls_back_with_the_stock() -> None:
    mug = ProductFactory(stock=5)

    def place_then_fail() -> None:
        with transaction.atomic():
            reserve_stock([StockLine(mug.pk, 4)])
            raise RuntimeError("the payment gateway exploded")

    with pytest.raises(RuntimeError):
        place_then_fail()
    assert _stock(mug) == [5]


def test_cancelling_puts_the_stock_back() -> None:
    mug, plate = ProductFactory(stock=0), ProductFactory(stock=1)
    with transaction.atomic():
        return_stock([StockLine(mug.pk, 3), StockLine(plate.pk, 1)])
    assert _stock(mug, plate) == [3, 2]


def test_stock_changes_refresh_the_sidebar_on_commit(django_capture_on_commit_callbacks) -> None:
    mug = ProductFactory(stock=5)
    before = cache_version("catalog")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _place(StockLine(mug.pk, 1))
        assert cache_version("catalog") == before
    assert len(callbacks) == 1
    placed = cache_version("catalog")
    assert placed != before
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        return_stock([StockLine(mug.pk, 1)])
    assert cache_version("catalog") != placed
