"""What other contexts may ask of the markets context: the only markets module they import."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Market, MarketStatus


@dataclass(frozen=True)
class MarketSummary:
    """A market as another context needs to name it and know whether it trades."""

    market_id: int
    name: str
    currency: str
    status_display: str
    is_open: bool


def market_is_open(market_id: int) -> bool:
    """Whether orders may be placed and charged in this market now."""
    return Market.objects.filter(pk=market_id, status=MarketStatus.ACTIVE).exists()


def market_exists(market_id: int) -> bool:
    return Market.objects.filter(pk=market_id).exists()


def market_summary(market_id: int) -> MarketSummary | None:
    """Name, currency and state of a market, or None when it does not exist."""
    market = Market.objects.filter(pk=market_id).first()
    if market is None:
        return None
    return MarketSummary(
        market_id=market.pk,
        name=market.name,
        currency=market.currency,
        status_display=market.get_status_display(),
        is_open=market.accepts_orders,
    )


def market_choices() -> QuerySet[Market]:
    """Every market by name: what a "market" filter of another context offers."""
    return Market.objects.order_by("name")
