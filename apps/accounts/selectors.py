"""Reads of the accounts context."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from .models import ApiToken, User


def api_tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens that have not expired, newest first (one query)."""
    now = timezone.now()
    return list(
        ApiToken.objects.filter(user=user).filter(Q(expiry__isnull=True) | Q(expiry__gt=now))
    )
