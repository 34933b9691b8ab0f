"""Saved views: a list's filters and sort under a name, private or shared."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.core.models import SavedView
from apps.core.web.budgets import budget_of
from console import saved_views

pytestmark = pytest.mark.django_db


def _save(client: Client, **fields: str):
    data = {"list": "orders", "name": "Pending EUR", "query": "status=pending&q=&sort=-total"}
    return client.post("/views/", {**data, **fields})


def test_a_saved_view_keeps_only_the_filters_in_use_and_reopens_them(client, agent) -> None:
    client.force_login(agent)
    response = _save(client, query="?q=&status=pending&page=3&sort=-total&market=")
    view = SavedView.objects.get()
    assert (view.owner, view.list_name, view.name, view.shared) == (
        agent,
        "orders",
        "Pending EUR",
        False,
    )
    assert view.query == "sort=-total&status=pending"
    assert response["Location"] == f"/views/{view.pk}/"
    opened = client.get(f"/views/{view.pk}/")
    assert opened["Location"] == "/orders/?sort=-total&status=pending"
    # Listed in that list's sidebar, marked when its filters are in force.
    page = client.get("/orders/?status=pending&sort=-total").content.decode()
    assert f'aria-current="true" href="/views/{view.pk}/"' in page


def test_a_private_view_is_its_owners_and_a_shared_one_everyones(client, agent, viewer) -> None:
    client.force_login(agent)
    _save(client, name="Mine")
    _save(client, name="Ours", visibility="shared")
    mine, ours = SavedView.objects.get(name="Mine"), SavedView.objects.get(name="Ours")
    client.force_login(viewer)
    assert client.get(f"/views/{mine.pk}/").status_code == 404
    assert client.get(f"/views/{ours.pk}/").status_code == 302
    page = client.get("/orders/").content.decode()
    assert f'href="/views/{ours.pk}/"' in page and f'href="/views/{mine.pk}/"' not in page
    # Read-only for others: only the owner deletes.
    assert client.post(f"/views/{ours.pk}/delete/").status_code == 404
    client.force_login(agent)
    assert client.post(f"/views/{ours.pk}/delete/").status_code == 302
    assert not SavedView.objects.filter(pk=ours.pk).exists()


def test_bad_input_changes_nothing(client, agent) -> None:
    client.force_login(agent)
    assert _save(client, name="   ").status_code == 302
    assert _save(client, list="payroll").status_code == 302
    assert _save(client, name="x" * 81).status_code == 302
    assert not SavedView.objects.exists()
    _save(client)
    _save(client)  # the same name twice in one list
    assert SavedView.objects.count() == 1
    messages = [str(m) for m in client.get("/orders/").context["messages"]]
    assert any("already have a view" in m for m in messages)


def test_opening_a_saved_view_runs_its_declared_budget(client, agent) -> None:
    # Not in the budget walk (a redirect, not a page): session, user,
    # permissions (2: the role check every page makes), the view.
    client.force_login(agent)
    _save(client)
    view = SavedView.objects.get()
    client.get(f"/views/{view.pk}/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/views/{view.pk}/").status_code == 302
    assert len(captured) == budget_of(saved_views.open_view) == 5
