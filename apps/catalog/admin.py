from django.contrib import admin
from django.http import HttpRequest

from .models import Category, Product, Tag


class ViewOnlyAdmin(admin.ModelAdmin):
    """View-only: every change goes through the console's services and leaves an event."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(ViewOnlyAdmin):
    list_display = ["name", "sku", "market", "category", "price", "stock", "active", "updated_at"]
    list_filter = ["active", "category", "market"]
    list_select_related = ["market", "category"]
    search_fields = ["name", "sku"]


@admin.register(Category)
class CategoryAdmin(ViewOnlyAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


@admin.register(Tag)
class TagAdmin(ViewOnlyAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
