"""Every page type on a phone (390 by 844), light and dark: nothing scrolls
sideways, and the side navigation opens and closes from the keyboard.

The width is measured against the viewport we set, not ``innerWidth``: with
mobile emulation Chromium zooms out to fit wide content and ``innerWidth``
grows with it, which would hide the very bug this looks for.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.tests.factories import PASSWORD
from apps.catalog.tests.factories import ProductFactory
from apps.markets.models import MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders.models import OrderStatus
from apps.orders.tests.factories import CartFactory, CartItemFactory, OrderFactory

PHONE = {"width": 390, "height": 844}


def _sign_in(page: Page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_page_scrolls_sideways_on_a_phone(
    page: Page, live_server, e2e_db, superuser, scheme: str
) -> None:
    market = MarketFactory(
        name="Berlin Vintage Clothing and Furniture Exchange", slug="berlin-vintage",
        status=MarketStatus.ACTIVE, description="A long description " * 20,
    )  # fmt: skip
    MarketFactory(name="Texas Tools", slug="texas-tools", status=MarketStatus.SUSPENDED)
    product = ProductFactory(market=market, name="A rather long product name for a teapot")
    cart = CartFactory(market=market, customer_name="Ada Lovelace-Byron")
    CartItemFactory(cart=cart, product=product, quantity=2)
    order = OrderFactory(market=market, customer_email="a.very.long.address@example.com")
    OrderFactory(market=market, status=OrderStatus.PAID)

    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme=scheme)
    _sign_in(page, live_server, superuser)
    paths = [
        "/", "/markets/", "/markets/new/", "/markets/berlin-vintage/",
        "/markets/berlin-vintage/edit/", "/orders/", f"/orders/{order.number}/",
        "/products/", f"/products/{product.pk}/", "/carts/", f"/carts/{cart.pk}/", "/activity/",
        "/activity/failed-work/", "/markets/berlin-vintage/?confirm=suspend",
    ]  # fmt: skip
    too_wide = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.dataset.bsTheme") == scheme
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    assert too_wide == {}


def test_a_list_shows_its_first_row_without_scrolling_on_a_phone(
    page: Page, live_server, e2e_db, viewer
) -> None:
    OrderFactory()
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server, viewer)
    page.goto(f"{live_server.url}/orders/")
    first_row = page.locator("#results tbody tr").first
    expect(first_row).to_be_in_viewport()
    # The counts sidebar is still there, below the list.
    expect(page.get_by_role("navigation", name="Order counts")).to_be_attached()


def test_the_navigation_opens_and_closes_from_the_keyboard_on_a_phone(
    page: Page, live_server, e2e_db, viewer
) -> None:
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server, viewer)
    nav = page.get_by_role("navigation", name="Main")
    markets = nav.get_by_role("link", name="Markets")
    expect(markets).to_be_hidden()  # an off-canvas menu, closed

    page.keyboard.press("Tab")  # Skip to content
    page.keyboard.press("Tab")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    menu_dialog = page.get_by_role("dialog", name="Console")
    expect(menu_dialog).to_be_visible()
    expect(markets).to_be_visible()
    expect(menu_dialog).to_be_focused()  # the focus moved into the menu
    page.keyboard.press("Escape")
    expect(markets).to_be_hidden()
    expect(menu).to_be_focused()

    # Open again and follow a link with the keyboard.
    page.keyboard.press("Enter")
    expect(menu_dialog).to_be_focused()
    page.keyboard.press("Tab")  # Close menu
    page.keyboard.press("Tab")  # Dashboard
    page.keyboard.press("Tab")
    expect(markets).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/markets/")


def test_more_filters_open_in_a_panel_and_still_filter(page: Page, live_server, e2e_db, viewer):
    OrderFactory(total=Decimal("5.00"))
    big = OrderFactory(total=Decimal("900.00"))
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server, viewer)
    page.goto(f"{live_server.url}/orders/")
    filters = page.get_by_role("form", name="Filters")
    expect(filters.get_by_label("Total from")).to_be_hidden()
    filters.get_by_role("button", name="More filters").click()
    panel = page.get_by_role("dialog", name="More filters")
    panel.get_by_label("Total from").fill("100")
    panel.get_by_role("button", name="Apply").click()
    expect(panel).to_be_hidden()
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody")).to_contain_text(big.number)
