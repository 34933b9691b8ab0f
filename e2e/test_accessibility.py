"""axe-core on every page type and every dialog, in light and in dark: no
violation of any impact. Contrast is fixed in the theme (static/console/console.css),
so a new page inherits it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from apps.accounts.tests.factories import PASSWORD
from apps.catalog.tests.factories import ProductFactory
from apps.markets.models import MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders.models import OrderStatus
from apps.orders.tests.factories import CartFactory, CartItemFactory, OrderFactory

AXE = Axe()


def _violations(page: Page, where: str) -> list[str]:
    results = AXE.run(page, options={"resultTypes": ["violations"]})
    return [
        f"{where}: {violation['id']} ({violation['impact']}) at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
    ]


def _open_with_key(key: str, dialog_name: str) -> Callable[[Page], None]:
    def open_dialog(page: Page) -> None:
        page.keyboard.press(key)
        expect(page.get_by_role("dialog", name=dialog_name)).to_be_visible()

    return open_dialog


def _open_empty_palette(page: Page) -> None:
    page.keyboard.press("Control+k")
    page.keyboard.type("zzzzqq")
    expect(page.get_by_role("option", name="Nothing matches.")).to_be_visible()


def _open_palette(page: Page) -> None:
    page.keyboard.press("Control+k")
    palette = page.get_by_role("dialog", name="Command palette")
    page.keyboard.type("berlin")
    expect(palette.get_by_role("option").first).to_be_visible()


def _bulk_cancel(page: Page) -> None:
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.get_by_role("toolbar", name="Bulk actions").get_by_role(
        "button", name="Cancel order"
    ).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Cancel order")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations_on_any_page_or_dialog(
    page: Page, live_server, e2e_db, superuser, scheme: str
) -> None:
    active = MarketFactory(name="Berlin Vintage", slug="berlin-vintage", status=MarketStatus.ACTIVE)
    MarketFactory(name="Tokyo Gadgets", slug="tokyo-gadgets", description="Gadgets.")
    suspended = MarketFactory(name="Texas Tools", slug="texas-tools", status=MarketStatus.SUSPENDED)
    product = ProductFactory(market=active, name="Teapot")
    cart = CartFactory(market=active, customer_name="Ada Lovelace")
    CartItemFactory(cart=cart, product=product, quantity=2)
    pending = OrderFactory(market=active)
    paid = OrderFactory(market=active, status=OrderStatus.PAID)
    blocked = OrderFactory(market=suspended)

    # No transitions: a button's colours mid-fade (as a dialog opens, or as the
    # theme is applied on load) are not what anyone reads, and a busy machine
    # let axe measure them (a flaky colour-contrast failure).
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    page.goto(f"{live_server.url}/accounts/login/")
    found = _violations(page, "sign in")
    page.get_by_label("Username").fill(superuser.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.evaluate("document.documentElement.dataset.bsTheme") == scheme

    pages: list[tuple[str, list[tuple[str, Callable[[Page], None]]]]] = [
        ("/", [("palette", _open_palette), ("empty palette", _open_empty_palette),
               ("shortcuts", _open_with_key("?", "Keyboard"))]),
        ("/markets/", []),
        ("/markets/new/", []),
        ("/markets/berlin-vintage/", [("suspend", _open_with_key("s", "Suspend"))]),
        ("/markets/berlin-vintage/edit/", []),
        ("/markets/tokyo-gadgets/", [("archive", _open_with_key("a", "Archive"))]),
        ("/markets/texas-tools/", []),
        ("/orders/", [("bulk cancel", _bulk_cancel)]),
        (f"/orders/{pending.number}/", [("charge", _open_with_key("c", "Charge payment")),
                                         ("cancel", _open_with_key("n", "Cancel order"))]),
        (f"/orders/{paid.number}/", [("ship", _open_with_key("s", "Ship")),
                                      ("refund", _open_with_key("r", "Refund"))]),
        (f"/orders/{blocked.number}/", []),
        ("/products/", []),
        (f"/products/{product.pk}/", []),
        ("/carts/", []),
        (f"/carts/{cart.pk}/", []),
        ("/activity/", []),
        ("/markets/berlin-vintage/?confirm=suspend", []),  # the dialog without JavaScript's help
    ]  # fmt: skip
    for path, dialogs in pages:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state()
        found += _violations(page, path)
        for name, open_dialog in dialogs:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state()
            open_dialog(page)
            found += _violations(page, f"{path} with the {name} dialog")
    assert found == [], "\n".join(found)
