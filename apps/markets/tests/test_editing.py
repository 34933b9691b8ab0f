"""Editing a market while someone else does too: no lost update (issue 12).

The form carries the version it was opened at and the values it was opened
with; a save over a newer version is a 409 that shows the fresh values beside
the user's, and only the fields the user changed are ever written.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.activity.models import Event
from apps.core.concurrency import StaleEdit
from apps.core.web.budgets import budget_of
from apps.markets import services, views
from apps.markets.models import Market, MarketStatus

from .factories import MarketFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


class _FormValues(HTMLParser):
    """What a browser would post from the page's market form."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and attributes.get("id") == "market-form":
            self._in_form = True
        if not self._in_form or "disabled" in attributes:
            return
        name = attributes.get("name", "")
        if tag == "input" and attributes.get("type") != "submit":
            self.values[name] = attributes.get("value", "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.values[self._select] = attributes["value"]
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Django's textarea template starts with a newline the browser drops.
            self.values[self._textarea] = self.values[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def form_values(content: bytes) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(content.decode())
    return parser.values


def _editor(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _edit_url(market: Market) -> str:
    return f"/markets/{market.slug}/edit/"


def test_the_form_carries_its_version_and_the_values_it_was_opened_with(manager) -> None:
    market = MarketFactory(name="Alpha", description="Old words")
    values = form_values(_editor(manager).get(_edit_url(market)).content)
    assert values["version"] == "1"
    assert (values["initial-name"], values["initial-description"]) == ("Alpha", "Old words")
    assert (values["name"], values["description"], values["currency"]) == (
        "Alpha",
        "Old words",
        "EUR",
    )


def test_two_editors_the_later_save_is_refused_and_nothing_is_lost(manager, superuser) -> None:
    market = MarketFactory(description="The original text.", currency="EUR")
    first, second = _editor(manager), _editor(superuser)
    first_form = form_values(first.get(_edit_url(market)).content)
    second_form = form_values(second.get(_edit_url(market)).content)

    saved = first.post(_edit_url(market), {**first_form, "description": "A careful rewrite."})
    assert saved.status_code == 302

    refused = second.post(_edit_url(market), {**second_form, "currency": "USD"})
    assert refused.status_code == 409
    market.refresh_from_db()
    assert (market.description, market.currency, market.version) == (
        "A careful rewrite.",
        "EUR",
        2,
    )
    html = refused.content.decode()
    assert "data-stale-edit" in html
    assert "Someone else changed this market" in html
    # The other editor's text is there to compare, and now in the field:
    # a second save keeps it instead of reverting it.
    assert re.search(
        r'data-current-value="description">'
        r"Changed by someone else — now: <q>A careful rewrite\.</q>",
        html,
    )
    assert 'data-current-value="currency"' not in html
    again = form_values(refused.content)
    assert again["currency"] == "USD"  # the user's own change is kept
    assert again["description"] == "A careful rewrite."
    assert (again["version"], again["initial-description"]) == ("2", "A careful rewrite.")
    assert Event.objects.filter(name="market_updated").count() == 1

    assert second.post(_edit_url(market), again).status_code == 302
    market.refresh_from_db()
    assert (market.description, market.currency, market.version) == (
        "A careful rewrite.",
        "USD",
        3,
    )
    payloads = list(
        Event.objects.filter(name="market_updated").order_by("pk").values_list("payload", flat=True)
    )
    assert payloads == [
        {"changed": {"description": {"old": "The original text.", "new": "A careful rewrite."}}},
        {"changed": {"currency": {"old": "EUR", "new": "USD"}}},
    ]


def test_both_change_the_same_field_the_later_one_keeps_theirs_beside_the_fresh_one(
    manager, superuser
) -> None:
    market = MarketFactory(name="Alpha")
    first, second = _editor(manager), _editor(superuser)
    first_form = form_values(first.get(_edit_url(market)).content)
    second_form = form_values(second.get(_edit_url(market)).content)
    assert first.post(_edit_url(market), {**first_form, "name": "Alpha Books"}).status_code == 302
    refused = second.post(_edit_url(market), {**second_form, "name": "Alpha Market"})
    assert refused.status_code == 409
    assert "now: <q>Alpha Books</q>" in refused.content.decode()
    assert form_values(refused.content)["name"] == "Alpha Market"
    assert Market.objects.get(pk=market.pk).name == "Alpha Books"


def test_the_refusal_with_htmx_swaps_the_form(manager, superuser) -> None:
    market = MarketFactory(name="Alpha")
    first, second = _editor(manager), _editor(superuser)
    first_form = form_values(first.get(_edit_url(market)).content)
    second_form = form_values(second.get(_edit_url(market)).content)
    first.post(_edit_url(market), {**first_form, "name": "Beta"})
    refused = second.post(_edit_url(market), {**second_form, "name": "Gamma"}, headers=HTMX)
    assert refused.status_code == 409
    assert b"<html" not in refused.content
    assert b'id="market-form"' in refused.content


def test_the_same_editor_saves_twice_in_a_row(manager) -> None:
    market = MarketFactory(name="Alpha")
    editor = _editor(manager)
    for name in ("Beta", "Gamma"):
        values = form_values(editor.get(_edit_url(market)).content)
        assert editor.post(_edit_url(market), {**values, "name": name}).status_code == 302
    market.refresh_from_db()
    assert (market.name, market.version) == ("Gamma", 3)


def test_a_save_after_a_validation_error_keeps_the_version(manager) -> None:
    market = MarketFactory(name="Alpha")
    editor = _editor(manager)
    values = form_values(editor.get(_edit_url(market)).content)
    invalid = editor.post(_edit_url(market), {**values, "name": ""})
    assert invalid.status_code == 422
    retry = form_values(invalid.content)
    assert (retry["version"], retry["initial-name"]) == ("1", "Alpha")
    assert editor.post(_edit_url(market), {**retry, "name": "Beta"}).status_code == 302


@pytest.mark.parametrize("version", ["1", "3", "99"])
def test_a_forged_version_is_refused_and_changes_nothing(manager, version: str) -> None:
    market = MarketFactory(name="Alpha")
    services.update_market(actor=manager, market_id=market.pk, version=1, name="Beta")
    editor = _editor(manager)
    values = form_values(editor.get(_edit_url(market)).content)
    response = editor.post(_edit_url(market), {**values, "version": version, "name": "Gamma"})
    assert response.status_code == 409
    market.refresh_from_db()
    assert (market.name, market.version) == ("Beta", 2)
    assert Event.objects.filter(name="market_updated").count() == 1


@pytest.mark.parametrize("version", [None, "", "two", "-1", "0", "9" * 30])
def test_a_missing_or_invalid_version_is_a_clear_422(manager, version: str | None) -> None:
    market = MarketFactory(name="Alpha")
    editor = _editor(manager)
    values = form_values(editor.get(_edit_url(market)).content)
    if version is None:
        del values["version"]
    else:
        values["version"] = version
    response = editor.post(_edit_url(market), {**values, "name": "Gamma"})
    assert response.status_code == 422
    assert "open it again to edit" in response.content.decode()
    assert Market.objects.get(pk=market.pk).name == "Alpha"
    assert not Event.objects.exists()


def test_only_the_changed_fields_are_written(manager) -> None:
    market = MarketFactory(name="Alpha", description="Words")
    editor = _editor(manager)
    values = form_values(editor.get(_edit_url(market)).content)
    with CaptureQueriesContext(connection) as captured:
        editor.post(_edit_url(market), {**values, "name": "Beta"})
    (update,) = [q["sql"] for q in captured if q["sql"].startswith('UPDATE "markets_market"')]
    assert '"name"' in update and '"version"' in update
    assert '"description"' not in update and '"currency"' not in update
    assert Event.objects.get().payload == {"changed": {"name": {"old": "Alpha", "new": "Beta"}}}


def test_the_service_refuses_a_stale_version_in_the_update_itself(manager, monkeypatch) -> None:
    """Even past the locked read's check, the UPDATE … WHERE version = n holds."""
    market = MarketFactory(name="Alpha")
    services.update_market(actor=manager, market_id=market.pk, version=1, name="Beta")
    monkeypatch.setattr(services, "require_version", lambda *args, **kwargs: None)
    with pytest.raises(StaleEdit) as refused:
        services.update_market(actor=manager, market_id=market.pk, version=1, name="Gamma")
    assert refused.value.current.name == "Beta"
    assert refused.value.http_status == 409
    market.refresh_from_db()
    assert (market.name, market.version) == ("Beta", 2)
    assert Event.objects.count() == 1


def test_inline_validation_still_checks_one_field_without_saving(manager) -> None:
    MarketFactory(slug="taken")
    market = MarketFactory(name="Alpha")
    editor = _editor(manager)
    values = form_values(editor.get(_edit_url(market)).content)
    response = editor.post(
        _edit_url(market), {**values, "slug": "taken", "_validate": "1"}, headers=HTMX
    )
    assert response.status_code == 200
    assert 'id="id_slug_feedback"' in response.content.decode()
    assert "already used by another market" in response.content.decode()
    market.refresh_from_db()
    assert (market.slug, market.version) == (market.slug, 1)
    assert not Event.objects.exists()


def test_the_timeline_shows_old_and_new_values(client: Client, manager) -> None:
    market = MarketFactory(name="Alpha", status=MarketStatus.ACTIVE)
    services.update_market(actor=manager, market_id=market.pk, version=1, name="Beta")
    Event.objects.create(
        context="markets",
        name="market_updated",
        aggregate_type="market",
        aggregate_id=market.pk,
        aggregate_label="Beta",
        payload={"changed": ["description"]},  # as recorded before values were kept
        occurred_at=market.created_at,
    )
    client.force_login(manager)
    html = client.get(f"/markets/{market.slug}/").content.decode()
    assert (
        '<span data-changed-field="name">name from <q data-old>Alpha</q> to <q data-new>Beta</q>'
        in html
    )
    assert '<span data-changed-field="description">description</span>' in html
    activity = client.get("/activity/").content.decode()
    assert 'data-changed-field="name">name from <q data-old>Alpha</q>' in activity


def _queries(client: Client, method: str, url: str, data: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
        assert response.status_code in (200, 302)
    return len(captured)


def test_the_edit_query_budget_is_unchanged(manager) -> None:
    market = MarketFactory(name="Alpha")
    editor = _editor(manager)
    editor.get(_edit_url(market))  # warm: last_active write
    # session, user, permissions (2), market.
    assert _queries(editor, "get", _edit_url(market)) == budget_of(views.market_edit) == 5
    values = form_values(editor.get(_edit_url(market)).content)
    # As before versions: + the slug check.
    assert _queries(editor, "post", _edit_url(market), {**values, "_validate": "1"}) == 6
    # As before versions: + savepoint, locked read, one conditional UPDATE, the
    # event, release, and the session's message (3).
    assert _queries(editor, "post", _edit_url(market), {**values, "name": "Beta"}) == 13
