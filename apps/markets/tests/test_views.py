from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.activity.models import Event
from apps.core.web.budgets import budget_of
from apps.markets import services, views
from apps.markets.models import Market, MarketStatus

from .factories import MarketFactory

D, A, S, X = MarketStatus.DRAFT, MarketStatus.ACTIVE, MarketStatus.SUSPENDED, MarketStatus.ARCHIVED
HTMX = {"HX-Request": "true"}

pytestmark = pytest.mark.django_db


# A transition's button: a <button>, or a link with role="button" (opens a dialog).
BUTTON = r"<(?:button|a role=\"button\")[^>]*data-label=\"([^\"]+)\"[^>]*>"


def _buttons(content: bytes) -> dict[str, bool]:
    """Transition buttons on a page: label → enabled."""
    html = content.decode()
    found = {}
    for match in re.finditer(
        r"<(?:button|a role=\"button\")[^>]*data-label=\"([^\"]+)\"[^>]*>", html
    ):
        found[match.group(1)] = " disabled" not in match.group(0)
    return found


def _signed_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


# What each role sees on a market in each state: label → enabled.
EXPECTED: dict[str, dict[str, dict[str, bool]]] = {
    "manager": {
        D: {"Publish": True, "Archive": True},
        A: {"Suspend": True},
        S: {"Reinstate": True, "Archive": True},
        X: {},
    },
    "superuser": {
        D: {"Publish": True, "Archive": True},
        A: {"Suspend": True},
        S: {"Reinstate": True, "Archive": True},
        X: {},
    },
    "viewer": {D: {}, A: {}, S: {}, X: {}},
    "agent": {D: {}, A: {}, S: {}, X: {}},
    "finance": {D: {}, A: {}, S: {}, X: {}},
}


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("state", [D, A, S, X])
def test_buttons_per_role_and_state(client: Client, request, role: str, state: str) -> None:
    user = request.getfixturevalue(role)
    market = MarketFactory(status=state)
    response = _signed_in(client, user).get(f"/markets/{market.slug}/")
    assert response.status_code == 200
    assert _buttons(response.content) == EXPECTED[role][state]
    assert f'data-status="{state}"'.encode() in response.content


def test_a_failing_condition_shows_a_disabled_button_with_the_reason(
    client: Client, manager
) -> None:
    market = MarketFactory(description="")
    response = _signed_in(client, manager).get(f"/markets/{market.slug}/")
    assert _buttons(response.content) == {"Publish": False, "Archive": True}
    assert b"A market needs a description before it is published." in response.content


def test_buttons_are_named_exactly_by_their_label(client: Client, manager) -> None:
    market = MarketFactory()
    content = _signed_in(client, manager).get(f"/markets/{market.slug}/").content.decode()
    assert re.search(r'>Publish<kbd class="hint" aria-hidden="true">p</kbd></button>', content)


def test_suspend_opens_a_dialog_with_a_labelled_reason_and_confirm(client: Client, manager) -> None:
    market = MarketFactory(status=A)
    content = _signed_in(client, manager).get(f"/markets/{market.slug}/").content.decode()
    assert '<dialog id="dialog-suspend"' in content
    assert (
        '<label class="form-label" for="dialog-suspend-reason">Reason for suspending</label>'
        in content
    )
    assert ">Confirm</button>" in content


def test_publish_with_htmx_returns_the_fresh_fragment_and_a_toast(client: Client, manager) -> None:
    market = MarketFactory()
    response = _signed_in(client, manager).post(
        f"/markets/{market.slug}/transitions/publish/", headers=HTMX
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="market-detail"' in response.content
    assert b'data-status="active"' in response.content
    assert b"published" in response.content  # the timeline
    assert json.loads(response["HX-Trigger"])["messages"]["items"][0]["level"] == "success"
    market.refresh_from_db()
    assert market.status == A


def test_publish_without_htmx_redirects_to_the_market(client: Client, manager) -> None:
    market = MarketFactory()
    response = _signed_in(client, manager).post(f"/markets/{market.slug}/transitions/publish/")
    assert response.status_code == 302
    assert response["Location"] == f"/markets/{market.slug}/"


def test_suspend_with_a_reason(client: Client, manager) -> None:
    market = MarketFactory(status=A)
    response = _signed_in(client, manager).post(
        f"/markets/{market.slug}/transitions/suspend/", {"reason": "Chargebacks"}, headers=HTMX
    )
    assert response.status_code == 200
    assert b"Chargebacks" in response.content
    market.refresh_from_db()
    assert (market.status, market.suspension_reason) == (S, "Chargebacks")


@pytest.mark.parametrize("role", ["viewer", "agent", "finance"])
def test_forged_post_from_a_role_without_permission_is_403(
    client: Client, request, role: str
) -> None:
    market = MarketFactory()
    user = request.getfixturevalue(role)
    for headers in ({}, HTMX):
        response = _signed_in(client, user).post(
            f"/markets/{market.slug}/transitions/publish/", headers=headers
        )
        assert response.status_code == 403
    market.refresh_from_db()
    assert market.status == D
    assert not Event.objects.exists()


def test_forged_post_the_state_forbids_is_409_with_the_fresh_fragment(
    client: Client, manager
) -> None:
    market = MarketFactory(status=A)
    response = _signed_in(client, manager).post(
        f"/markets/{market.slug}/transitions/reinstate/",
        headers={**HTMX, "HX-Current-URL": f"http://testserver/markets/{market.slug}/"},
    )
    assert response.status_code == 409
    assert b'id="market-detail"' in response.content
    assert b'data-status="active"' in response.content
    message = json.loads(response["HX-Trigger"])["messages"]["items"][0]
    assert message == {
        "level": "error",
        "text": f"{market.name} is Active: Reinstate is not possible.",
    }
    market.refresh_from_db()
    assert market.status == A
    assert not Event.objects.exists()


def test_forged_post_without_htmx_redirects_back_with_the_message(client: Client, manager) -> None:
    market = MarketFactory(status=X)
    url = f"/markets/{market.slug}/"
    response = _signed_in(client, manager).post(
        f"{url}transitions/publish/", headers={"Referer": url}
    )
    assert response.status_code == 302
    assert response["Location"] == url
    page = client.get(url)
    assert b"is Archived: Publish is not possible." in page.content
    market.refresh_from_db()
    assert market.status == X


def test_blank_reason_is_refused_and_changes_nothing(client: Client, manager) -> None:
    market = MarketFactory(status=A)
    response = _signed_in(client, manager).post(
        f"/markets/{market.slug}/transitions/suspend/", {"reason": " "}, headers=HTMX
    )
    assert response.status_code == 422
    market.refresh_from_db()
    assert market.status == A


def test_unknown_transition_is_404(client: Client, manager) -> None:
    market = MarketFactory()
    response = _signed_in(client, manager).post(f"/markets/{market.slug}/transitions/delete/")
    assert response.status_code == 404


def test_transitions_only_accept_post(client: Client, manager) -> None:
    market = MarketFactory()
    response = _signed_in(client, manager).get(f"/markets/{market.slug}/transitions/publish/")
    assert response.status_code == 405


def test_csrf_is_enforced(manager) -> None:
    market = MarketFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    response = client.post(f"/markets/{market.slug}/transitions/publish/", headers=HTMX)
    assert response.status_code == 403
    market.refresh_from_db()
    assert market.status == D


def test_list_htmx_gets_the_fragment_and_others_the_page(client: Client, viewer) -> None:
    MarketFactory(name="Alpha Books", slug="alpha-books")
    MarketFactory(name="Beta Tools", slug="beta-tools", status=A)
    _signed_in(client, viewer)
    page = client.get("/markets/")
    assert b"<html" in page.content and b'aria-label="Filters"' in page.content
    fragment = client.get("/markets/?q=alpha", headers=HTMX)
    assert b"<html" not in fragment.content
    assert b'id="results"' in fragment.content
    assert b"Alpha Books" in fragment.content and b"Beta Tools" not in fragment.content
    history = client.get("/markets/", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert b"<html" in history.content


def test_list_filters_by_status_and_sorts(client: Client, viewer) -> None:
    MarketFactory(name="Alpha", slug="alpha")
    MarketFactory(name="Beta", slug="beta", status=A)
    MarketFactory(name="Gamma", slug="gamma", status=A)
    _signed_in(client, viewer)
    content = client.get("/markets/?status=active&sort=-name").content.decode()
    assert content.index("Gamma") < content.index("Beta")
    assert ">Alpha<" not in content


def test_viewers_get_no_bulk_toolbar_nor_new_button(client: Client, viewer) -> None:
    MarketFactory()
    content = _signed_in(client, viewer).get("/markets/").content
    assert b'aria-label="Bulk actions"' not in content
    assert b"New market" not in content
    assert b'type="checkbox"' not in content


def test_bulk_publish_reports_per_row(client: Client, manager) -> None:
    ready = MarketFactory(name="Ready")
    bare = MarketFactory(name="Bare", description="")
    _signed_in(client, manager)
    response = client.post(
        "/markets/bulk/?status=draft",
        {"action": "publish", "ids": [ready.pk, bare.pk]},
        headers=HTMX,
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "<span data-done>Ready</span>" in content
    assert "<strong>Bare</strong>: Publish is not possible: A market needs a description" in content
    ready.refresh_from_db()
    bare.refresh_from_db()
    assert (ready.status, bare.status) == (A, D)


def test_bulk_by_a_viewer_is_403(client: Client, viewer) -> None:
    market = MarketFactory()
    response = _signed_in(client, viewer).post(
        "/markets/bulk/", {"action": "publish", "ids": [market.pk]}
    )
    assert response.status_code == 403
    market.refresh_from_db()
    assert market.status == D


def test_bulk_with_nothing_selected_says_so(client: Client, manager) -> None:
    response = _signed_in(client, manager).post(
        "/markets/bulk/", {"action": "archive"}, headers=HTMX
    )
    assert response.status_code == 422
    assert (
        json.loads(response["HX-Trigger"])["messages"]["items"][0]["text"]
        == "Select at least one market first."
    )


def test_create_market(client: Client, manager) -> None:
    _signed_in(client, manager)
    assert client.get("/markets/new/").status_code == 200
    response = client.post(
        "/markets/new/", {"name": "Alpha Books", "currency": "GBP", "description": "d"}
    )
    assert response.status_code == 302
    market = Market.objects.get()
    assert response["Location"] == f"/markets/{market.slug}/"
    htmx = client.post("/markets/new/", {"name": "Beta", "currency": "EUR"}, headers=HTMX)
    assert htmx["HX-Redirect"] == "/markets/beta/"


def test_create_market_with_a_taken_slug_shows_the_error_and_saves_nothing(
    client: Client, manager
) -> None:
    MarketFactory(slug="alpha")
    response = _signed_in(client, manager).post(
        "/markets/new/", {"name": "Alpha", "currency": "EUR"}, headers=HTMX
    )
    assert response.status_code == 422
    assert b"<html" not in response.content
    assert "The slug “alpha” is already used by another market." in response.content.decode()
    assert b'aria-invalid="true"' in response.content
    assert Market.objects.count() == 1


def test_inline_validation_checks_without_saving(client: Client, manager) -> None:
    MarketFactory(slug="taken")
    response = _signed_in(client, manager).post(
        "/markets/new/",
        {"name": "X", "slug": "taken", "currency": "EUR", "_validate": "1"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "already used" in response.content.decode()
    assert Market.objects.count() == 1
    response = client.post(
        "/markets/new/", {"name": "", "currency": "EUR", "_validate": "1"}, headers=HTMX
    )
    assert b"This field is required." in response.content
    assert Market.objects.count() == 1


def test_edit_market_fixes_currency_once_live(client: Client, manager) -> None:
    market = MarketFactory(status=A, currency="EUR")
    _signed_in(client, manager)
    form = client.get(f"/markets/{market.slug}/edit/").content.decode()
    assert re.search(r'<select name="currency"[^>]*disabled', form)
    response = client.post(
        f"/markets/{market.slug}/edit/",
        {"name": "Renamed", "currency": "USD", "description": "d", "version": market.version},
    )
    # A value for the locked field is refused, not dropped while the rest is saved.
    assert response.status_code == 422
    assert "Currency is fixed once the market has gone live" in response.content.decode()
    market.refresh_from_db()
    assert market.name != "Renamed"
    # Without it the rest saves.
    response = client.post(
        f"/markets/{market.slug}/edit/",
        {"name": "Renamed", "description": "d", "version": market.version},
    )
    assert response.status_code == 302
    market.refresh_from_db()
    assert (market.name, market.currency) == ("Renamed", "EUR")


@pytest.mark.parametrize("role", ["viewer", "agent", "finance"])
def test_create_and_edit_pages_are_403_for_other_roles(client: Client, request, role: str) -> None:
    market = MarketFactory()
    _signed_in(client, request.getfixturevalue(role))
    assert client.get("/markets/new/").status_code == 403
    assert client.post("/markets/new/", {"name": "X", "currency": "EUR"}).status_code == 403
    assert client.get(f"/markets/{market.slug}/edit/").status_code == 403
    assert Market.objects.count() == 1


def _count_queries(client: Client, url: str) -> int:
    client.get(url)  # warm: last_active write, cached sidebar
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# session, user, the user's and groups' permissions (2), page of rows (no count),
# the user's saved views of the list.
LIST_BUDGET = budget_of(views.market_list)  # 6, declared on the view
# session, user, permissions (2), market, timeline with actors.
DETAIL_BUDGET = budget_of(views.market_detail)  # 6


@pytest.mark.parametrize("rows", [5, 100])
def test_list_query_budget_is_flat(client: Client, manager, rows: int) -> None:
    MarketFactory.create_batch(rows)
    assert _count_queries(_signed_in(client, manager), "/markets/") == LIST_BUDGET
    assert _count_queries(client, "/markets/?status=draft&q=market&sort=-updated_at") == LIST_BUDGET


@pytest.mark.parametrize("events", [5, 100])
def test_detail_query_budget_is_flat(client: Client, manager, superuser, events: int) -> None:
    market = MarketFactory(status=A)
    for number in range(events // 2):
        services.suspend_market(actor=manager, market_id=market.pk, reason=f"Reason {number}")
        services.reinstate_market(actor=superuser, market_id=market.pk)
    assert _count_queries(_signed_in(client, manager), f"/markets/{market.slug}/") == DETAIL_BUDGET


def test_sidebar_counts_are_fresh_after_a_transition(
    client: Client, manager, django_capture_on_commit_callbacks
) -> None:
    market = MarketFactory()
    _signed_in(client, manager)

    def active_count() -> str:
        content = client.get("/markets/").content.decode()
        match = re.search(
            r'data-status-count="active">\s*Active <span[^>]*data-count>(\d+)<', content
        )
        assert match
        return match.group(1)

    assert active_count() == "0"
    assert active_count() == "0"  # now served from the fragment cache
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_market(actor=manager, market_id=market.pk)
    assert active_count() == "1"


def test_sidebar_is_cached(client: Client, manager) -> None:
    MarketFactory()
    _signed_in(client, manager)
    client.get("/markets/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/markets/")
    assert not [q for q in captured if "GROUP BY" in q["sql"]]


def test_an_invalid_filter_value_shows_no_rows_and_says_why(client: Client, viewer) -> None:
    MarketFactory(name="Alpha")
    content = _signed_in(client, viewer).get("/markets/?status=bogus").content.decode()
    assert "data-filter-errors" in content
    assert "Select a valid choice." in content
    assert ">Alpha<" not in content


def test_without_javascript_confirm_renders_the_dialog_open(client: Client, manager) -> None:
    market = MarketFactory(status=A)
    _signed_in(client, manager)
    closed = client.get(f"/markets/{market.slug}/").content.decode()
    # A GET form: without JavaScript its button loads ?confirm=suspend.
    assert re.search(
        r'<form method="get"[^>]*>\s*<button type="submit" name="confirm" value="suspend"', closed
    )
    assert not re.search(r"<dialog id=\"dialog-suspend\"[^>]*\bopen\b", closed)
    opened = client.get(f"/markets/{market.slug}/?confirm=suspend").content.decode()
    assert re.search(r"<dialog id=\"dialog-suspend\"[^>]*\bopen\b", opened)


def test_archive_asks_first_and_publish_does_not(client: Client, manager) -> None:
    market = MarketFactory(name="Old Stall", description="Ready.")
    html = _signed_in(client, manager).get(f"/markets/{market.slug}/").content.decode()
    assert 'name="confirm" value="archive"' in html
    assert 'data-open-dialog="dialog-archive"' in html
    assert '<h2 class="h5" id="dialog-archive-title">Archive Old Stall</h2>' in html
    assert "Archive Old Stall? An archived market can never be published again." in html
    assert "dialog-publish" not in html


def test_the_suspend_dialog_is_titled_with_the_market(client: Client, manager) -> None:
    market = MarketFactory(name="Berlin Vintage", status=A)
    html = _signed_in(client, manager).get(f"/markets/{market.slug}/").content.decode()
    assert '<h2 class="h5" id="dialog-suspend-title">Suspend Berlin Vintage</h2>' in html
