"""Reads of the catalog context: for its list and the palette."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.core.fetching import peers, strict
from apps.markets import api as markets_api

from .models import Category, Product, ProductQuerySet, Tag


def products_for_list() -> ProductQuerySet:
    return strict(Product.objects.with_relations())


def counts() -> dict[str, int]:
    """The sidebar's numbers, in one query: all, active, inactive, out of stock."""
    return Product.objects.counts()


def search_products(query: str, *, limit: int) -> list[Product]:
    products = peers(
        markets_api.with_market_details(Product.objects.search(query)).order_by("sku", "pk")
    )
    return list(products[:limit])


def product_for_page(product_id: int) -> Product:
    """A product with its market, category and tags, for its page."""
    return get_object_or_404(strict(Product.objects.with_relations()), pk=product_id)


def categories() -> QuerySet[Category]:
    """Every category by name (their Meta ordering): the list's filter choices."""
    return Category.objects.all()


def tags() -> QuerySet[Tag]:
    """Every tag by name: the list's filter choices."""
    return Tag.objects.all()
