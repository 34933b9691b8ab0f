"""An order's life in a real browser: placed, charged, shipped, delivered, refunded."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.catalog.tests.factories import ProductFactory
from apps.markets.models import MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders.tests.factories import CartFactory, CartItemFactory, OrderFactory
from e2e.pages import ActionRefused, DetailPage


def _status(page: Page):
    return page.locator("#order-detail [data-status]").first


def _timeline(page: Page):
    return page.get_by_role("region", name="Timeline")


def test_an_order_from_cart_to_refund(sign_in, live_server, agent, finance) -> None:
    market = MarketFactory(name="Harbour", status=MarketStatus.ACTIVE)
    cart = CartFactory(market=market, customer_name="Ada Lovelace")
    CartItemFactory(
        cart=cart, product=ProductFactory(market=market, name="Teapot", stock=4), quantity=2
    )

    page: Page = sign_in(agent)
    page.goto(f"{live_server.url}/carts/{cart.pk}/")
    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(r"/orders/ORD-[A-Z0-9]+/$"))
    order_url = page.url
    expect(_status(page)).to_have_text("Pending")
    expect(_timeline(page)).to_contain_text("placed")

    # The steps through the page objects staff scripts use (e2e/pages.py).
    order = DetailPage(page, "#order-detail")
    order.run("Charge payment")  # answers "Charge 13.00 EUR to ORD-…?"
    expect(_status(page)).to_have_text("Paid")
    expect(page.locator("[data-payments]")).to_contain_text("Succeeded")
    expect(_timeline(page)).to_contain_text("paid")

    order.run("Ship", tracking_number="1Z999AA10123456784")
    expect(_status(page)).to_have_text("Shipped")
    expect(page.locator("[data-tracking-number]")).to_have_text("1Z999AA10123456784")
    expect(_timeline(page)).to_contain_text("shipped")

    order.run("Mark delivered")
    expect(_status(page)).to_have_text("Delivered")
    expect(_timeline(page)).to_contain_text("delivered")
    # Refunds are Finance's: the agent has no such button.
    assert not order.can("Refund")
    page.get_by_role("button", name="Sign out").click()

    page = sign_in(finance)
    page.goto(order_url)
    order = DetailPage(page, "#order-detail")
    order.run("Refund", reason="Arrived cracked")
    expect(_status(page)).to_have_text("Refunded")
    assert order.status == "Refunded"
    expect(_timeline(page).locator("[data-reason]").first).to_have_text("Arrived cracked")
    for step in ("placed", "paid", "shipped", "delivered", "refunded"):
        expect(_timeline(page)).to_contain_text(step)


def test_a_declined_payment_is_shown_and_the_order_stays_pending(
    sign_in, live_server, agent
) -> None:
    order = OrderFactory(payment_token="tok_decline")
    page: Page = sign_in(agent)
    page.goto(f"{live_server.url}/orders/{order.number}/")
    with pytest.raises(ActionRefused, match="Card declined"):
        DetailPage(page, "#order-detail").run("Charge payment")
    expect(page.locator("[data-payments] [data-failure]")).to_have_text(
        "Card declined: insufficient funds."
    )
    expect(page.get_by_role("status").filter(has_text="Card declined")).to_be_visible()
    expect(_status(page)).to_have_text("Pending")
    expect(_timeline(page)).to_contain_text("payment failed")
    # The button is back for another attempt.
    expect(page.get_by_role("button", name="Charge payment", exact=True)).to_be_enabled()


def test_charge_is_disabled_with_the_reason_for_a_suspended_market(
    sign_in, live_server, agent
) -> None:
    order = OrderFactory(market__status=MarketStatus.SUSPENDED)
    page: Page = sign_in(agent)
    page.goto(f"{live_server.url}/orders/{order.number}/")
    expect(page.get_by_role("button", name="Charge payment", exact=True)).to_be_disabled()
    expect(page.get_by_text("Market is suspended.")).to_be_visible()
    # Its hotkey does nothing while disabled.
    page.keyboard.press("c")
    expect(_status(page)).to_have_text("Pending")


def test_order_list_filters_without_a_reload(sign_in, live_server, viewer) -> None:
    OrderFactory(number="ORD-AAAAAA", customer_email="ann@example.com")
    OrderFactory(number="ORD-BBBBBB", customer_email="bob@example.com")
    page: Page = sign_in(viewer)
    page.goto(f"{live_server.url}/orders/")
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Search").fill("bob@")
    expect(page).to_have_url(re.compile(r"q=bob%40"))
    table = page.locator("#results table")
    expect(table).to_contain_text("ORD-BBBBBB")
    expect(table).not_to_contain_text("ORD-AAAAAA")
    expect(page.locator("#export-link")).to_have_attribute(
        "href", re.compile(r"export\.csv\?q=bob%40")
    )
    assert page.evaluate("window.__sameDocument") is True


def test_suspending_the_market_pauses_charging_with_the_reason(
    sign_in, live_server, agent, manager
) -> None:
    from apps.markets import services as market_services

    order = OrderFactory()
    market_services.suspend_market(
        actor=manager, market_id=order.market_id, reason="Chargeback spike"
    )
    page: Page = sign_in(agent)
    page.goto(f"{live_server.url}/orders/{order.number}/")
    expect(page.get_by_role("button", name="Charge payment", exact=True)).to_be_disabled()
    expect(page.get_by_text("Market is suspended.")).to_be_visible()
    timeline = _timeline(page)
    expect(timeline).to_contain_text("charging paused")
    expect(timeline.locator("[data-reason]").first).to_have_text("Chargeback spike")
