"""Django's model backend, noting which role groups a user is in as it reads their permissions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from .roles import ROLE_GROUPS_CACHE


class RoleAwareModelBackend(ModelBackend):
    """``ModelBackend`` whose group-permission query also returns the groups' names.

    ``has_role`` (apps/accounts/roles.py) asks whether a user is in one of
    the role groups; every page asks it. The names come from the query that
    reads the user's group permissions anyway (which the views' permission
    checks then reuse), so knowing the groups costs no query. Every role
    group grants at least the ``view_*`` permissions, so a member's row is
    always there.
    """

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if (
            not user_obj.is_active
            or user_obj.is_anonymous
            or obj is not None
            or user_obj.is_superuser  # every permission: Django's own query
        ):
            return super().get_group_permissions(user_obj, obj)
        if not hasattr(user_obj, "_group_perm_cache"):
            groups_field = get_user_model()._meta.get_field("groups")
            rows = (
                Permission.objects.filter(
                    **{f"group__{groups_field.related_query_name()}": user_obj}
                )
                .values_list("content_type__app_label", "codename", "group__name")
                .order_by()
            )
            user_obj._group_perm_cache = {f"{app}.{codename}" for app, codename, _ in rows}
            setattr(user_obj, ROLE_GROUPS_CACHE, {group for _, _, group in rows})
        return user_obj._group_perm_cache
