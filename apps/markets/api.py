"""What other contexts may ask of the markets context: the only markets module they import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.utils.functional import cached_property

from apps.core.links import page_url

from .models import Currency, Market, MarketStatus, takes_orders


@dataclass(frozen=True)
class MarketSummary:
    """A market as another context needs to name it, link to it and know whether it trades."""

    market_id: int
    name: str
    slug: str
    currency: str
    status: str
    status_display: str
    is_open: bool

    @property
    def url(self) -> str:
        return page_url("markets:detail", self.slug)

    @property
    def currency_display(self) -> str:
        return str(Currency(self.currency).label)


def _summary(market_id: int, name: str, slug: str, currency: str, status: str) -> MarketSummary:
    state = MarketStatus(status)
    return MarketSummary(
        market_id=market_id,
        name=name,
        slug=slug,
        currency=currency,
        status=state.value,
        status_display=state.label,
        is_open=takes_orders(state),
    )


def market_is_open(market_id: int) -> bool:
    """Whether orders may be placed and charged in this market now."""
    return Market.objects.accepting_orders().filter(pk=market_id).exists()


def market_exists(market_id: int) -> bool:
    return Market.objects.filter(pk=market_id).exists()


SUMMARY_FIELDS = ("pk", "name", "slug", "currency", "status")


def market_summary(market_id: int, *, lock: bool = False) -> MarketSummary | None:
    """Name, link, currency and state of a market, or None when it does not exist.

    ``lock=True`` holds the market's row until the caller's transaction ends
    (``FOR NO KEY UPDATE`` on PostgreSQL): the market's transitions, which
    lock it, wait; rows that only refer to it (their foreign-key checks) do not.
    """
    markets = Market.objects.select_for_update(no_key=True) if lock else Market.objects.all()
    row = markets.filter(pk=market_id).values_list(*SUMMARY_FIELDS).first()
    return None if row is None else _summary(*row)


MARKET_DETAILS = ("name", "slug", "currency", "status")


def with_market_details[Q: QuerySet[Any]](queryset: Q, relation: str = "market") -> Q:
    """Annotate another context's rows with their market, in the same query.

    ``relation`` is the path of the ForeignKey; each row gains ``market_name``,
    ``market_slug``, ``market_currency`` and ``market_status`` (sortable and
    filterable like columns), and ``summary_of(row)`` makes a MarketSummary of them.
    """
    return queryset.annotate(
        **{f"market_{field}": F(f"{relation}__{field}") for field in MARKET_DETAILS}
    )


def summary_of(row: Any) -> MarketSummary:
    """The MarketSummary of a row annotated by ``with_market_details`` (no query)."""
    return _summary(
        row.market_id, row.market_name, row.market_slug, row.market_currency, row.market_status
    )


def is_annotated(row: Any) -> bool:
    return hasattr(row, "market_status")


def market_choices() -> QuerySet[Market]:
    """Every market by name: what a "market" filter of another context offers."""
    return Market.objects.order_by("name")


class InAMarket:
    """Mixed into another context's model that belongs to a market (``market_id``).

    That context reads the market's name, link, currency and state through
    ``market_info``, never through the ForeignKey's object (which would reach
    into this context's model).
    """

    market_id: int

    @cached_property
    def market_info(self) -> MarketSummary:
        """From the row's annotations (``with_market_details``), else one query."""
        if is_annotated(self):
            return summary_of(self)
        summary = market_summary(self.market_id)
        # The foreign key guarantees the market exists.
        assert summary is not None
        return summary
