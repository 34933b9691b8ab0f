"""Transitions and writes through the API: the pages' matrix, the same refusals
from the same code, If-Match and Idempotency-Key, and the audit's "via API"."""

from __future__ import annotations

import json

import pytest

from apps.activity.models import Event
from apps.catalog.tests.factories import ProductFactory
from apps.core.transitions import version_tag
from apps.markets.models import Market
from apps.markets.tests.factories import MarketFactory
from apps.orders.models import Order, Payment
from apps.orders.tests.factories import CartFactory, CartItemFactory, OrderFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
ROLES = ["manager", "agent", "finance", "viewer", "superuser"]

# (transition, state before, body, roles allowed) — UI.md's roles.
ORDER_ACTIONS = [
    ("charge", "pending", {}, {"agent", "superuser"}),
    ("cancel", "pending", {}, {"agent", "superuser"}),
    ("ship", "paid", {"tracking_number": "TRACK-9"}, {"agent", "superuser"}),
    ("mark_delivered", "shipped", {}, {"agent", "superuser"}),
    ("refund", "paid", {"reason": "Damaged"}, {"finance", "superuser"}),
]
MARKET_ACTIONS = [
    ("publish", "draft", {}, {"manager", "superuser"}),
    ("suspend", "active", {"reason": "Fraud check"}, {"manager", "superuser"}),
    ("reinstate", "suspended", {}, {"manager", "superuser"}),
    ("archive", "draft", {}, {"manager", "superuser"}),
]


def _paid(order_state: str) -> Order:
    """An order in ``order_state``; a paid one really charged, so a refund has a charge."""
    from apps.orders import services

    if order_state != "paid":
        return OrderFactory(status=order_state)
    order = OrderFactory()
    from apps.accounts.models import User

    root = User.objects.filter(is_superuser=True).first()
    services.charge_payment(actor=root, order_id=order.pk, idempotency_key="setup")
    return order


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "state", "body", "allowed"), ORDER_ACTIONS)
def test_order_actions_per_role(request, token_client, superuser, role, name, state, body, allowed):
    order = _paid(state)
    events = Event.objects.count()
    response = token_client(request.getfixturevalue(role)).post(
        f"/api/v1/orders/{order.number}/{name}/", body, format="json"
    )
    order.refresh_from_db()
    if role in allowed:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == order.status != state
        assert response["ETag"] == version_tag(order)
    else:
        assert response.status_code == 403 and response["Content-Type"] == PROBLEM
        assert response.json()["detail"].startswith("Your role does not allow")
        assert order.status == state and Event.objects.count() == events


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "state", "body", "allowed"), MARKET_ACTIONS)
def test_market_actions_per_role(request, token_client, role, name, state, body, allowed):
    market = MarketFactory(status=state)
    response = token_client(request.getfixturevalue(role)).post(
        f"/api/v1/markets/{market.slug}/{name}/", body, format="json"
    )
    market.refresh_from_db()
    if role in allowed:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == market.status != state
    else:
        assert response.status_code == 403
        assert market.status == state and not Event.objects.exists()


@pytest.mark.parametrize(
    ("state", "name", "body"),
    [
        ("delivered", "charge", {}),
        ("paid", "cancel", {}),
        ("pending", "ship", {"tracking_number": "T"}),
        ("cancelled", "mark_delivered", {}),
    ],
)
def test_what_the_state_forbids_is_409_and_changes_nothing(agent, token_client, state, name, body):
    order = OrderFactory(status=state)
    response = token_client(agent).post(
        f"/api/v1/orders/{order.number}/{name}/", body, format="json"
    )
    assert response.status_code == 409 and response["Content-Type"] == PROBLEM
    order.refresh_from_db()
    assert order.status == state and not Event.objects.exists()


def test_the_api_says_the_sentence_the_page_says(client, agent, token_client):
    order = OrderFactory(market__status="suspended")
    client.force_login(agent)
    page = client.post(
        f"/orders/{order.number}/transitions/charge/",
        {"idempotency_key": "k"},
        headers={"HX-Request": "true"},
    )
    api = token_client(agent).post(f"/api/v1/orders/{order.number}/charge/", {}, format="json")
    said = json.loads(page["HX-Trigger"])["messages"]["items"][0]["text"]
    assert api.status_code == page.status_code == 409
    assert api.json() == {
        "type": "urn:console:problem:transition-not-allowed",
        "title": "Not possible now",
        "status": 409,
        "detail": said,
    }


def test_a_missing_input_is_422_naming_the_field(agent, token_client):
    order = OrderFactory(status="paid")
    response = token_client(agent).post(f"/api/v1/orders/{order.number}/ship/", {}, format="json")
    assert response.status_code == 422
    assert response.json()["field"] == "tracking_number"
    assert response.json()["detail"] == "A tracking number is required to ship an order."


def test_a_declined_charge_is_402_and_leaves_the_order_pending(agent, token_client):
    order = OrderFactory(payment_token="tok_decline")
    response = token_client(agent).post(f"/api/v1/orders/{order.number}/charge/", format="json")
    assert response.status_code == 402
    assert response.json()["detail"] == "Card declined: insufficient funds."
    order.refresh_from_db()
    assert order.status == "pending"


# --- If-Match ---------------------------------------------------------------------


def test_a_stale_if_match_is_412_with_the_current_order_and_nothing_changes(agent, token_client):
    order = OrderFactory(status="paid")
    client = token_client(agent)
    stale = client.get(f"/api/v1/orders/{order.number}/")["ETag"]
    # Someone else saved the order meanwhile (every service saves updated_at).
    Order.objects.filter(pk=order.pk).update(updated_at=order.updated_at.replace(year=2030))
    response = client.post(
        f"/api/v1/orders/{order.number}/ship/",
        {"tracking_number": "T"},
        format="json",
        HTTP_IF_MATCH=stale,
    )
    assert response.status_code == 412 and response["Content-Type"] == PROBLEM
    order.refresh_from_db()
    assert order.status == "paid" and not Event.objects.exists()
    assert response.json()["current"]["status"] == "paid"
    assert response["ETag"] == version_tag(order) != stale


def test_a_current_if_match_runs_the_transition(manager, token_client):
    market = MarketFactory()
    client = token_client(manager)
    tag = client.get(f"/api/v1/markets/{market.slug}/")["ETag"]
    response = client.post(f"/api/v1/markets/{market.slug}/publish/", HTTP_IF_MATCH=tag)
    assert response.status_code == 200 and response["ETag"] != tag
    again = client.post(
        f"/api/v1/markets/{market.slug}/suspend/", {"reason": "r"}, format="json", HTTP_IF_MATCH=tag
    )
    assert again.status_code == 412
    assert Market.objects.get(pk=market.pk).status == "active"


def test_if_match_is_checked_on_the_locked_row_inside_the_service(manager, token_client):
    """The comparison is made by check_transition on the row the service locked,
    so a change committed after the view read the market is still seen."""
    from apps.core.errors import PreconditionFailed
    from apps.core.transitions import expecting_version
    from apps.markets import services

    market = MarketFactory()
    tag = version_tag(market)
    Market.objects.filter(pk=market.pk).update(updated_at=market.updated_at.replace(year=2030))
    with pytest.raises(PreconditionFailed), expecting_version(market, [tag]):
        services.publish_market(actor=manager, market_id=market.pk)  # market object still old
    assert Market.objects.get(pk=market.pk).status == "draft"


# --- Idempotency-Key ----------------------------------------------------------------


def test_the_same_idempotency_key_charges_once_and_answers_the_same(agent, token_client, sandbox):
    order = OrderFactory()
    client = token_client(agent)
    answers = [
        client.post(f"/api/v1/orders/{order.number}/charge/", HTTP_IDEMPOTENCY_KEY="run-42")
        for _ in range(3)
    ]
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.content for answer in answers}) == 1
    assert len(sandbox.calls) == 1 and Payment.objects.count() == 1


def test_the_same_key_on_another_order_or_reason_is_422(agent, finance, token_client):
    first, second = OrderFactory(), OrderFactory()
    client = token_client(agent)
    assert (
        client.post(f"/api/v1/orders/{first.number}/charge/", HTTP_IDEMPOTENCY_KEY="k").status_code
        == 200
    )
    reused = client.post(f"/api/v1/orders/{second.number}/charge/", HTTP_IDEMPOTENCY_KEY="k")
    assert reused.status_code == 422
    second.refresh_from_db()
    assert second.status == "pending"
    refunds = token_client(finance)
    url = f"/api/v1/orders/{first.number}/refund/"
    ok = refunds.post(url, {"reason": "Damaged"}, format="json", HTTP_IDEMPOTENCY_KEY="r")
    assert ok.status_code == 200
    other = refunds.post(url, {"reason": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY="r")
    assert other.status_code == 422
    assert other.json()["detail"] == "That idempotency key belongs to another payment."


def test_two_users_keys_never_meet(agent, superuser, token_client, sandbox):
    first, second = OrderFactory(), OrderFactory()
    assert (
        token_client(agent)
        .post(f"/api/v1/orders/{first.number}/charge/", HTTP_IDEMPOTENCY_KEY="same")
        .status_code
        == 200
    )
    assert (
        token_client(superuser)
        .post(f"/api/v1/orders/{second.number}/charge/", HTTP_IDEMPOTENCY_KEY="same")
        .status_code
        == 200
    )
    assert len(sandbox.calls) == 2


# --- Writes: the same services as the forms --------------------------------------------


def test_create_and_edit_a_market_like_the_form(manager, viewer, token_client):
    client = token_client(manager)
    created = client.post(
        "/api/v1/markets/", {"name": "Lisbon Flea", "currency": "EUR"}, format="json"
    )
    assert created.status_code == 201 and created.json()["slug"] == "lisbon-flea"
    assert created.json()["status"] == "draft"
    taken = client.post("/api/v1/markets/", {"name": "Lisbon Flea"}, format="json")
    assert taken.status_code == 422 and taken.json()["field"] == "slug"
    edited = client.patch(
        "/api/v1/markets/lisbon-flea/", {"description": "Saturdays."}, format="json"
    )
    assert edited.json()["description"] == "Saturdays."
    refused = token_client(viewer).patch(
        "/api/v1/markets/lisbon-flea/", {"description": "x"}, format="json"
    )
    assert refused.status_code == 403
    assert (
        token_client(viewer).post("/api/v1/markets/", {"name": "X"}, format="json").status_code
        == 403
    )
    assert Market.objects.get(slug="lisbon-flea").description == "Saturdays."


def test_a_patch_with_a_stale_if_match_is_412_and_keeps_the_other_edit(manager, token_client):
    """A reads (ETag), B edits, A edits with what it read: no lost update."""
    market = MarketFactory(description="Old")
    a, b = token_client(manager, name="a"), token_client(manager, name="b")
    url = f"/api/v1/markets/{market.slug}/"
    read = a.get(url)["ETag"]
    assert b.patch(url, {"description": "B's"}, format="json").status_code == 200
    late = a.patch(url, {"description": "A's"}, format="json", HTTP_IF_MATCH=read)
    assert late.status_code == 412 and late["Content-Type"] == PROBLEM
    market.refresh_from_db()
    assert market.description == "B's"
    assert late.json()["current"]["description"] == "B's"
    assert late["ETag"] == version_tag(market) != read
    fresh = a.patch(url, {"description": "A's"}, format="json", HTTP_IF_MATCH=late["ETag"])
    assert fresh.status_code == 200 and fresh.json()["description"] == "A's"


def test_a_patch_if_match_is_checked_on_the_locked_row(manager):
    """update_market compares the client's tag on the row it locked, not on what
    the view read: a change in between (even a transition) is seen."""
    from apps.core.errors import PreconditionFailed
    from apps.core.transitions import expecting_version
    from apps.markets import services

    market = MarketFactory()
    tag = version_tag(market)
    Market.objects.filter(pk=market.pk).update(updated_at=market.updated_at.replace(year=2030))
    with pytest.raises(PreconditionFailed), expecting_version(market, [tag]):
        services.update_market(
            actor=manager, market_id=market.pk, version=market.version, description="x"
        )
    assert Market.objects.get(pk=market.pk).description != "x"


def test_place_an_order_from_a_cart(agent, viewer, token_client):
    cart = CartFactory()
    CartItemFactory(cart=cart, product=ProductFactory(market=cart.market, stock=5))
    assert token_client(viewer).post(f"/api/v1/carts/{cart.pk}/place/").status_code == 403
    response = token_client(agent).post(f"/api/v1/carts/{cart.pk}/place/")
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    assert response["Location"].endswith(f"/api/v1/orders/{number}/")
    assert Order.objects.filter(number=number, status="pending").exists()


# --- Audit ----------------------------------------------------------------------


def test_an_api_action_is_on_the_timeline_via_api_with_the_token_name(
    client, manager, token_client
):
    market = MarketFactory()
    token_client(manager, name="nightly sync").post(f"/api/v1/markets/{market.slug}/publish/")
    event = Event.objects.get(name="market_published")
    assert event.actor == manager and event.via == "API (nightly sync)"
    client.force_login(manager)
    page = client.get(f"/markets/{market.slug}/")
    assert b"via API (nightly sync)" in page.content


def test_an_action_on_the_page_says_no_channel(client, manager):
    market = MarketFactory()
    client.force_login(manager)
    client.post(f"/markets/{market.slug}/transitions/publish/")
    assert Event.objects.get(name="market_published").via == ""


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("", {"status": "archived"}, "status"),
        ("", {"descripton": "a typo"}, "descripton"),
        ("publish/", {"reason": "publish takes none"}, "reason"),
    ],
)
def test_a_field_the_write_does_not_take_is_refused_not_ignored(
    manager, token_client, path, body, field
):
    """A script that sends ``status`` (or misspells a field) must not get a 200
    that changed nothing: it is told which field the endpoint does not take."""
    market = MarketFactory(status="draft")
    before = version_tag(market)
    client = token_client(manager)
    url = f"/api/v1/markets/{market.slug}/{path}"
    send = client.post if path else client.patch
    response = send(url, body, format="json")
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["field"] == field
    assert "Not taken here" in response.json()["detail"]
    market.refresh_from_db()
    assert market.status == "draft" and version_tag(market) == before
