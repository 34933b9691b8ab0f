"""Use cases of the accounts context."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.errors import InvalidInput
from apps.core.text import require_length

from .models import ApiToken, Profile, User

# What the API tokens page offers (days): a token never lives for ever.
TOKEN_LIFETIMES = (7, 30, 90, 365)


def record_user_activity(*, user_id: int) -> bool:
    """Stamp the user's ``last_active``, at most once per interval.

    The cache ``add`` is the throttle (no query at all on most requests);
    the conditional UPDATE is the guarantee when several processes race or
    the cache is down. Returns whether a write was attempted.
    """
    interval = settings.LAST_ACTIVE_INTERVAL_SECONDS
    if not cache.add(f"accounts:last-active:{user_id}", 1, timeout=interval):
        return False
    now = timezone.now()
    stale = Q(last_active__isnull=True) | Q(last_active__lt=now - timedelta(seconds=interval))
    Profile.objects.filter(stale, user_id=user_id).update(last_active=now)
    return True


def upsert_staff_user(
    *,
    username: str,
    password: str,
    role: str | None,
    first_name: str = "",
    last_name: str = "",
    is_superuser: bool = False,
) -> User:
    """Create or refresh a staff user with exactly the given role.

    Idempotent: running it again resets the password and role, so demo
    sign-ins always work with the printed password.
    """
    with transaction.atomic():
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = first_name
        user.last_name = last_name
        user.email = f"{username}@example.com"
        user.is_staff = True
        user.is_superuser = is_superuser
        user.set_password(password)
        user.save()
        groups = list(Group.objects.filter(name=role)) if role else []
        if role and not groups:
            raise ValueError(f"Unknown role {role!r}: run migrations first.")
        user.groups.set(groups)
    return user


@transaction.atomic
def create_api_token(*, actor: User, name: str, days: int) -> tuple[ApiToken, str]:
    """A personal API token for ``actor``: the row (its hash) and the token itself,
    which is shown once and never stored."""
    name = require_length(name.strip(), field="name", label="A name", max_length=80)
    if not name:
        raise InvalidInput("Give the token a name, to tell it apart later.", field="name")
    if days not in TOKEN_LIFETIMES:
        choices = ", ".join(str(choice) for choice in TOKEN_LIFETIMES)
        raise InvalidInput(f"A token expires after {choices} days.", field="days")
    return ApiToken.objects.create(user=actor, expiry=timedelta(days=days), name=name)


def revoke_api_token(*, actor: User, token_key: str) -> int:
    """Delete the actor's own token(s) starting ``token_key``; how many went (0 or 1)."""
    deleted, _ = ApiToken.objects.filter(user=actor, token_key=token_key).delete()
    return deleted
