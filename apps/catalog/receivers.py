"""How the catalog reacts to its own events: fresh sidebars once a change is durable.

Stock is not moved here: the orders context calls ``apps.catalog.api``
inside its transaction, since an order cannot be placed without it.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from apps.core.cache import bump_cache_version

from . import signals
from .api import CACHE_NAMESPACE

__all__ = ["CACHE_NAMESPACE", "invalidate_catalog_fragments"]


@receiver(signals.product_created, dispatch_uid="catalog.cache.created")
@receiver(signals.products_activated, dispatch_uid="catalog.cache.activated")
@receiver(signals.products_deactivated, dispatch_uid="catalog.cache.deactivated")
def invalidate_catalog_fragments(sender: type, **kwargs: Any) -> None:
    # These signals are sent on commit, so the next render sees the new state.
    bump_cache_version(CACHE_NAMESPACE)
