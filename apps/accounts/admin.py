from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from apps.activity import api as activity

from .models import Profile, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    readonly_fields = ["last_active"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Staff are deactivated, not deleted, once the audit trail names them.

    Deleting would take their name off what they did (and ``Event.actor`` is
    PROTECT, so the database refuses it anyway): the delete page says so and
    points to **Active** instead; the bulk delete is replaced by deactivation.
    """

    inlines = [ProfileInline]
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "last_login"]
    actions = ["deactivate"]

    def get_actions(
        self, request: HttpRequest, action_location: ActionLocation = ActionLocation.CHANGE_LIST
    ) -> dict[str, Any]:
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        user = self.get_object(request, object_id)
        if user is not None and activity.has_acted(user.pk):
            messages.error(
                request,
                f"{user.get_username()} cannot be deleted: the activity trail records what they "
                "did. Deactivate them instead (untick Active and save).",
            )
            return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))
        return super().delete_view(request, object_id, extra_context)

    @admin.action(description="Deactivate selected users (they can no longer sign in)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = queryset.filter(is_active=True).update(is_active=False)
        self.message_user(request, f"Deactivated {count} user{'s' if count != 1 else ''}.")
