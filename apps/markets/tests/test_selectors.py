"""The markets context's reads for its pages, the dashboard and the palette."""

from __future__ import annotations

import pytest
from django.http import Http404

from apps.core.tests.conventions import assert_selectors_take_one_positional_argument
from apps.markets import selectors
from apps.markets.models import MarketStatus

from .factories import MarketFactory

pytestmark = pytest.mark.django_db


def test_markets_lists_every_market_by_name() -> None:
    MarketFactory(name="Zinc", status=MarketStatus.ARCHIVED)
    MarketFactory(name="Amber")
    assert [m.name for m in selectors.markets()] == ["Amber", "Zinc"]


def test_a_market_by_its_slug_or_404() -> None:
    market = MarketFactory(slug="oak")
    assert selectors.market_or_404("oak") == market
    with pytest.raises(Http404):
        selectors.market_or_404("elm")


def test_counts_by_status_name_every_status_zeros_included() -> None:
    MarketFactory.create_batch(2, status=MarketStatus.ACTIVE)
    MarketFactory(status=MarketStatus.SUSPENDED)
    assert selectors.counts_by_status() == {"draft": 0, "active": 2, "suspended": 1, "archived": 0}


def test_suspended_count_is_what_the_suspended_filter_lists() -> None:
    MarketFactory.create_batch(2, status=MarketStatus.SUSPENDED)
    MarketFactory(status=MarketStatus.ACTIVE)
    assert selectors.suspended_count() == 2


def test_slug_taken_leaves_out_the_market_being_edited_and_only_it() -> None:
    oak, elm = MarketFactory(slug="oak"), MarketFactory(slug="elm")
    assert selectors.slug_taken("oak")
    assert not selectors.slug_taken("ash")
    assert not selectors.slug_taken("oak", exclude_id=oak.pk)
    assert selectors.slug_taken("oak", exclude_id=elm.pk)


def test_search_finds_by_name_or_slug_in_name_order_up_to_the_limit() -> None:
    MarketFactory(name="Nordic Wood", slug="nordic")
    MarketFactory(name="Alpine Wood", slug="alpine")
    MarketFactory(name="Harbour", slug="wood-harbour")
    MarketFactory(name="Glass", slug="glass")
    assert [m.name for m in selectors.search_markets("WOOD", limit=2)] == [
        "Alpine Wood",
        "Harbour",
    ]
    assert [m.name for m in selectors.search_markets("wood", limit=5)] == [
        "Alpine Wood",
        "Harbour",
        "Nordic Wood",
    ]
    assert selectors.search_markets("nothing", limit=5) == []


def test_selectors_take_one_positional_argument_at_most() -> None:
    assert_selectors_take_one_positional_argument(selectors)


def test_the_market_an_edit_form_posts_to_is_found_by_its_id_first() -> None:
    """The form carries the market's id: found by it even when the slug in the
    URL has since been renamed or taken by another market; without an id the
    slug names the market."""
    renamed = MarketFactory(slug="new-name")
    squatter = MarketFactory(slug="old-name")
    assert selectors.market_for_edit_or_404("old-name", market_id=str(renamed.pk)) == renamed
    assert selectors.market_for_edit_or_404("old-name", market_id=None) == squatter
    with pytest.raises(Http404):
        selectors.market_for_edit_or_404("no-such", market_id=None)


@pytest.mark.parametrize(
    "market_id",
    ["", "abc", "-1", "1.0", "\u0661", "\u00b2", " 1", "9" * 19, "9" * 40, "0"],
)
def test_an_edit_forms_id_that_is_no_primary_key_is_no_market(market_id: str) -> None:
    """Anything but ASCII digits is no market (404); so is a number past the
    database's integer (19 digits and more: past 2**63 - 1), never a 500."""
    MarketFactory(slug="old-name")
    with pytest.raises(Http404):
        selectors.market_for_edit_or_404("old-name", market_id=market_id)


def test_an_edit_forms_id_of_digits_is_looked_up() -> None:
    market = MarketFactory(pk=7)  # one digit
    for market_id in ("7", "7".rjust(18, "0")):
        assert selectors.market_for_edit_or_404("whatever", market_id=market_id) == market
