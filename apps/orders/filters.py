from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.http import HttpRequest

from apps.core.web.filters import AutocompleteFilter, ConsoleFilterSet
from apps.markets import api as markets_api

from .models import Order, OrderQuerySet, OrderStatus


def _markets(request: HttpRequest | None) -> Any:
    return markets_api.market_choices()


class OrderFilter(ConsoleFilterSet):
    """The order list's filters (and the CSV export's: same URL parameters)."""

    search_placeholder = "Order number or email"

    q = django_filters.CharFilter(method="search_orders", label="Search")
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, empty_label="Any status")
    # By id (``?market=<id>``, UI.md); the picker asks /markets/choices.json.
    market = AutocompleteFilter(
        queryset=_markets,
        empty_label="Any market",
        autocomplete="markets:choices",
        value_field="id",
    )
    placed_from = django_filters.DateFilter(
        field_name="placed_at", lookup_expr="date__gte", label="Placed from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    placed_to = django_filters.DateFilter(
        field_name="placed_at", lookup_expr="date__lte", label="Placed to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    total_min = django_filters.NumberFilter(
        field_name="total", lookup_expr="gte", label="Total from"
    )
    total_max = django_filters.NumberFilter(field_name="total", lookup_expr="lte", label="Total to")
    failed_payment_on = django_filters.DateFilter(
        method="filter_failed_payment_on", label="Failed payment on",
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip

    class Meta:
        model = Order
        fields = [
            "q", "status", "market", "placed_from", "placed_to", "total_min", "total_max",
            "failed_payment_on",
        ]  # fmt: skip

    def filter_failed_payment_on(
        self, queryset: OrderQuerySet, name: str, value: Any
    ) -> OrderQuerySet:
        return queryset.with_failed_payment_on(value)

    def search_orders(self, queryset: OrderQuerySet, name: str, value: str) -> OrderQuerySet:
        return queryset.search(value)
