from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.markets import api as markets_api

from .models import Category, Product, Tag


class ViewOnlyAdmin(admin.ModelAdmin):
    """View-only: every change goes through the console's services and leaves an event."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MarketFilter(admin.SimpleListFilter):
    """Filter by market, with the choices the markets context offers."""

    title = "market"
    parameter_name = "market"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(market.pk), market.name) for market in markets_api.market_choices()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(market_id=value) if value and value.isdigit() else queryset


@admin.register(Product)
class ProductAdmin(ViewOnlyAdmin):
    list_display = [
        "name", "sku", "market_name", "category", "price", "stock", "active", "updated_at"
    ]  # fmt: skip
    list_filter = ["active", "category", MarketFilter]
    list_select_related = ["category"]
    search_fields = ["name", "sku"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # The market's name through the markets context's API, in the same query.
        return markets_api.with_market_details(super().get_queryset(request))

    @admin.display(description="Market", ordering="market_name")
    def market_name(self, product: Product) -> str:
        return product.market_info.name


@admin.register(Category)
class CategoryAdmin(ViewOnlyAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


@admin.register(Tag)
class TagAdmin(ViewOnlyAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
