from django.contrib import admin
from django.http import HttpRequest

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The audit trail is append-only: nobody edits or deletes history."""

    list_display = ["occurred_at", "context", "name", "aggregate_label", "actor"]
    list_filter = ["context", "name"]
    list_select_related = ["actor"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
