from __future__ import annotations

import factory
from django.utils import timezone

from apps.markets.models import Currency, Market, MarketStatus


class MarketFactory(factory.django.DjangoModelFactory[Market]):
    """Markets in any state. ``status`` is set at construction, the one time
    the protected field may be assigned; the state's invariants come along."""

    class Meta:
        model = Market

    name = factory.Sequence(lambda n: f"Market {n:04d}")
    slug = factory.Sequence(lambda n: f"market-{n:04d}")
    description = "A market for tests."
    currency = Currency.EUR
    status = MarketStatus.DRAFT
    published_at = factory.LazyAttribute(
        lambda o: (
            timezone.now() if o.status in (MarketStatus.ACTIVE, MarketStatus.SUSPENDED) else None
        )
    )
    suspension_reason = factory.LazyAttribute(
        lambda o: "Under review." if o.status == MarketStatus.SUSPENDED else ""
    )
    suspended_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == MarketStatus.SUSPENDED else None
    )
