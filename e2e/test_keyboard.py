"""The keyboard, by keyboard only: no key runs what the user did not see, and
what cannot be undone asks first. No test here clicks (signing in aside)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from apps.accounts.tests.factories import PASSWORD
from apps.markets.models import Market, MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders.models import Order, OrderStatus, Payment
from apps.orders.tests.factories import OrderFactory

PALETTE = "Command palette"


def _palette(page: Page):
    return page.get_by_role("dialog", name=PALETTE)


def test_palette_enter_opens_the_result_not_the_hidden_page_action(console, manager) -> None:
    draft = MarketFactory(name="Quiet Draft", slug="quiet-draft", description="Ready to go.")
    MarketFactory(name="Tokyo Gadgets", slug="tokyo-gadgets")
    console.sign_in(manager.username, PASSWORD)
    page = console.page
    page.goto(console.url("/markets/quiet-draft/"))
    expect(page.get_by_role("button", name="Publish", exact=True)).to_be_enabled()

    page.keyboard.press("Control+k")
    expect(_palette(page)).to_be_visible()
    page.keyboard.type("tokyo")
    # Publish does not match "tokyo": it is neither shown nor highlighted.
    expect(_palette(page).get_by_role("option", name=re.compile("Publish"))).to_be_hidden()
    highlighted = _palette(page).locator("[data-combobox-option-default='true']")
    expect(highlighted).to_contain_text("Tokyo Gadgets")
    page.keyboard.press("Enter")

    expect(page).to_have_url(console.url("/markets/tokyo-gadgets/"))
    draft.refresh_from_db()
    assert draft.status == MarketStatus.DRAFT


def test_palette_on_a_pending_order_never_charges(console, agent) -> None:
    order = OrderFactory(market__status=MarketStatus.ACTIVE)
    MarketFactory(name="London Books", slug="london-books")
    console.sign_in(agent.username, PASSWORD)
    page = console.page
    page.goto(console.url(f"/orders/{order.number}/"))
    expect(page.get_by_role("button", name="Charge payment", exact=True)).to_be_visible()

    console.jump_to("london")

    expect(page).to_have_url(console.url("/markets/london-books/"))
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert not Payment.objects.filter(order=order).exists()


def test_enter_typed_before_the_results_arrive_waits_for_them(console, manager) -> None:
    draft = MarketFactory(name="Quiet Draft", slug="quiet-draft", description="Ready to go.")
    MarketFactory(name="London Books", slug="london-books")
    console.sign_in(manager.username, PASSWORD)
    page = console.page
    page.goto(console.url("/markets/quiet-draft/"))
    page.keyboard.press("Control+k")
    expect(_palette(page)).to_be_visible()
    # Faster than the palette's 150 ms debounce: Enter arrives before any result.
    page.keyboard.type("london")
    page.keyboard.press("Enter")
    expect(page).to_have_url(console.url("/markets/london-books/"))
    draft.refresh_from_db()
    assert draft.status == MarketStatus.DRAFT


def test_palette_runs_a_matching_action_through_its_dialog(console, agent) -> None:
    order = OrderFactory(market__status=MarketStatus.ACTIVE)
    console.sign_in(agent.username, PASSWORD)
    page = console.page
    page.goto(console.url(f"/orders/{order.number}/"))
    page.keyboard.press("Control+k")
    page.keyboard.type("cancel")
    action = _palette(page).get_by_role("option", name=re.compile("Cancel order"))
    expect(action).to_be_visible()
    # Navigation results come first ("Orders: Cancelled"); the arrows reach the action.
    expect(_palette(page).locator("[data-combobox-option-default='true']")).to_contain_text(
        "Orders: Cancelled"
    )
    for _ in range(5):
        page.keyboard.press("ArrowDown")
        if action.get_attribute("aria-selected") == "true":
            break
    expect(action).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    # The palette leads to the same confirmation as the button and the hotkey.
    dialog = page.get_by_role("dialog", name=f"Cancel order {order.number}")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_one_escape_closes_the_palette_and_gives_the_focus_back(console, viewer) -> None:
    MarketFactory(name="Harbour Fish", slug="harbour-fish", status=MarketStatus.ACTIVE)
    console.sign_in(viewer.username, PASSWORD)
    page = console.page
    page.goto(console.url("/markets/"))
    page.keyboard.press("/")
    search = page.get_by_role("form", name="Filters").get_by_label("Search")
    expect(search).to_be_focused()
    page.keyboard.press("Control+k")
    page.keyboard.type("harb")
    expect(_palette(page).get_by_role("option", name=re.compile("Harbour Fish"))).to_be_visible()
    page.keyboard.press("Escape")
    expect(_palette(page)).to_be_hidden()
    expect(search).to_be_focused()


def test_cancel_by_hotkey_asks_first(console, agent) -> None:
    order = OrderFactory(market__status=MarketStatus.ACTIVE)
    console.sign_in(agent.username, PASSWORD)
    page = console.page
    page.goto(console.url(f"/orders/{order.number}/"))

    page.keyboard.press("n")
    dialog = page.get_by_role("dialog", name=f"Cancel order {order.number}")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"Cancel {order.number}? Its stock goes back")
    expect(dialog.get_by_role("button", name="Confirm")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING

    page.keyboard.press("n")
    expect(dialog).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#order-detail [data-status]").first).to_have_text("Cancelled")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_charge_by_hotkey_says_how_much_and_to_what(console, agent) -> None:
    order = OrderFactory(market__status=MarketStatus.ACTIVE)
    console.sign_in(agent.username, PASSWORD)
    page = console.page
    page.goto(console.url(f"/orders/{order.number}/"))
    page.keyboard.press("c")
    dialog = page.get_by_role("dialog", name=f"Charge payment {order.number}")
    expect(dialog).to_contain_text(f"Charge {order.total:.2f} {order.currency} to {order.number}?")
    assert not Payment.objects.filter(order=order).exists()
    page.keyboard.press("Enter")
    expect(page.locator("#order-detail [data-status]").first).to_have_text("Paid")
    assert Payment.objects.filter(order=order).count() == 1


def test_archive_by_hotkey_asks_first(console, manager) -> None:
    market = MarketFactory(name="Old Stall", slug="old-stall")
    console.sign_in(manager.username, PASSWORD)
    page = console.page
    page.goto(console.url("/markets/old-stall/"))
    page.keyboard.press("a")
    dialog = page.get_by_role("dialog", name="Archive Old Stall")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    market.refresh_from_db()
    assert market.status == MarketStatus.DRAFT


def test_reason_dialog_is_titled_with_the_market_and_ctrl_enter_submits(console, manager) -> None:
    MarketFactory(name="Berlin Vintage", slug="berlin-vintage", status=MarketStatus.ACTIVE)
    console.sign_in(manager.username, PASSWORD)
    page = console.page
    page.goto(console.url("/markets/berlin-vintage/"))
    page.keyboard.press("s")
    dialog = page.get_by_role("dialog", name="Suspend Berlin Vintage")
    reason = dialog.get_by_label("Reason for suspending")
    expect(reason).to_be_focused()
    expect(dialog).to_contain_text("Ctrl+Enter")
    page.keyboard.type("Counterfeit goods")
    page.keyboard.press("Enter")  # a new line, not a submit
    page.keyboard.type("reported twice")
    expect(dialog).to_be_visible()
    page.keyboard.press("Control+Enter")
    expect(page.locator("#market-detail [data-status]").first).to_have_text("Suspended")
    assert Market.objects.get(slug="berlin-vintage").suspension_reason == (
        "Counterfeit goods\nreported twice"
    )


def test_a_one_line_field_submits_on_enter(console, agent) -> None:
    order = OrderFactory(status=OrderStatus.PAID, market__status=MarketStatus.ACTIVE)
    console.sign_in(agent.username, PASSWORD)
    page = console.page
    page.goto(console.url(f"/orders/{order.number}/"))
    page.keyboard.press("s")
    dialog = page.get_by_role("dialog", name=f"Ship {order.number}")
    expect(dialog.get_by_label("Tracking number")).to_be_focused()
    page.keyboard.type("1Z999AA1")
    page.keyboard.press("Enter")
    expect(page.locator("#order-detail [data-status]").first).to_have_text("Shipped")


def test_reversible_steps_stay_one_key(console, manager) -> None:
    MarketFactory(name="Quick Draft", slug="quick-draft", description="Ready.")
    console.sign_in(manager.username, PASSWORD)
    page = console.page
    page.goto(console.url("/markets/quick-draft/"))
    page.keyboard.press("p")
    expect(page.locator("#market-detail [data-status]").first).to_have_text("Active")


def test_go_keys_and_rows_by_keyboard(console, viewer) -> None:
    order = OrderFactory()
    console.sign_in(viewer.username, PASSWORD)
    page = console.page
    page.keyboard.press("g")
    page.keyboard.press("c")
    expect(page).to_have_url(console.url("/carts/"))
    page.keyboard.press("g")
    page.keyboard.press("o")
    expect(page).to_have_url(console.url("/orders/"))
    page.wait_for_load_state()
    page.keyboard.press("j")
    expect(page.locator("#results tbody tr").first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page).to_have_url(console.url(f"/orders/{order.number}/"))
    page.go_back()
    page.wait_for_load_state()
    page.keyboard.press("j")
    page.keyboard.press("o")
    expect(page).to_have_url(console.url(f"/orders/{order.number}/"))


def test_question_mark_lists_only_this_pages_keys(console, agent) -> None:
    order = OrderFactory(market__status=MarketStatus.SUSPENDED)
    console.sign_in(agent.username, PASSWORD)
    page = console.page
    page.goto(console.url(f"/orders/{order.number}/"))
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Cancel order")
    expect(dialog).to_contain_text("g c")
    # Charge is disabled here (the market is suspended): its key is not listed.
    expect(dialog).not_to_contain_text("Charge payment")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_back_and_forward_restore_the_filters_with_the_table(console, viewer) -> None:
    OrderFactory(number="ORD-PPPPPP")
    OrderFactory(number="ORD-CCCCCC", status=OrderStatus.CANCELLED)
    console.sign_in(viewer.username, PASSWORD)
    orders = console.open_list("/orders/")
    orders.filter("Status", "Pending")
    expect(orders.table).not_to_contain_text("ORD-CCCCCC")
    orders.search("PPP")
    expect(console.page).to_have_url(re.compile(r"q=PPP"))

    console.page.go_back()
    expect(console.page).to_have_url(re.compile(r"status=pending"))
    expect(console.page).not_to_have_url(re.compile(r"q=PPP"))
    expect(orders.table).to_contain_text("ORD-PPPPPP")
    assert orders.filter_value("Status") == "Pending"
    search = console.page.get_by_role("form", name="Filters").get_by_label("Search")
    expect(search).to_have_value("")

    console.page.go_back()
    expect(orders.table).to_contain_text("ORD-CCCCCC")
    assert orders.filter_value("Status") != "Pending"

    console.page.go_forward()
    expect(orders.table).not_to_contain_text("ORD-CCCCCC")
    assert orders.filter_value("Status") == "Pending"
    assert Order.objects.count() == 2


def test_bulk_cancel_asks_first_naming_how_many(console, agent) -> None:
    first = OrderFactory(market__status=MarketStatus.ACTIVE)
    second = OrderFactory(market__status=MarketStatus.ACTIVE)
    console.sign_in(agent.username, PASSWORD)
    page = console.page
    page.goto(console.url("/orders/?status=pending"))
    page.wait_for_load_state()
    for _ in range(2):
        page.keyboard.press("j")
        page.keyboard.press("x")
    toolbar = page.get_by_role("toolbar", name="Bulk actions")
    toolbar.get_by_role("button", name="Cancel order").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Cancel order")
    expect(dialog).to_contain_text("Cancel 2 orders? Their stock goes back")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.PENDING}

    toolbar.get_by_role("button", name="Cancel order").focus()
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("button", name="Confirm")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("[data-bulk-report]")).to_contain_text("Cancel order")
    for order in (first, second):
        order.refresh_from_db()
        assert order.status == OrderStatus.CANCELLED


def test_no_key_acts_behind_an_open_dialog(console, manager) -> None:
    market = MarketFactory(name="Quiet Draft", slug="quiet-draft", description="Ready.")
    console.sign_in(manager.username, PASSWORD)
    page = console.page
    page.goto(console.url("/markets/quiet-draft/"))
    page.keyboard.press("a")
    dialog = page.get_by_role("dialog", name="Archive Quiet Draft")
    expect(dialog).to_be_visible()
    posts: list[str] = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    for key in ("p", "g", "m", "?"):
        page.keyboard.press(key)
    page.keyboard.press("Control+k")
    expect(page.get_by_role("dialog", name=PALETTE)).to_be_hidden()
    expect(dialog).to_be_visible()
    assert page.url == console.url("/markets/quiet-draft/")
    assert posts == []
    market.refresh_from_db()
    assert market.status == MarketStatus.DRAFT


def test_keys_follow_the_swapped_page(console, manager) -> None:
    MarketFactory(name="Quick Draft", slug="quick-draft", description="Ready.")
    console.sign_in(manager.username, PASSWORD)
    page = console.page
    page.goto(console.url("/markets/quick-draft/"))
    posts: list[str] = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    page.keyboard.press("p")
    expect(page.locator("#market-detail [data-status]").first).to_have_text("Active")
    # Publish was swapped away: its key is gone. Suspend is new: its key works.
    page.keyboard.press("p")
    page.keyboard.press("s")
    expect(page.get_by_role("dialog", name="Suspend Quick Draft")).to_be_visible()
    assert [url for url in posts if "/transitions/" in url] == [
        console.url("/markets/quick-draft/transitions/publish/")
    ]


def test_results_for_older_text_are_hidden_until_new_ones_arrive(console, viewer) -> None:
    MarketFactory(name="Harbour Fish", slug="harbour-fish")
    console.sign_in(viewer.username, PASSWORD)
    page = console.page
    held: list = []
    page.route(re.compile(r"/palette/\?q=harbour"), lambda route: held.append(route))
    page.keyboard.press("Control+k")
    page.keyboard.type("harb")
    option = _palette(page).get_by_role("option", name=re.compile("Harbour Fish"))
    expect(option).to_be_visible()
    # The shown option is marked as the one Enter acts on, visibly.
    expect(option).to_have_attribute("data-combobox-option-default", "true")
    highlighted = option.evaluate("el => getComputedStyle(el).backgroundColor")
    plain = page.locator("#palette-list").evaluate(
        "el => getComputedStyle(el.closest('dialog')).backgroundColor"
    )
    assert highlighted != plain
    page.keyboard.type("our")  # "harbour": its answer is held back
    expect(option).to_be_hidden()
    expect(_palette(page).locator("[data-combobox-option-default='true']")).to_have_count(0)
    for _ in range(40):  # the request for the new text goes after the 150 ms debounce
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the request for the new text was made"
    expect(option).to_be_hidden()  # still, while its answer is held back
    held[-1].continue_()
    expect(_palette(page).get_by_role("option", name=re.compile("Harbour Fish"))).to_be_visible()


def test_space_opens_a_dialog_button_and_a_confirm_link_does_not_stay_in_the_url(
    console, agent
) -> None:
    order = OrderFactory(market__status=MarketStatus.ACTIVE)
    console.sign_in(agent.username, PASSWORD)
    page = console.page
    page.goto(console.url(f"/orders/{order.number}/"))
    page.get_by_role("button", name="Cancel order", exact=True).focus()
    page.keyboard.press(" ")
    expect(page.get_by_role("dialog", name=f"Cancel order {order.number}")).to_be_visible()

    page.goto(console.url(f"/orders/{order.number}/?confirm=charge"))
    dialog = page.get_by_role("dialog", name=f"Charge payment {order.number}")
    expect(dialog).to_be_visible()
    # Opened by a link, not by the user: the focus is on Close, and a reload won't reopen it.
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    expect(page).to_have_url(console.url(f"/orders/{order.number}/"))
