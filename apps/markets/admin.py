from django.contrib import admin
from django.http import HttpRequest

from .models import Market


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin):
    """View-only: every change goes through the console's services and leaves an event."""

    list_display = ["name", "slug", "status", "currency", "updated_at"]
    list_filter = ["status", "currency"]
    search_fields = ["name", "slug"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
