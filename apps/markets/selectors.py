"""Reads of the markets context: for its pages, the dashboard and the palette."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from apps.core.fetching import peers, strict

from .models import Market, MarketQuerySet


def markets() -> MarketQuerySet:
    return strict(Market.objects.all())


def market_or_404(slug: str) -> Market:
    return get_object_or_404(strict(Market.objects.all()), slug=slug)


def market_for_edit_or_404(slug: str, *, market_id: str | None) -> Market:
    """The market an edit form posts to: by the id the form carries, else by slug.

    The form carries the id because another editor may rename the slug while
    it is open: posted to the old slug's URL, the save must still find its
    market (and then get the usual 409 for the newer version), not a 404,
    nor whichever market has taken the old slug since. Without an id (a
    script posting to ``/markets/<slug>/edit/``) the slug names the market.
    """
    if market_id is not None:
        # A primary key is a whole number: anything else is no market. One
        # past the column's range is none either (Django finds no rows for an
        # out-of-range integer lookup rather than sending it to the database).
        if not (market_id.isascii() and market_id.isdigit()):
            raise Http404("No such market.")
        return get_object_or_404(Market.objects.all(), pk=int(market_id))
    return market_or_404(slug)


def counts_by_status() -> dict[str, int]:
    return Market.objects.counts_by_status()


def suspended_count() -> int:
    """The dashboard's "Suspended markets": what ``?status=suspended`` lists."""
    return Market.objects.suspended().count()


def slug_taken(slug: str, *, exclude_id: int | None = None) -> bool:
    return Market.objects.slug_taken(slug, exclude_id=exclude_id)


def market_choices(query: str, *, limit: int) -> list[tuple[str, str, int]]:
    """``(slug, name, id)`` of the markets matching ``query`` (every market for ""), by name."""
    rows = Market.objects.search(query).order_by("name", "pk").values_list("slug", "name", "pk")
    return list(rows[:limit])


def search_markets(query: str, *, limit: int) -> list[Market]:
    return list(peers(Market.objects.search(query)).order_by("name")[:limit])


def has_creator_with_email(market_id: int) -> bool:
    """Whether the market has a creator with an email address to tell (one query)."""
    return Market.objects.filter(pk=market_id, created_by__email__gt="").exists()
