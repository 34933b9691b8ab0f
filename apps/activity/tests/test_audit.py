"""The audit trail cannot be erased: actors are protected and named as they were."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps as global_apps
from django.db.models import ProtectedError
from django.test import Client

from apps.activity.models import Event
from apps.core.events import DomainEvent, events_recorded
from apps.markets.models import Market
from apps.markets.services import publish_market
from apps.markets.tests.factories import MarketFactory

pytestmark = pytest.mark.django_db


def _published_by(actor: Any) -> Event:
    market = MarketFactory()
    publish_market(actor=actor, market_id=market.pk)
    return Event.objects.get(name="market_published", aggregate_id=str(market.pk))


def test_an_event_keeps_the_actors_display_name(manager: Any) -> None:
    manager.first_name, manager.last_name = "Mia", "Manager"
    manager.save()
    assert _published_by(manager).actor_name == "Mia Manager"


def test_renaming_a_user_does_not_rename_their_past_events(client: Client, manager: Any) -> None:
    manager.first_name, manager.last_name = "Mia", "Manager"
    manager.save()
    event = _published_by(manager)
    manager.first_name, manager.last_name = "Mia", "Married-Name"
    manager.save()
    event.refresh_from_db()
    assert event.actor_name == "Mia Manager"
    client.force_login(manager)
    market = Market.objects.get(pk=event.aggregate_id)
    timeline = client.get(f"/markets/{market.slug}/").content.decode()
    assert "<strong>Mia Manager</strong>" in timeline
    assert "Married-Name</strong>" not in timeline
    activity = client.get("/activity/").content.decode()
    assert "Mia Manager" in activity


def test_deactivating_a_user_keeps_their_name_on_their_events(
    client: Client, manager: Any, viewer: Any
) -> None:
    manager.first_name, manager.last_name = "Mia", "Manager"
    manager.save()
    event = _published_by(manager)
    manager.is_active = False
    manager.save()
    event.refresh_from_db()
    assert event.actor_id == manager.pk
    assert event.actor_name == "Mia Manager"
    client.force_login(viewer)
    assert "Mia Manager" in client.get("/activity/").content.decode()


def test_deleting_a_user_with_events_is_refused(manager: Any) -> None:
    _published_by(manager)
    with pytest.raises(ProtectedError):
        manager.delete()
    assert Event.objects.filter(actor=manager).exists()


def test_the_admin_refuses_to_delete_a_user_with_events(
    client: Client, manager: Any, superuser: Any
) -> None:
    _published_by(manager)
    client.force_login(superuser)
    url = f"/admin/accounts/user/{manager.pk}/delete/"
    response = client.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert "cannot be deleted: the activity trail records what they did" in (
        response.content.decode()
    )
    assert type(manager).objects.filter(pk=manager.pk).exists()
    # No bulk delete either: the bulk action deactivates.
    changelist = client.get("/admin/accounts/user/").content.decode()
    assert "delete_selected" not in changelist
    client.post("/admin/accounts/user/", {"action": "deactivate", "_selected_action": [manager.pk]})
    manager.refresh_from_db()
    assert manager.is_active is False


def test_the_admin_still_deletes_a_user_who_never_did_anything(
    client: Client, viewer: Any, superuser: Any
) -> None:
    client.force_login(superuser)
    client.post(f"/admin/accounts/user/{viewer.pk}/delete/", {"post": "yes"})
    assert not type(viewer).objects.filter(pk=viewer.pk).exists()


def test_events_that_carry_only_the_actor_id_get_the_name_looked_up(manager: Any) -> None:
    # Reactions to another context's event carry just the id (DomainEvent.of(actor_id=...)).
    manager.first_name, manager.last_name = "Mia", "Manager"
    manager.save()
    event = DomainEvent(
        context="orders",
        name="charging_paused",
        aggregate_type="order",
        aggregate_id="1",
        aggregate_label="ORD-1",
        actor_id=manager.pk,
    )
    events_recorded.send(sender=Event, events=[event])
    assert Event.objects.get(name="charging_paused").actor_name == "Mia Manager"


def test_system_events_have_no_actor_name(client: Client, viewer: Any) -> None:
    event = DomainEvent(
        context="orders",
        name="carts_purged",
        aggregate_type="cart",
        aggregate_id="abandoned",
        aggregate_label="2 abandoned carts",
        actor_id=None,
    )
    events_recorded.send(sender=Event, events=[event])
    assert Event.objects.get().actor_name == ""
    client.force_login(viewer)
    assert "System" in client.get("/activity/").content.decode()


def test_the_migration_names_past_events_as_their_actors_read_now(
    manager: Any, viewer: Any
) -> None:
    from importlib import import_module

    migration = import_module("apps.activity.migrations.0002_actor_protected_and_named")
    manager.first_name, manager.last_name = "Mia", "Manager"
    manager.save()
    viewer.first_name = viewer.last_name = ""
    viewer.save()
    named = _published_by(manager)
    unnamed = _published_by(manager)
    Event.objects.filter(pk=unnamed.pk).update(actor=viewer)
    Event.objects.update(actor_name="")  # as rows written before the field existed
    migration.name_past_events(global_apps, None)
    named.refresh_from_db()
    unnamed.refresh_from_db()
    assert named.actor_name == "Mia Manager"
    assert unnamed.actor_name == "viewer"
