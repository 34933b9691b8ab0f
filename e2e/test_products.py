"""The product list in a real browser: htmx filters and bulk actions."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from apps.catalog.tests.factories import ProductFactory
from apps.markets.models import MarketStatus
from apps.markets.tests.factories import MarketFactory


def test_filter_by_market_and_active_without_a_reload(sign_in, live_server, viewer) -> None:
    north = MarketFactory(name="North Market", slug="north", status=MarketStatus.ACTIVE)
    south = MarketFactory(name="South Market", slug="south")
    ProductFactory(market=north, name="Amber Lamp")
    ProductFactory(market=north, name="Birch Stool", active=False)
    ProductFactory(market=south, name="Cedar Box")
    page: Page = sign_in(viewer)
    page.goto(f"{live_server.url}/products/")
    page.evaluate("window.__sameDocument = true")
    table = page.locator("#results table")
    expect(table).to_contain_text("Cedar Box")

    filters = page.get_by_role("form", name="Filters")
    # The market is an autocomplete: typed, chosen with the keyboard.
    market = filters.get_by_role("combobox", name="Market", exact=True)
    market.focus()
    page.keyboard.type("nor")
    expect(page.get_by_role("option", name="North Market")).to_be_visible()
    expect(page.get_by_role("option", name="South Market")).to_have_count(0)
    page.keyboard.press("Enter")  # the first match
    expect(page).to_have_url(re.compile(r"market=north"))
    expect(table).not_to_contain_text("Cedar Box")
    expect(table).to_contain_text("Birch Stool")

    filters.get_by_label("Active").select_option(label="Yes")
    expect(page).to_have_url(re.compile(r"active=yes"))
    expect(table).to_contain_text("Amber Lamp")
    expect(table).not_to_contain_text("Birch Stool")
    expect(table.locator("[data-status]")).to_have_text(["Active"])
    # Viewers change nothing: no checkboxes, no toolbar.
    expect(page.get_by_role("toolbar", name="Bulk actions")).to_have_count(0)
    expect(page.get_by_role("checkbox")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True

    # The URL is the state: loading it again shows the same list.
    page.reload()
    expect(page.locator("select[name=market]")).to_have_value("north")
    # The chosen market shows by name, in the field and as a chip.
    expect(filters.locator(".ts-control")).to_contain_text("North Market")
    expect(page.locator('[data-chip="market"]')).to_contain_text("North Market")
    expect(page.locator("#results table")).to_contain_text("Amber Lamp")
    expect(page.locator("#results table")).not_to_contain_text("Birch Stool")


def test_search_box_is_focused_by_slash(sign_in, live_server, viewer) -> None:
    ProductFactory(name="Amber Lamp", sku="LAMP-1")
    ProductFactory(name="Cedar Box", sku="BOX-1")
    page: Page = sign_in(viewer)
    page.goto(f"{live_server.url}/products/")
    page.keyboard.press("/")
    expect(page.get_by_label("Search")).to_be_focused()
    page.keyboard.type("box-1")
    expect(page).to_have_url(re.compile(r"q=box-1"))
    expect(page.locator("#results table")).not_to_contain_text("Amber Lamp")
    expect(page.locator("#results table")).to_contain_text("Cedar Box")


def test_bulk_activate_reports_per_row(sign_in, live_server, manager) -> None:
    ProductFactory(name="Amber Lamp", active=False)
    ProductFactory(name="Birch Stool")
    ProductFactory(name="Cedar Box", active=False)
    page: Page = sign_in(manager)
    page.goto(f"{live_server.url}/products/")
    inactive = page.locator('#sidebar [data-status-count="inactive"] [data-count]')
    expect(inactive).to_have_text("2")
    page.get_by_role("checkbox", name="Amber Lamp").check()
    page.get_by_role("checkbox", name="Birch Stool").check()
    # j/k and x work too: the third row is Cedar Box.
    for _ in range(3):
        page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.get_by_role("checkbox", name="Cedar Box")).to_be_checked()

    page.get_by_role("toolbar", name="Bulk actions").get_by_role(
        "button", name="Activate", exact=True
    ).click()
    report = page.locator("[data-bulk-report]")
    expect(report.locator("[data-done]")).to_have_text(["Amber Lamp", "Cedar Box"])
    expect(report.locator("[data-skipped]")).to_have_text("Birch Stool: already active")
    expect(page.locator("#results table [data-status]")).to_have_text(["Active"] * 3)
    # The sidebar was refreshed out of band with the committed counts.
    expect(inactive).to_have_text("0")
    expect(page.locator('#sidebar [data-status-count="active"] [data-count]')).to_have_text("3")
    expect(page).to_have_url(f"{live_server.url}/products/")


def test_o_on_a_product_row_opens_its_page_and_it_deactivates(
    sign_in, live_server, manager
) -> None:
    product = ProductFactory(name="Amber Lamp", active=True)
    page = sign_in(manager)
    page.goto(f"{live_server.url}/products/")
    page.keyboard.press("j")
    page.keyboard.press("o")
    expect(page).to_have_url(f"{live_server.url}/products/{product.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Amber Lamp")
    page.get_by_role("button", name="Deactivate").click()
    expect(page.locator("#product-detail [data-status]").first).to_have_text("Inactive")
    expect(page.get_by_role("button", name="Activate")).to_be_visible()
