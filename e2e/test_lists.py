"""Lists in a real browser: filter chips and Clear all, the bulk toolbar that
follows the selection, and URLs that carry only the filters in use."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from playwright.sync_api import Page, expect

from apps.markets.models import MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders.models import OrderStatus
from apps.orders.tests.factories import OrderFactory


def _query(page: Page) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(page.url).query, keep_blank_values=True)


def test_the_url_after_filtering_has_no_empty_parameters(sign_in, live_server, viewer) -> None:
    OrderFactory(status=OrderStatus.PENDING)
    page: Page = sign_in(viewer)
    page.goto(f"{live_server.url}/orders/")
    filters = page.get_by_role("form", name="Filters")
    filters.get_by_label("Status").select_option(label="Pending")
    expect(page).to_have_url(re.compile(r"status=pending"))
    assert _query(page) == [("status", "pending")]

    # Sorting keeps only what is in use, too.
    page.locator("thead").get_by_role("link", name="Total").click()
    expect(page).to_have_url(re.compile(r"sort="))
    assert all(value for _, value in _query(page)), page.url
    assert dict(_query(page))["status"] == "pending"

    # A native submit (htmx does not see form.submit()) leaves empty fields out as well.
    page.goto(f"{live_server.url}/orders/?status=pending")
    page.evaluate("document.getElementById('filters').submit()")
    page.wait_for_load_state()
    assert _query(page) == [("status", "pending")]


def test_chips_remove_their_filter_and_clear_all_clears(sign_in, live_server, viewer) -> None:
    market = MarketFactory(name="Nordic Crafts", status=MarketStatus.ACTIVE)
    OrderFactory(market=market, status=OrderStatus.PENDING, customer_name="Ada")
    OrderFactory(market=market, status=OrderStatus.PAID, customer_name="Bea")
    OrderFactory(status=OrderStatus.PENDING, customer_name="Cy")
    page: Page = sign_in(viewer)
    page.goto(f"{live_server.url}/orders/?status=pending&market={market.pk}")
    chips = page.get_by_role("group", name="Filters in use")
    expect(chips.get_by_role("link")).to_have_count(3)  # two chips and Clear all
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)

    chips.get_by_role("link", name="Remove filter Status: Pending").click()
    expect(page).to_have_url(f"{live_server.url}/orders/?market={market.pk}")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("form", name="Filters").get_by_label("Status")).to_have_value("")
    expect(chips.get_by_role("link", name=re.compile("^Remove filter"))).to_have_count(1)

    page.get_by_role("form", name="Filters").get_by_label("Search").fill("Bea")
    expect(page).to_have_url(re.compile(r"q=Bea"))
    chips.get_by_role("link", name="Clear all").click()
    expect(page).to_have_url(f"{live_server.url}/orders/")
    expect(rows).to_have_count(3)
    expect(page.get_by_role("form", name="Filters").get_by_label("Search")).to_have_value("")
    # The market is an autocomplete: its select is empty and its combobox says so.
    expect(page.locator("select[name=market]")).to_have_value("")
    expect(page.locator("#filters .ts-control")).to_have_text("Any market")
    expect(chips).to_have_count(0)


def test_the_bulk_toolbar_follows_the_selection(sign_in, live_server, agent) -> None:
    pending = OrderFactory(status=OrderStatus.PENDING)
    shipped = OrderFactory(status=OrderStatus.SHIPPED)
    OrderFactory(status=OrderStatus.PENDING)
    page: Page = sign_in(agent)
    page.goto(f"{live_server.url}/orders/")
    toolbar = page.get_by_role("toolbar", name="Bulk actions")
    expect(toolbar).to_be_hidden()

    page.get_by_role("checkbox", name=pending.number).check()
    expect(toolbar).to_be_visible()
    expect(toolbar).to_contain_text("1 selected")
    # A pending order can be cancelled, not marked delivered.
    expect(toolbar.get_by_role("button", name="Cancel order")).to_be_visible()
    expect(toolbar.get_by_role("button", name="Mark delivered")).to_be_hidden()

    page.get_by_role("checkbox", name=shipped.number).check()
    expect(toolbar).to_contain_text("2 selected")
    expect(toolbar.get_by_role("button", name="Mark delivered")).to_be_visible()
    expect(toolbar.get_by_role("button", name="Cancel order")).to_be_visible()

    page.get_by_role("checkbox", name=pending.number).uncheck()
    expect(toolbar).to_contain_text("1 selected")
    expect(toolbar.get_by_role("button", name="Cancel order")).to_be_hidden()
    page.get_by_role("checkbox", name=shipped.number).uncheck()
    expect(toolbar).to_be_hidden()


def test_the_sidebar_marks_the_status_in_force(sign_in, live_server, viewer) -> None:
    OrderFactory(status=OrderStatus.PAID)
    page: Page = sign_in(viewer)
    page.goto(f"{live_server.url}/orders/")
    counts = page.get_by_role("navigation", name="Order counts")
    expect(counts.locator("[aria-current=true]")).to_have_attribute("data-status-count", "all")
    page.get_by_role("form", name="Filters").get_by_label("Status").select_option(label="Paid")
    expect(counts.locator("[aria-current=true]")).to_have_attribute("data-status-count", "paid")


def test_the_market_filter_is_an_autocomplete_used_with_the_keyboard(
    sign_in, live_server, viewer
) -> None:
    nordic = MarketFactory(name="Nordic Crafts", status=MarketStatus.ACTIVE)
    books = MarketFactory(name="Nordic Books", status=MarketStatus.ACTIVE)
    MarketFactory.create_batch(25)  # more than the 20 an answer holds
    OrderFactory(market=nordic, customer_name="Ada")
    OrderFactory(market=books, customer_name="Bea")
    page: Page = sign_in(viewer)
    page.goto(f"{live_server.url}/orders/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)
    # The page lists no market: only "Any market" is in the select.
    expect(page.locator("select[name=market] option")).to_have_count(1)

    market = page.get_by_role("form", name="Filters").get_by_role(
        "combobox", name="Market", exact=True
    )
    market.focus()
    expect(page.get_by_role("listbox", name="Market").get_by_role("option")).to_have_count(21)
    page.keyboard.type("nordic")
    options = page.get_by_role("listbox", name="Market").get_by_role("option")
    expect(options).to_have_text(["Nordic Books", "Nordic Crafts"])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/orders/?market={nordic.pk}")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Ada")
    chip = page.get_by_role("group", name="Filters in use")
    expect(chip.get_by_role("link", name="Remove filter Market: Nordic Crafts")).to_be_visible()

    # Backspace empties it: every market again.
    market.focus()
    page.keyboard.press("Backspace")
    expect(page).to_have_url(f"{live_server.url}/orders/")
    expect(rows).to_have_count(2)


def test_the_activity_actor_filter_is_an_autocomplete_under_more_filters(
    sign_in, live_server, viewer, manager
) -> None:
    from apps.markets import services

    manager.first_name, manager.last_name = "Grace", "Hopper"
    manager.save()
    services.create_market(actor=manager, name="Hopper's Market", currency="EUR", description="d")
    OrderFactory(status=OrderStatus.PENDING)  # events by nobody in particular
    page: Page = sign_in(viewer)
    page.goto(f"{live_server.url}/activity/")
    page.get_by_role("button", name="More filters").click()
    panel = page.get_by_role("dialog", name="More filters")
    actor = panel.get_by_role("combobox", name="Actor", exact=True)
    # Opened, its focus handling done (Bootstrap's offcanvas focuses itself when shown).
    expect(panel).to_have_class(re.compile(r"\bshow\b"))
    expect(panel).not_to_have_class(re.compile(r"\bshowing\b"))
    actor.focus()
    expect(actor).to_be_focused()
    page.keyboard.type("grace")
    expect(panel.get_by_role("option")).to_have_text(["Grace Hopper"])
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/activity/?actor={manager.pk}")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody")).to_contain_text("market_created")
    expect(page.locator('[data-chip="actor"]')).to_contain_text("Grace Hopper")
