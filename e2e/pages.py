"""The console as staff scripts see it: page objects over the names in docs/UI.md.

A staff script drives the console the way a person does, through labels and
roles rather than CSS, so it keeps working when the markup changes::

    from playwright.sync_api import sync_playwright
    from e2e.pages import Console

    with sync_playwright() as p:
        page = p.chromium.launch().new_page()
        console = Console(page, "http://127.0.0.1:8000").sign_in("agent", "console-demo")
        order = console.open_order("ORD-4D5A94")
        if order.status == "Paid":
            order.run("Ship", tracking_number="1Z999AA10123456784")

The project's own browser tests use these too (``e2e/test_*.py``), so they
are kept working by the test suite.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from playwright.sync_api import Locator, Page, Response, expect

# The dialog field of each transition that needs one (docs/UI.md).
FIELD_LABELS = {"reason": re.compile(r"^Reason for "), "tracking_number": "Tracking number"}


class ActionRefused(Exception):
    """The console refused an action: the text is the message staff would see."""


@dataclass
class Console:
    """A signed-in (or about to sign in) browser tab on the console."""

    page: Page
    base_url: str

    def url(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}{path}"

    def sign_in(self, username: str, password: str) -> Console:
        self.page.goto(self.url("/accounts/login/"))
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_role("button", name="Sign out")).to_be_visible()
        return self

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        expect(self.page.get_by_role("button", name="Sign in")).to_be_visible()

    # ---- detail pages ---------------------------------------------------
    def open_order(self, number: str) -> DetailPage:
        self.page.goto(self.url(f"/orders/{quote(number)}/"))
        return DetailPage(self.page, "#order-detail")

    def open_market(self, name: str) -> DetailPage:
        """The market called exactly ``name``, found through the list's Search."""
        markets = self.open_list("/markets/")
        markets.search(name)
        markets.table.get_by_role("link", name=name, exact=True).click()
        return DetailPage(self.page, "#market-detail")

    # ---- lists ----------------------------------------------------------
    def open_list(self, path: str) -> ListPage:
        self.page.goto(self.url(path))
        return ListPage(self.page)

    # ---- palette --------------------------------------------------------
    def jump_to(self, text: str) -> None:
        """Ctrl+K, type ``text``, Enter: what the palette offers first for it."""
        self.page.keyboard.press("Control+k")
        palette = self.page.get_by_role("dialog", name="Command palette")
        expect(palette).to_be_visible()
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")
        expect(palette).to_be_hidden()


@dataclass
class DetailPage:
    """A market's or an order's page: its status, its timeline, its actions."""

    page: Page
    region_selector: str

    @property
    def region(self) -> Locator:
        return self.page.locator(self.region_selector)

    @property
    def status(self) -> str:
        return self.region.locator("[data-status]").first.inner_text().strip()

    def expect_status(self, text: str) -> None:
        expect(self.region.locator("[data-status]").first).to_have_text(text)

    @property
    def timeline(self) -> list[str]:
        entries = self.page.get_by_role("region", name="Timeline").get_by_role("listitem")
        return [" ".join(text.split()) for text in entries.all_inner_texts()]

    def button(self, label: str) -> Locator:
        return self.region.get_by_role("button", name=label, exact=True)

    def can(self, label: str) -> bool:
        """Whether the transition ``label`` is on the page and enabled for this user."""
        button = self.button(label)
        return button.count() == 1 and button.is_enabled()

    def run(self, label: str, **fields: str) -> None:
        """Press the transition labelled ``label`` (docs/UI.md) and answer its dialog.

        ``fields`` fill the dialog (``reason=…``, ``tracking_number=…``); a
        dialog that only asks for confirmation is confirmed. Returns once the
        console has answered; raises ``ActionRefused`` with its message if it
        refused.
        """
        button = self.button(label)
        if not button.count():
            raise ActionRefused(f"{label} is not offered on this page.")
        if button.is_disabled():
            why = self.region.locator("[data-disabled-reason]").first.inner_text()
            raise ActionRefused(f"{label} is not possible: {why}")
        with self.page.expect_response(self._is_transition) as answer:
            button.click()
            dialog = self.page.get_by_role("dialog", name=re.compile(f"^{re.escape(label)}\\b"))
            if dialog.count() and dialog.is_visible():
                for name, value in fields.items():
                    dialog.get_by_label(FIELD_LABELS[name]).fill(value)
                dialog.get_by_role("button", name="Confirm").click()
        response = answer.value
        if response.status >= 400:
            refused = self.page.get_by_role("status").last
            raise ActionRefused(refused.inner_text() if refused.count() else str(response.status))

    @staticmethod
    def _is_transition(response: Response) -> bool:
        request = response.request
        return request.method == "POST" and "/transitions/" in request.url


@dataclass
class ListPage:
    """A list: Search, Filters, the table, the counts sidebar (docs/UI.md "Lists")."""

    page: Page

    @property
    def table(self) -> Locator:
        return self.page.locator("#results table")

    def _wait_for_results(self, action: Callable[[], object]) -> None:
        with self.page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
            action()

    def search(self, text: str) -> None:
        box = self.page.get_by_role("form", name="Filters").get_by_label("Search")
        self._wait_for_results(lambda: box.fill(text))

    def filter(self, label: str, option: str) -> None:
        """Choose ``option`` (its visible text) in the filter labelled ``label``."""
        select = self.page.get_by_role("form", name="Filters").get_by_label(label, exact=True)
        self._wait_for_results(lambda: select.select_option(label=option))

    def filter_value(self, label: str) -> str:
        """The text of the option chosen in the filter labelled ``label``."""
        select = self.page.get_by_role("form", name="Filters").get_by_label(label, exact=True)
        return select.evaluate("s => s.selectedOptions[0]?.text ?? ''")

    @property
    def headers(self) -> list[str]:
        return [" ".join(t.split()) for t in self.table.locator("thead th").all_inner_texts()]

    def rows(self) -> list[dict[str, str]]:
        """Each row as {column header: cell text}."""
        headers = self.headers
        rows = []
        for row in self.table.locator("tbody tr").all():
            cells = [" ".join(t.split()) for t in row.locator("td").all_inner_texts()]
            if len(cells) == len(headers):
                rows.append(dict(zip(headers, cells, strict=True)))
        return rows
