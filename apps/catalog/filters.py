from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.core.web.filters import AutocompleteFilter, ConsoleFilterSet
from apps.markets import api as markets_api

from . import selectors
from .models import Product, ProductQuerySet

YES_NO = [("yes", "Yes"), ("no", "No")]


def _markets(request: HttpRequest | None) -> QuerySet[Any]:
    return markets_api.market_choices()


def _categories(request: HttpRequest | None) -> QuerySet[Any]:
    return selectors.categories()


def _tags(request: HttpRequest | None) -> QuerySet[Any]:
    return selectors.tags()


class ProductFilter(ConsoleFilterSet):
    """The product list's filters; their values (slugs, yes/no) live in the URL."""

    search_placeholder = "Name or SKU"

    main_filters = ("q", "market", "active")
    q = django_filters.CharFilter(method="search_products", label="Search")
    market = AutocompleteFilter(
        queryset=_markets,
        to_field_name="slug",
        empty_label="Any market",
        autocomplete="markets:choices",
    )
    category = django_filters.ModelChoiceFilter(
        queryset=_categories, to_field_name="slug", empty_label="Any category"
    )
    tag = django_filters.ModelChoiceFilter(
        field_name="tags", queryset=_tags, to_field_name="slug", empty_label="Any tag"
    )
    active = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_active", label="Active", empty_label="Any"
    )
    in_stock = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_in_stock", label="In stock", empty_label="Any"
    )

    class Meta:
        model = Product
        fields = ["q", "market", "category", "tag", "active", "in_stock"]

    def search_products(self, queryset: ProductQuerySet, name: str, value: str) -> ProductQuerySet:
        return queryset.search(value)

    def filter_active(self, queryset: ProductQuerySet, name: str, value: str) -> ProductQuerySet:
        return queryset.active() if value == "yes" else queryset.inactive()

    def filter_in_stock(self, queryset: ProductQuerySet, name: str, value: str) -> ProductQuerySet:
        return queryset.in_stock() if value == "yes" else queryset.out_of_stock()
