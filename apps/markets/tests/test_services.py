from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.dispatch import receiver

from apps.activity.models import Event
from apps.core.errors import ConcurrentChange, InvalidInput, NotPermitted, TransitionNotAllowed
from apps.core.events import events_recorded
from apps.markets import services, signals
from apps.markets.models import Market, MarketStatus

from .factories import MarketFactory

A, S = MarketStatus.ACTIVE, MarketStatus.SUSPENDED


def test_create_market_makes_a_draft_with_its_event(
    manager, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        market = services.create_market(actor=manager, name=" Alpha Books ", currency="EUR")
    assert (market.name, market.slug, market.status) == ("Alpha Books", "alpha-books", "draft")
    event = Event.objects.get()
    assert (event.name, event.actor, event.aggregate_id) == (
        "market_created",
        manager,
        str(market.pk),
    )


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        ({"name": "  "}, "name", "needs a name"),
        ({"name": "Alpha", "slug": "taken"}, "slug", "already used"),
        ({"name": "!!!"}, "slug", "at least one letter"),
    ],
)
def test_create_market_refuses_bad_input_and_changes_nothing(
    manager, arguments: dict[str, str], field: str, message: str
) -> None:
    MarketFactory(slug="taken")
    with pytest.raises(InvalidInput, match=message) as raised:
        services.create_market(actor=manager, currency="EUR", **arguments)
    assert raised.value.field == field
    assert Market.objects.count() == 1
    assert not Event.objects.exists()


def test_publish_records_the_event_and_announces_it_only_on_commit(
    manager, django_capture_on_commit_callbacks
) -> None:
    market = MarketFactory()
    heard: list[Any] = []

    @receiver(signals.market_published, weak=False, dispatch_uid="test.heard")
    def listen(sender: type, event: Any, market: Market, **kwargs: Any) -> None:
        heard.append((event.name, market.status))

    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.publish_market(actor=manager, market_id=market.pk)
            # Recorded inside the transaction, not yet announced.
            assert Event.objects.filter(name="market_published").count() == 1
            assert heard == []
        for callback in callbacks:
            callback()
    finally:
        signals.market_published.disconnect(dispatch_uid="test.heard")
    assert heard == [("market_published", A)]
    event = Event.objects.get(name="market_published")
    assert (event.from_state, event.to_state, event.actor) == ("draft", "active", manager)


def test_a_failure_after_the_change_leaves_no_change_and_no_event(manager) -> None:
    market = MarketFactory(status=A)

    @receiver(events_recorded, weak=False, dispatch_uid="test.explode")
    def explode(sender: type, **kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    try:
        with pytest.raises(RuntimeError):
            services.suspend_market(actor=manager, market_id=market.pk, reason="Fraud")
    finally:
        events_recorded.disconnect(dispatch_uid="test.explode")
    market.refresh_from_db()
    assert market.status == A
    assert market.suspension_reason == ""
    assert not Event.objects.exists()


def test_suspend_records_the_reason(manager) -> None:
    market = MarketFactory(status=A)
    services.suspend_market(actor=manager, market_id=market.pk, reason="  Counterfeits  ")
    market.refresh_from_db()
    assert (market.status, market.suspension_reason) == (S, "Counterfeits")
    assert Event.objects.get().reason == "Counterfeits"


def test_suspend_without_a_reason_is_refused(manager) -> None:
    market = MarketFactory(status=A)
    with pytest.raises(InvalidInput, match="reason is required") as raised:
        services.suspend_market(actor=manager, market_id=market.pk, reason=" ")
    assert raised.value.field == "reason"
    market.refresh_from_db()
    assert market.status == A
    assert not Event.objects.exists()


def test_a_transition_the_state_forbids_is_refused(manager) -> None:
    market = MarketFactory()
    with pytest.raises(TransitionNotAllowed, match="is Draft: Reinstate is not possible"):
        services.reinstate_market(actor=manager, market_id=market.pk)
    assert not Event.objects.exists()


def test_a_failing_condition_gives_its_reason(manager) -> None:
    market = MarketFactory(description="")
    with pytest.raises(TransitionNotAllowed, match="needs a description"):
        services.publish_market(actor=manager, market_id=market.pk)


@pytest.mark.parametrize("role", ["viewer", "agent", "finance"])
def test_roles_without_the_permission_are_refused(role: str, request) -> None:
    user = request.getfixturevalue(role)
    market = MarketFactory()
    with pytest.raises(NotPermitted):
        services.publish_market(actor=user, market_id=market.pk)
    with pytest.raises(NotPermitted):
        services.create_market(actor=user, name="X", currency="EUR")
    market.refresh_from_db()
    assert market.status == MarketStatus.DRAFT


def test_a_concurrent_change_is_refused(manager, monkeypatch) -> None:
    market = MarketFactory(status=A)
    # Another request suspends the market between our read and our save.
    original = Market.suspend

    def suspended_meanwhile(self: Market, *, reason: str) -> None:
        Market.objects.filter(pk=self.pk).update(
            status=S, suspension_reason="Other", suspended_at=self.published_at
        )
        original(self, reason=reason)

    monkeypatch.setattr(Market, "suspend", suspended_meanwhile)
    monkeypatch.setattr(Market.suspend, "_django_fsm", original._django_fsm, raising=False)
    with pytest.raises(ConcurrentChange, match="changed by someone else"):
        services.suspend_market(actor=manager, market_id=market.pk, reason="Mine")


def test_update_market_saves_changes_and_records_which(manager) -> None:
    market = MarketFactory(status=A, name="Old name")
    services.update_market(
        actor=manager,
        market_id=market.pk,
        version=market.version,
        name="Renamed",
        description="New",
    )
    market.refresh_from_db()
    assert market.name == "Renamed"
    assert Event.objects.get().payload == {
        "changed": {
            "name": {"old": "Old name", "new": "Renamed"},
            "description": {"old": "A market for tests.", "new": "New"},
        }
    }
    with pytest.raises(InvalidInput, match="currency"):
        services.update_market(
            actor=manager, market_id=market.pk, version=market.version, currency="USD"
        )
    # Nothing changed: no second event.
    services.update_market(
        actor=manager, market_id=market.pk, version=market.version, name="Renamed"
    )
    assert Event.objects.count() == 1


def test_bulk_reports_each_row(manager) -> None:
    ready = MarketFactory(name="A ready")
    bare = MarketFactory(name="B bare", description="")
    live = MarketFactory(name="C live", status=A)
    outcome = services.bulk_transition_markets(
        actor=manager, market_ids=[ready.pk, bare.pk, live.pk], action="publish"
    )
    assert [m.pk for m in outcome.done] == [ready.pk]
    assert [(m.pk, reason) for m, reason in outcome.skipped] == [
        (bare.pk, "Publish is not possible: A market needs a description before it is published."),
        (live.pk, "C live is Active: Publish is not possible."),
    ]
    assert Event.objects.filter(name="market_published").count() == 1


def test_superusers_may_do_everything(superuser) -> None:
    market = MarketFactory()
    assert not Group.objects.filter(user=superuser).exists()
    services.publish_market(actor=superuser, market_id=market.pk)


def test_a_long_name_gets_a_slug_that_fits_and_an_overlong_one_a_message(manager) -> None:
    market = services.create_market(actor=manager, name="Word " * 23, currency="EUR")
    assert len(market.slug) <= 80
    with pytest.raises(InvalidInput, match="at most 120 characters") as raised:
        services.create_market(actor=manager, name="x" * 121, currency="EUR")
    assert raised.value.field == "name"
