"""How accounts reacts to events: a profile per user, roles after migrating."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate, post_save
from django.dispatch import receiver

from .models import Profile
from .roles import CONSOLE_CONTEXTS, sync_roles


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
