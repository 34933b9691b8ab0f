from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed

from apps.core.errors import RuleViolation
from apps.core.tests.conventions import assert_querysets_take_options_by_keyword
from apps.markets.models import Market, MarketQuerySet, MarketStatus

from .factories import MarketFactory

pytestmark = pytest.mark.django_db

D, A, S, X = MarketStatus.DRAFT, MarketStatus.ACTIVE, MarketStatus.SUSPENDED, MarketStatus.ARCHIVED
ARGUMENTS = {"suspend": {"reason": "Fraud reports"}}

# Every (state, transition) pair: the target, or None where it is refused.
TABLE: dict[tuple[str, str], str | None] = {
    (D, "publish"): A, (D, "suspend"): None, (D, "reinstate"): None, (D, "archive"): X,
    (A, "publish"): None, (A, "suspend"): S, (A, "reinstate"): None, (A, "archive"): None,
    (S, "publish"): None, (S, "suspend"): None, (S, "reinstate"): A, (S, "archive"): X,
    (X, "publish"): None, (X, "suspend"): None, (X, "reinstate"): None, (X, "archive"): None,
}  # fmt: skip


@pytest.mark.parametrize(("state", "name"), list(TABLE))
def test_every_state_and_transition_pair(state: str, name: str) -> None:
    market = MarketFactory(status=state)
    target = TABLE[(state, name)]
    method = getattr(market, name)
    if target is None:
        assert not can_proceed(method)
        with pytest.raises(TransitionNotAllowed):
            method(**ARGUMENTS.get(name, {}))
        assert market.status == state
    else:
        assert can_proceed(method)
        method(**ARGUMENTS.get(name, {}))
        assert market.status == target
        market.save()  # the state's invariants hold in the database
        market.refresh_from_db()
        assert market.status == target


def test_assigning_status_directly_raises() -> None:
    market = MarketFactory()
    with pytest.raises(AttributeError):
        market.status = MarketStatus.ACTIVE


def test_publish_needs_a_description() -> None:
    market = MarketFactory(description="  ")
    assert not can_proceed(market.publish)
    assert can_proceed(market.publish, check_conditions=False)


def test_suspend_needs_a_reason_and_keeps_the_state() -> None:
    market = MarketFactory(status=A)
    with pytest.raises(ValueError, match="reason is required"):
        market.suspend(reason="   ")
    assert market.status == A


def test_publish_and_suspend_stamp_their_times() -> None:
    market = MarketFactory()
    market.publish()
    assert market.published_at is not None
    market.suspend(reason=" Fraud ")
    assert market.suspension_reason == "Fraud"
    assert market.suspended_at is not None
    market.reinstate()
    assert market.suspension_reason == ""
    assert market.suspended_at is None


def test_a_stale_copy_cannot_save_a_second_transition() -> None:
    market = MarketFactory(status=A)
    first, second = Market.objects.get(pk=market.pk), Market.objects.get(pk=market.pk)
    first.suspend(reason="One")
    first.save()
    second.suspend(reason="Two")
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        second.save()
    market.refresh_from_db()
    assert market.suspension_reason == "One"


@pytest.mark.parametrize(
    ("status", "reason", "published"),
    [(S, "", True), (A, "", False)],
    ids=["suspended-without-reason", "active-never-published"],
)
def test_database_refuses_impossible_rows(status: str, reason: str, published: bool) -> None:
    market = MarketFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Market.objects.filter(pk=market.pk).update(
            status=status,
            suspension_reason=reason,
            published_at=market.created_at if published else None,
        )


def test_queryset_reads() -> None:
    draft = MarketFactory(name="Alpha Books", slug="alpha-books")
    active = MarketFactory(name="Beta Tools", slug="beta-tools", status=A)
    suspended = MarketFactory(status=S)
    assert list(Market.objects.draft()) == [draft]
    assert list(Market.objects.active()) == [active]
    assert list(Market.objects.suspended()) == [suspended]
    assert list(Market.objects.by_slug("beta-tools")) == [active]
    assert list(Market.objects.search("alpha BOOKS")) == [draft]
    assert list(Market.objects.search("beta-t")) == [active]
    assert Market.objects.counts_by_status() == {D: 1, A: 1, S: 1, X: 0}
    assert Market.objects.slug_taken("alpha-books")
    assert not Market.objects.slug_taken("alpha-books", exclude_id=draft.pk)


def test_edit_rules_follow_the_state() -> None:
    market = MarketFactory()
    assert market.edit(currency="USD", name=market.name) == ["currency"]
    live = MarketFactory(status=A)
    with pytest.raises(
        ValueError, match="currency of a market can change only while it is a Draft"
    ):
        live.edit(currency="USD")
    assert live.edit(description="New words") == ["description"]
    archived = MarketFactory(status=X)
    assert archived.editable_fields() == set()
    with pytest.raises(ValueError, match="archived market cannot be changed"):
        archived.edit(description="x")


# A market read back from the database has a plain str status, not the enum
# member the factory assigned: the rules must hold for it too.
def _read_back(status: MarketStatus) -> Market:
    return Market.objects.get(pk=MarketFactory(status=status).pk)


def test_a_market_read_back_accepts_orders_only_while_active() -> None:
    assert _read_back(MarketStatus.ACTIVE).accepts_orders
    for status in (MarketStatus.DRAFT, MarketStatus.SUSPENDED, MarketStatus.ARCHIVED):
        assert not _read_back(status).accepts_orders, status


def test_a_market_read_back_has_the_editable_fields_of_its_state() -> None:
    assert _read_back(MarketStatus.DRAFT).editable_fields() == {
        "name",
        "slug",
        "currency",
        "description",
    }
    assert _read_back(MarketStatus.ACTIVE).editable_fields() == {"name", "description"}
    assert _read_back(MarketStatus.ARCHIVED).editable_fields() == set()


def test_an_archived_market_read_back_refuses_any_change_and_says_so() -> None:
    market = _read_back(MarketStatus.ARCHIVED)
    with pytest.raises(RuleViolation, match="An archived market cannot be changed"):
        market.edit(name="Renamed")
    assert Market.objects.get(pk=market.pk).name == market.name


def test_queryset_methods_take_their_options_by_keyword() -> None:
    assert_querysets_take_options_by_keyword(MarketQuerySet)
