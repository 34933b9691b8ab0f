"""Saved views in a real browser: the owner reopens the same rows; a shared
view does the same for another user."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from apps.accounts.tests.factories import PASSWORD
from apps.orders.models import OrderStatus
from apps.orders.tests.factories import OrderFactory


def test_a_saved_view_reopens_its_rows_for_its_owner_and_when_shared_for_others(
    sign_in, live_server, agent, viewer, browser: Browser
) -> None:
    OrderFactory(status=OrderStatus.PENDING, customer_name="Ada Pending")
    OrderFactory(status=OrderStatus.PAID, customer_name="Bea Paid")
    page: Page = sign_in(agent)
    page.goto(f"{live_server.url}/orders/")
    page.get_by_role("form", name="Filters").get_by_label("Status").select_option(label="Pending")
    expect(page).to_have_url(re.compile(r"status=pending"))  # changed by htmx, not a reload
    views = page.get_by_role("navigation", name="Saved views")
    views.get_by_label("Name of this view").fill("Waiting for payment")
    views.get_by_label("Who sees it").select_option(label="Everyone (read-only)")
    views.get_by_role("button", name="Save view").click()
    expect(page).to_have_url(f"{live_server.url}/orders/?status=pending")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    link = views.get_by_role("link", name=re.compile("^Waiting for payment"))
    expect(link).to_have_attribute("aria-current", "true")

    # Its owner, from the full list: the same rows again.
    page.goto(f"{live_server.url}/orders/")
    expect(rows).to_have_count(2)
    link.click()
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Ada Pending")

    # Another user sees the shared view and gets the same rows.
    other = browser.new_context().new_page()
    other.goto(f"{live_server.url}/accounts/login/")
    other.get_by_label("Username").fill(viewer.username)
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    other.goto(f"{live_server.url}/orders/")
    other.get_by_role("navigation", name="Saved views").get_by_role(
        "link", name=re.compile("^Waiting for payment")
    ).click()
    expect(other).to_have_url(f"{live_server.url}/orders/?status=pending")
    expect(other.locator("#results tbody tr")).to_have_count(1)
    expect(other.locator("#results tbody tr")).to_contain_text("Ada Pending")
