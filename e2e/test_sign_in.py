from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_staff_user_signs_in_and_sees_the_dashboard(
    page: Page, live_server, e2e_db, viewer
) -> None:
    page.goto(f"{live_server.url}/")
    # Anonymous: sent to sign in, remembering where they were going.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_label("Username").fill("viewer")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello, ")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Dashboard")
    expect(page.get_by_test_id("current-user")).to_have_text(viewer.get_full_name())
    expect(page.locator("[data-user-role]")).to_have_text("Viewer")


def test_the_theme_toggle_is_remembered(page: Page, live_server, e2e_db, viewer) -> None:
    page.emulate_media(color_scheme="light")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("viewer")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    toggle = page.get_by_role("button", name="Dark theme")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    page.reload()  # remembered over the system's light preference
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    page.get_by_role("button", name="Dark theme").click()
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")


def test_wrong_password_shows_an_error_and_no_session(
    page: Page, live_server, e2e_db, viewer
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("viewer")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("enter a correct username and password")
    assert not [c for c in page.context.cookies() if c["name"] == "sessionid"]
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_sign_out_ends_the_session(sign_in, live_server, viewer) -> None:
    page = sign_in(viewer)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_go_to_shortcut_and_help_dialog(sign_in, live_server, viewer) -> None:
    page = sign_in(viewer)
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("g d")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_no_console_errors_under_the_content_security_policy(sign_in, live_server, viewer) -> None:
    errors: list[str] = []
    page = sign_in(viewer)
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # htmx loaded (its nonce accepted) and nothing was blocked.
    assert page.evaluate("typeof window.htmx") == "object"
    assert errors == []


def test_command_palette_jumps_to_a_market(sign_in, live_server, viewer) -> None:
    from apps.markets.tests.factories import MarketFactory

    MarketFactory(name="Harbour Fish", slug="harbour-fish")
    page = sign_in(viewer)
    page.keyboard.press("Control+k")
    palette = page.get_by_role("dialog", name="Command palette")
    expect(palette).to_be_visible()
    page.keyboard.type("harbour")
    expect(palette.get_by_role("option", name=re.compile("Harbour Fish"))).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/markets/harbour-fish/")


def test_an_enter_as_the_palettes_results_arrive_goes_to_the_first(
    sign_in, live_server, viewer
) -> None:
    """htmx puts new results in the page a settle delay before they are
    highlighted: an Enter pressed in between waits for them and goes to the
    first, rather than doing nothing. (The delay is stretched here so the
    Enter lands inside it every time; at htmx's 20 ms it did now and then.)"""
    from apps.markets.tests.factories import MarketFactory

    MarketFactory(name="Harbour Fish", slug="harbour-fish")
    page = sign_in(viewer)
    page.evaluate("window.htmx.config.defaultSettleDelay = 1500")
    page.keyboard.press("Control+k")
    palette = page.get_by_role("dialog", name="Command palette")
    expect(palette).to_be_visible()
    page.keyboard.type("harbour")
    expect(palette.get_by_role("option", name=re.compile("Harbour Fish"))).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/markets/harbour-fish/")


def test_command_palette_runs_an_allowed_action(sign_in, live_server, manager) -> None:
    from apps.markets.tests.factories import MarketFactory

    MarketFactory(name="Quiet Draft", slug="quiet-draft")
    page = sign_in(manager)
    page.goto(f"{live_server.url}/markets/quiet-draft/")
    page.keyboard.press("Control+k")
    palette = page.get_by_role("dialog", name="Command palette")
    expect(palette.get_by_role("option", name="Publish")).to_be_visible()
    page.keyboard.type("publ")
    expect(palette.get_by_role("option", name="Archive")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(palette).to_be_hidden()
    expect(page.locator("#market-detail [data-status]").first).to_have_text("Active")
