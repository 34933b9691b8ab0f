"""A market's life in a real browser, and the list's htmx behaviour."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from apps.markets.models import MarketStatus
from apps.markets.tests.factories import MarketFactory


def test_manager_creates_publishes_suspends_and_reinstates(sign_in, live_server, manager) -> None:
    page: Page = sign_in(manager)
    page.goto(f"{live_server.url}/markets/")
    page.get_by_role("link", name="New market").click()
    page.get_by_label("Name").fill("Harbour Fish")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_label("Description").fill("Fresh fish from the harbour.")
    page.get_by_role("button", name="Create market").click()

    expect(page).to_have_url(f"{live_server.url}/markets/harbour-fish/")
    status = page.locator("#market-detail [data-status]").first
    expect(status).to_have_text("Draft")

    page.get_by_role("button", name="Publish", exact=True).click()
    expect(status).to_have_text("Active")
    expect(
        page.get_by_role("status").filter(has_text="Harbour Fish is now Active.")
    ).to_be_visible()

    page.get_by_role("button", name="Suspend", exact=True).click()
    dialog = page.get_by_role("dialog", name="Suspend")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Reason for suspending").fill("Seller under investigation")
    dialog.get_by_role("button", name="Confirm").click()
    expect(status).to_have_text("Suspended")
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("suspended")
    expect(timeline.locator("[data-reason]")).to_have_text("Seller under investigation")

    page.get_by_role("button", name="Reinstate", exact=True).click()
    expect(status).to_have_text("Active")
    expect(timeline).to_contain_text("reinstated")
    # Each step went through htmx: still the same page, never a reload.
    expect(page).to_have_url(f"{live_server.url}/markets/harbour-fish/")


def test_hotkey_presses_an_enabled_transition(sign_in, live_server, manager) -> None:
    market = MarketFactory(name="Hotkey Market", slug="hotkey-market")
    page: Page = sign_in(manager)
    page.goto(f"{live_server.url}/markets/{market.slug}/")
    page.keyboard.press("p")
    expect(page.locator("#market-detail [data-status]").first).to_have_text("Active")


def test_viewer_sees_the_market_without_buttons(sign_in, live_server, viewer) -> None:
    market = MarketFactory(name="Quiet Market", slug="quiet-market", status=MarketStatus.ACTIVE)
    page: Page = sign_in(viewer)
    page.goto(f"{live_server.url}/markets/{market.slug}/")
    expect(page.get_by_role("heading", name="Quiet Market")).to_be_visible()
    expect(page.locator("#market-detail [data-status]").first).to_have_text("Active")
    for label in ("Publish", "Suspend", "Reinstate", "Archive", "Edit"):
        expect(page.get_by_role("button", name=label, exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)


def test_disabled_button_shows_its_reason(sign_in, live_server, manager) -> None:
    market = MarketFactory(name="Bare Market", slug="bare-market", description="")
    page: Page = sign_in(manager)
    page.goto(f"{live_server.url}/markets/{market.slug}/")
    expect(page.get_by_role("button", name="Publish", exact=True)).to_be_disabled()
    expect(page.get_by_text("A market needs a description before it is published.")).to_be_visible()


def test_filter_and_search_update_the_table_without_a_reload(sign_in, live_server, manager) -> None:
    MarketFactory(name="Amber Draft", slug="amber-draft")
    MarketFactory(name="Birch Active", slug="birch-active", status=MarketStatus.ACTIVE)
    MarketFactory(name="Cedar Active", slug="cedar-active", status=MarketStatus.ACTIVE)
    page: Page = sign_in(manager)
    page.goto(f"{live_server.url}/markets/")
    page.evaluate("window.__sameDocument = true")
    table = page.locator("#results table")

    page.get_by_label("Status").select_option("active")
    expect(page).to_have_url(re.compile(r"status=active"))
    expect(table).to_contain_text("Birch Active")
    expect(table).not_to_contain_text("Amber Draft")

    page.keyboard.press("/")
    expect(page.get_by_label("Search")).to_be_focused()
    page.keyboard.type("cedar")
    expect(page).to_have_url(re.compile(r"q=cedar"))
    expect(table).not_to_contain_text("Birch Active")
    expect(table).to_contain_text("Cedar Active")
    assert page.evaluate("window.__sameDocument") is True

    # The URL is the state: loading it again shows the same list.
    page.reload()
    expect(page.get_by_label("Search")).to_have_value("cedar")
    expect(page.locator("#results table")).to_contain_text("Cedar Active")
    expect(page.locator("#results table")).not_to_contain_text("Birch Active")


def test_bulk_publish_reports_done_and_skipped(sign_in, live_server, manager) -> None:
    MarketFactory(name="Ready One", slug="ready-one")
    MarketFactory(name="Bare One", slug="bare-one", description="")
    page: Page = sign_in(manager)
    page.goto(f"{live_server.url}/markets/")
    page.get_by_role("checkbox", name="Ready One").check()
    # j/k and x work too: select the row of Bare One and toggle it.
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.get_by_role("checkbox", name="Bare One")).to_be_checked()
    page.get_by_role("toolbar", name="Bulk actions").get_by_role("button", name="Publish").click()
    report = page.locator("[data-bulk-report]")
    expect(report.locator("[data-done]")).to_have_text("Ready One")
    expect(report.locator("[data-skipped]")).to_contain_text("Bare One")
    expect(report.locator("[data-skipped]")).to_contain_text("needs a description")
    expect(page.locator('#sidebar [data-status-count="active"] [data-count]')).to_have_text("1")


def test_inline_validation_keeps_what_is_typed(sign_in, live_server, manager) -> None:
    MarketFactory(slug="taken-slug")
    page: Page = sign_in(manager)
    page.goto(f"{live_server.url}/markets/new/")
    page.get_by_label("Slug").fill("taken-slug")
    page.get_by_label("Description").click()  # leaving Slug checks it
    page.keyboard.type("Typed while the slug was being checked")
    slug_error = page.locator('[data-field-error="slug"]')
    expect(slug_error).to_contain_text("already used by another market")
    expect(page.get_by_label("Description")).to_have_value("Typed while the slug was being checked")
    expect(page.get_by_label("Description")).to_be_focused()


def test_suspend_works_without_javascript(browser, live_server, e2e_db, manager) -> None:
    from apps.accounts.tests.factories import PASSWORD

    market = MarketFactory(name="Plain Market", slug="plain-market", status=MarketStatus.ACTIVE)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/markets/{market.slug}/")
        page.get_by_label("Username").fill(manager.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Suspend", exact=True).click()
        dialog = page.get_by_role("dialog", name="Suspend")
        dialog.get_by_label("Reason for suspending").fill("Checked by hand")
        dialog.get_by_role("button", name="Confirm").click()
        expect(page).to_have_url(f"{live_server.url}/markets/{market.slug}/")
        expect(page.locator("#market-detail [data-status]").first).to_have_text("Suspended")
        expect(page.get_by_text("Plain Market is now Suspended.")).to_be_visible()
    finally:
        context.close()


def test_focus_lands_on_the_swapped_region(sign_in, live_server, manager) -> None:
    market = MarketFactory(name="Focus Market", slug="focus-market")
    page: Page = sign_in(manager)
    page.goto(f"{live_server.url}/markets/{market.slug}/")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator("#market-detail [data-status]").first).to_have_text("Active")
    expect(page.locator("#market-detail")).to_be_focused()
