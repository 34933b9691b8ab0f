"""How the markets context reacts to its own events: fresh sidebars."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from apps.core.cache import bump_cache_version

from . import signals

CACHE_NAMESPACE = "markets"


@receiver(signals.market_created, dispatch_uid="markets.cache.created")
@receiver(signals.market_updated, dispatch_uid="markets.cache.updated")
@receiver(signals.market_published, dispatch_uid="markets.cache.published")
@receiver(signals.market_suspended, dispatch_uid="markets.cache.suspended")
@receiver(signals.market_reinstated, dispatch_uid="markets.cache.reinstated")
@receiver(signals.market_archived, dispatch_uid="markets.cache.archived")
def invalidate_market_fragments(sender: type, **kwargs: Any) -> None:
    # These signals are sent on commit, so the next render sees the new state.
    bump_cache_version(CACHE_NAMESPACE)
