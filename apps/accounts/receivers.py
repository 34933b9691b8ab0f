"""How accounts reacts to events: a profile per user, roles after migrating."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_migrate, post_save
from django.dispatch import receiver

from apps.core.cache import bump_cache_version

from .models import Profile, User
from .roles import CONSOLE_CONTEXTS, ROLES_CACHE, sync_roles


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.create_profile")
def create_profile(
    sender: type, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    # ``raw`` is set while loading fixtures; they bring their own profiles.
    if created and not raw:
        Profile.objects.get_or_create(user=instance)


@receiver(post_migrate, dispatch_uid="accounts.sync_roles")
def sync_roles_after_migrate(sender: AppConfig, apps: Any = None, **kwargs: Any) -> None:
    # post_migrate fires once per app, after that app's permissions exist;
    # re-syncing after each console context attaches its permissions.
    if apps is None or sender.label not in CONSOLE_CONTEXTS:
        return
    sync_roles(apps)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="accounts.roles_changed_groups")
@receiver(
    m2m_changed, sender=User.user_permissions.through, dispatch_uid="accounts.roles_changed_perms"
)
@receiver(
    m2m_changed, sender=Group.permissions.through, dispatch_uid="accounts.roles_changed_group"
)
def roles_changed(sender: type, action: str, **kwargs: Any) -> None:
    # Every user's cached role label (roles.role_label) is recomputed.
    if action in {"post_add", "post_remove", "post_clear"}:
        bump_cache_version(ROLES_CACHE)
