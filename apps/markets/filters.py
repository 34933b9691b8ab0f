from __future__ import annotations

import django_filters

from apps.core.web.filters import ConsoleFilterSet

from .models import Currency, Market, MarketQuerySet, MarketStatus


class MarketFilter(ConsoleFilterSet):
    """The market list's filters; their values live in the URL."""

    search_placeholder = "Name or slug"

    q = django_filters.CharFilter(method="search_markets", label="Search")
    status = django_filters.ChoiceFilter(choices=MarketStatus.choices, empty_label="Any status")
    currency = django_filters.ChoiceFilter(choices=Currency.choices, empty_label="Any currency")

    class Meta:
        model = Market
        fields = ["q", "status", "currency"]

    def search_markets(self, queryset: MarketQuerySet, name: str, value: str) -> MarketQuerySet:
        return queryset.search(value)
