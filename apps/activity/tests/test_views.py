from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.activity.models import Event
from apps.markets import services
from apps.markets.tests.factories import MarketFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _event_names(client: Client, url: str) -> list[str]:
    """The Event column of the table's rows, in order."""
    content = client.get(url, headers=HTMX).content.decode()
    body = content[content.index("<tbody") : content.index("</tbody>")]
    return re.findall(r"<td[^>]*>\s*(market_\w+)\s*</td>", body)


def _history(manager, superuser, markets: int) -> None:
    for number in range(markets):
        market = services.create_market(
            actor=manager if number % 2 else superuser,
            name=f"M {number}",
            currency="EUR",
            description="d",
        )
        services.publish_market(actor=manager, market_id=market.pk)


def test_every_event_is_listed_newest_first(client: Client, viewer, manager, superuser) -> None:
    _history(manager, superuser, 2)
    client.force_login(viewer)
    assert client.get("/activity/").status_code == 200
    assert _event_names(client, "/activity/") == [
        "market_published",
        "market_created",
        "market_published",
        "market_created",
    ]


def test_filters_by_context_event_actor_and_dates(
    client: Client, viewer, manager, superuser
) -> None:
    _history(manager, superuser, 2)
    old = Event.objects.filter(name="market_created").first()
    assert old is not None
    Event.objects.filter(pk=old.pk).update(occurred_at=timezone.now() - timedelta(days=10))
    client.force_login(viewer)
    assert _event_names(client, "/activity/?name=market_published") == ["market_published"] * 2
    # root created M 0; the manager did everything else.
    assert _event_names(client, f"/activity/?actor={superuser.pk}") == ["market_created"]
    today = timezone.now().date().isoformat()
    assert sorted(_event_names(client, f"/activity/?occurred_from={today}")) == [
        "market_created",
        "market_published",
        "market_published",
    ]
    assert len(_event_names(client, "/activity/?context=markets")) == 4
    assert _event_names(client, "/activity/?context=orders") == []
    assert _event_names(client, "/activity/?q=m+1") == ["market_published", "market_created"]


@pytest.mark.parametrize("markets", [3, 60])
def test_activity_query_budget_is_flat(
    client: Client, viewer, manager, superuser, markets: int
) -> None:
    _history(manager, superuser, markets)
    client.force_login(viewer)
    client.get("/activity/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/activity/")
    # session, user, permissions (2), context and event choices (2), rows (no count:
    # CountlessPaginator). No actor choices: the actor filter is an autocomplete.
    assert len(captured) == 7


def test_timeline_shows_actor_transition_and_reason(client: Client, viewer, manager) -> None:
    market = MarketFactory(status="active")
    services.suspend_market(actor=manager, market_id=market.pk, reason="Chargebacks spiked")
    client.force_login(viewer)
    content = client.get(f"/markets/{market.slug}/").content.decode()
    assert "Timeline" in content
    assert "suspended" in content and "(Active → Suspended)" in content
    assert "<q data-reason>Chargebacks spiked</q>" in content
    assert manager.get_full_name() in content


@pytest.mark.django_db
def test_events_are_labelled_by_what_their_text_is(client: Client, superuser) -> None:

    def event(name: str, **fields: object) -> Event:
        return Event.objects.create(
            name=name,
            context="orders",
            aggregate_type="order",
            aggregate_id="1",
            occurred_at=timezone.now(),
            **fields,
        )

    assert event("market_suspended", reason="Fraud").reason_label == "Reason"
    assert (
        event("payment_failed", reason="Timed out", payload={"outcome": "timeout"}).reason_label
        == "Gateway answer"
    )
    assert event("confirmation_email_failed", reason="SMTP down").reason_label == "Error"


def test_context_and_event_choices_are_fresh_after_the_next_event(
    client: Client, viewer, manager, django_capture_on_commit_callbacks
) -> None:
    client.force_login(viewer)
    assert 'value="market_created"' not in client.get("/activity/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.create_market(actor=manager, name="Fresh", currency="EUR", description="d")
    page = client.get("/activity/").content.decode()
    assert 'value="market_created"' in page
    assert 'value="markets"' in page


def test_the_actor_filter_lists_no_staff_and_names_the_chosen_one(
    client: Client, viewer, manager, superuser
) -> None:
    _history(manager, superuser, 1)
    manager.first_name, manager.last_name = "Grace", "Hopper"
    manager.save()
    client.force_login(viewer)
    page = client.get("/activity/").content.decode()
    actor = _select(page, "actor")
    assert 'data-autocomplete="/activity/actors.json"' in page
    assert actor.count("<option") == 1  # "Anyone" only: the staff come from actors.json
    with CaptureQueriesContext(connection) as captured:
        page = client.get(f"/activity/?actor={manager.pk}").content.decode()
    actor = _select(page, "actor")
    assert f'<option value="{manager.pk}" selected>Grace Hopper</option>' in actor
    assert 'data-chip="actor"' in page and "Grace Hopper" in page
    # session, user, permissions (2), context and event choices (2), rows, the chosen
    # actor by id.
    assert len(captured) == 8


def test_actor_choices_match_every_word_of_username_or_name(
    client: Client, viewer, manager, superuser
) -> None:
    manager.first_name, manager.last_name = "Grace", "Hopper"
    manager.save()
    client.force_login(viewer)
    response = client.get("/activity/actors.json?q=grace+hop")
    assert response.json() == {"results": [{"value": manager.pk, "label": "Grace Hopper"}]}
    everyone = client.get("/activity/actors.json").json()["results"]
    assert {row["label"] for row in everyone} == {
        user.display_name for user in (manager, superuser, viewer)
    }
    assert client.get("/activity/actors.json?q=nobody").json() == {"results": []}
    long = client.get("/activity/actors.json?q=" + "a" * 5000)
    assert long.status_code == 200


def test_actor_choices_need_the_activity_permission(client: Client, customer) -> None:
    client.force_login(customer)
    assert client.get("/activity/actors.json?q=a").status_code == 403


def _select(page: str, name: str) -> str:
    """The markup of the select named ``name`` in ``page``."""
    start = page.index(f'name="{name}"')
    return page[start : page.index("</select>", start)]
