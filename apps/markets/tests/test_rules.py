"""What may change in a market and when, its limits, and what its timeline records."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.management import call_command
from django.dispatch import receiver

from apps.activity.models import Event
from apps.core.errors import DomainError, InvalidInput, NotPermitted, TransitionNotAllowed
from apps.core.events import events_recorded
from apps.core.tests.conventions import assert_keyword_only
from apps.markets import services
from apps.markets.models import Market, MarketStatus

from .factories import MarketFactory

pytestmark = pytest.mark.django_db
D, A, S, X = MarketStatus.DRAFT, MarketStatus.ACTIVE, MarketStatus.SUSPENDED, MarketStatus.ARCHIVED


def test_the_models_match_their_migrations() -> None:
    """Field lengths, constraints and indexes are what the database has."""
    call_command("makemigrations", "markets", "--check", "--dry-run", verbosity=0)


@pytest.mark.parametrize(
    ("state", "editable"),
    [
        (D, {"name", "slug", "currency", "description"}),
        (A, {"name", "description"}),
        (S, {"name", "description"}),
        (X, set()),
    ],
)
def test_what_staff_may_edit_in_each_state(state: str, editable: set[str]) -> None:
    assert MarketFactory(status=state).editable_fields() == editable


@pytest.mark.parametrize("state", [A, S])
@pytest.mark.parametrize(("field", "value"), [("slug", "new-link"), ("currency", "USD")])
def test_the_slug_and_currency_of_a_live_market_stay_as_they_are(
    manager, state: str, field: str, value: str
) -> None:
    market = MarketFactory(status=state, slug="old-link")
    with pytest.raises(
        InvalidInput, match=f"^The {field} of a market can change only while it is a Draft.$"
    ):
        services.update_market(
            actor=manager, market_id=market.pk, version=market.version, **{field: value}
        )
    fresh = Market.objects.get(pk=market.pk)
    assert (fresh.slug, fresh.currency) == ("old-link", "EUR")
    assert not Event.objects.exists()


def test_a_draft_may_change_its_slug_and_currency(manager) -> None:
    market = MarketFactory(slug="old-link")
    services.update_market(
        actor=manager, market_id=market.pk, version=market.version, slug="New Link", currency="USD"
    )
    fresh = Market.objects.get(pk=market.pk)
    assert (fresh.slug, fresh.currency) == ("new-link", "USD")
    assert fresh.updated_at > market.updated_at
    event = Event.objects.get(name="market_updated")
    changed = {
        "slug": {"old": "old-link", "new": "new-link"},
        "currency": {"old": "EUR", "new": "USD"},
    }
    assert (event.payload, event.actor) == ({"changed": changed}, manager)
    assert fresh.version == market.version + 1


def test_only_the_editable_fields_can_be_edited(manager) -> None:
    market = MarketFactory()
    with pytest.raises(ValueError, match=r"^Not editable: published_at, status$"):
        market.edit(status=A, published_at=None, name="x")
    assert market.name != "x"
    with pytest.raises(InvalidInput, match="Not editable: suspension_reason"):
        services.update_market(
            actor=manager, market_id=market.pk, version=market.version, suspension_reason="x"
        )


def test_an_archived_market_accepts_an_edit_that_changes_nothing() -> None:
    archived = MarketFactory(status=X, name="Old")
    assert archived.edit(name="Old", description=archived.description) == []
    with pytest.raises(ValueError, match="archived market cannot be changed"):
        archived.edit(name="New")
    assert archived.name == "Old"


def test_the_first_frozen_field_is_named() -> None:
    live = MarketFactory(status=A, slug="a")
    with pytest.raises(ValueError, match="The currency of a market"):
        live.edit(slug="b", currency="USD")
    assert (live.slug, live.currency) == ("a", "EUR")


def test_update_market_checks_its_input(manager, agent) -> None:
    market = MarketFactory(name="Alpha", slug="alpha")
    MarketFactory(slug="taken")
    for changes, message in [
        ({"name": "  "}, "needs a name"),
        ({"name": "n" * 121}, "at most 120 characters"),
        ({"slug": "taken"}, "already used by another market"),
        ({"slug": "!!"}, "at least one letter or digit"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            services.update_market(
                actor=manager, market_id=market.pk, version=market.version, **changes
            )
    with pytest.raises(NotPermitted):
        services.update_market(
            actor=agent, market_id=market.pk, version=market.version, name="Beta"
        )
    with pytest.raises(DomainError, match="does not exist"):
        services.update_market(actor=manager, market_id=0, version=1, name="Beta")
    fresh = Market.objects.get(pk=market.pk)
    assert (fresh.name, fresh.slug) == ("Alpha", "alpha")
    # Its own slug is not "taken".
    services.update_market(
        actor=manager, market_id=market.pk, version=market.version, slug="alpha", name=" Beta "
    )
    assert Market.objects.get(pk=market.pk).name == "Beta"


def test_names_and_slugs_at_their_maximum_length_are_saved(manager) -> None:
    market = services.create_market(
        actor=manager, name="n" * 120, currency="EUR", slug="s" * 81, description=" Words "
    )
    fresh = Market.objects.get(pk=market.pk)
    assert (fresh.name, fresh.slug, fresh.description) == ("n" * 120, "s" * 80, "Words")
    services.update_market(
        actor=manager, market_id=market.pk, version=market.version, name="m" * 120, slug="t" * 90
    )
    fresh = Market.objects.get(pk=market.pk)
    assert (fresh.name, fresh.slug) == ("m" * 120, "t" * 80)


def test_a_slug_taken_meanwhile_is_still_a_clear_error(manager, monkeypatch) -> None:
    MarketFactory(slug="alpha")
    monkeypatch.setattr(Market.objects, "slug_taken", lambda *a, **k: False, raising=False)
    with pytest.raises(InvalidInput, match="already used by another market") as refused:
        services.create_market(actor=manager, name="Alpha", currency="EUR")
    assert refused.value.field == "slug"
    assert Market.objects.count() == 1


def test_the_timeline_records_each_transition_with_its_states_and_times(manager) -> None:
    market = MarketFactory()
    services.publish_market(actor=manager, market_id=market.pk)
    published = Market.objects.get(pk=market.pk)
    assert published.published_at is not None and published.updated_at > market.updated_at
    services.suspend_market(actor=manager, market_id=market.pk, reason=" Fraud ")
    suspended = Market.objects.get(pk=market.pk)
    assert (suspended.suspension_reason, suspended.status) == ("Fraud", S)
    assert suspended.suspended_at is not None and suspended.updated_at > published.updated_at
    services.reinstate_market(actor=manager, market_id=market.pk)
    reinstated = Market.objects.get(pk=market.pk)
    assert (reinstated.suspension_reason, reinstated.suspended_at) == ("", None)
    services.suspend_market(actor=manager, market_id=market.pk, reason="Again")
    services.archive_market(actor=manager, market_id=market.pk)
    archived = Market.objects.get(pk=market.pk)
    assert archived.status == X and archived.updated_at > reinstated.updated_at
    rows = Event.objects.filter(aggregate_id=str(market.pk)).order_by("pk")
    assert [(e.name, e.from_state, e.to_state, e.reason, e.actor) for e in rows] == [
        ("market_published", D, A, "", manager),
        ("market_suspended", A, S, "Fraud", manager),
        ("market_reinstated", S, A, "", manager),
        ("market_suspended", A, S, "Again", manager),
        ("market_archived", S, X, "", manager),
    ]


@pytest.mark.parametrize("state", [D, A, S, X])
def test_only_an_active_market_takes_orders(state: str) -> None:
    assert MarketFactory(status=state).accepts_orders is (state == A)


def test_bulk_archive_and_an_unknown_action(manager) -> None:
    draft, live = MarketFactory(name="A"), MarketFactory(name="B", status=A)
    outcome = services.bulk_transition_markets(
        actor=manager, market_ids=[live.pk, draft.pk], action="archive"
    )
    assert [m.pk for m in outcome.done] == [draft.pk]
    assert [m.pk for m, _ in outcome.skipped] == [live.pk]
    with pytest.raises(InvalidInput, match="Unknown bulk action 'suspend'"):
        services.bulk_transition_markets(actor=manager, market_ids=[live.pk], action="suspend")


def test_reads_and_links() -> None:
    market = MarketFactory(name="Harbour Fish", slug="harbour-fish", status=X)
    assert (str(market), market.get_absolute_url()) == ("Harbour Fish", "/markets/harbour-fish/")
    assert list(Market.objects.archived()) == [market]
    assert list(Market.objects.search("HARBOUR fish")) == [market]
    assert list(Market.objects.search("harbour cod")) == []


def test_services_and_transitions_take_keyword_arguments_only() -> None:
    assert_keyword_only(services, Market)


@pytest.mark.django_db(transaction=True)
def test_every_lock_is_taken_inside_a_transaction(role_groups, manager, locks) -> None:
    market = MarketFactory()
    services.update_market(
        actor=manager, market_id=market.pk, version=market.version, name="Renamed"
    )
    services.publish_market(actor=manager, market_id=market.pk)
    services.suspend_market(actor=manager, market_id=market.pk, reason="Fraud")
    services.reinstate_market(actor=manager, market_id=market.pk)
    services.suspend_market(actor=manager, market_id=market.pk, reason="Again")
    services.archive_market(actor=manager, market_id=market.pk)
    # Background work (the creator's emails, the orders' charging notes) takes
    # its own locks, also in transactions; each service locked its market once.
    assert all(in_transaction for _, in_transaction in locks)
    assert locks.count(("Market", True)) >= 6


@pytest.mark.django_db(transaction=True)
def test_a_market_whose_event_cannot_be_recorded_is_not_created(role_groups, manager) -> None:
    @receiver(events_recorded, weak=False, dispatch_uid="test.explode")
    def explode(sender: type, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    try:
        with pytest.raises(RuntimeError):
            services.create_market(actor=manager, name="Alpha", currency="EUR")
        market = MarketFactory(name="Beta")
        with pytest.raises(RuntimeError):
            services.update_market(
                actor=manager, market_id=market.pk, version=market.version, name="Gamma"
            )
    finally:
        events_recorded.disconnect(dispatch_uid="test.explode")
    assert list(Market.objects.values_list("name", flat=True)) == ["Beta"]


def test_buttons_follow_permissions_and_name_the_first_failing_condition(
    manager, agent, superuser
) -> None:
    from apps.core.transitions import check_transition, transition_options

    draft = MarketFactory(description="")
    options = transition_options(draft, manager)
    assert [(o.name, o.enabled, o.disabled_reason) for o in options] == [
        ("publish", False, "A market needs a description before it is published."),
        ("archive", True, ""),
    ]
    assert [(o.label, o.hotkey, o.style, o.dialog_id) for o in options] == [
        ("Publish", "p", "primary", "dialog-publish"),
        ("Archive", "a", "outline-danger", "dialog-archive"),
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        options[0].enabled = True
    assert transition_options(draft, agent) == []
    suspend = transition_options(MarketFactory(status=A), superuser)[0]
    assert (suspend.input, suspend.input_label) == ("reason", "Reason for suspending")
    for name in ("save", "no_such_action"):
        with pytest.raises(TransitionNotAllowed, match=f"There is no action called '{name}'"):
            check_transition(draft, name, actor=manager)


def test_a_suspended_market_may_change_its_name_and_description(manager) -> None:
    market = MarketFactory(status=S, name="Old")
    services.update_market(
        actor=manager, market_id=market.pk, version=market.version, name="New", description="Words"
    )
    fresh = Market.objects.get(pk=market.pk)
    assert (fresh.name, fresh.description, fresh.status) == ("New", "Words", S)


@pytest.mark.parametrize("state", list(MarketStatus))
def test_takes_orders_means_the_same_to_the_model_its_queryset_and_the_api(state) -> None:
    from apps.markets import api

    market = MarketFactory(status=state)
    market = Market.objects.get(pk=market.pk)  # the status as read back: a str
    expected = state == MarketStatus.ACTIVE
    assert market.accepts_orders is expected
    assert Market.objects.accepting_orders().filter(pk=market.pk).exists() is expected
    assert api.market_is_open(market.pk) is expected
    summary = api.market_summary(market.pk)
    assert summary is not None and summary.is_open is expected


def test_each_transition_moves_the_version_on_by_exactly_one(superuser) -> None:
    """An edit form opened before a transition is stale after it; the ETag counts steps."""
    market = MarketFactory(description="Words")
    versions = [Market.objects.get(pk=market.pk).version]
    services.publish_market(actor=superuser, market_id=market.pk)
    versions.append(Market.objects.get(pk=market.pk).version)
    services.suspend_market(actor=superuser, market_id=market.pk, reason="Checks")
    versions.append(Market.objects.get(pk=market.pk).version)
    services.reinstate_market(actor=superuser, market_id=market.pk)
    versions.append(Market.objects.get(pk=market.pk).version)
    first = versions[0]
    assert versions == [first, first + 1, first + 2, first + 3]
