"""The dashboard's charts in a real browser, under the strict CSP: Chart.js
draws each chart from its table, and the table stays for screen readers."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from apps.orders.models import OrderStatus
from apps.orders.tests.factories import OrderFactory


def test_charts_are_drawn_from_their_tables(sign_in, live_server, viewer) -> None:
    OrderFactory(status=OrderStatus.PAID)
    OrderFactory(status=OrderStatus.PENDING)
    page: Page = sign_in(viewer)
    page.goto(f"{live_server.url}/")
    for chart in ("revenue-chart", "orders-chart"):
        canvas = page.locator(f"#{chart}-canvas")
        expect(canvas).to_have_attribute("role", "img")
        # Drawn: Chart.js keeps an instance for the canvas.
        assert page.evaluate(f"!!window.Chart.getChart('{chart}-canvas')")
        numbers = page.locator(f"#{chart}").locator("xpath=ancestor::*[@data-chart-numbers]")
        expect(numbers).to_have_class("table-responsive console-chart-numbers visually-hidden")
        # Still there for screen readers: the table keeps its caption and rows.
        caption = page.locator(f"#{chart} caption").inner_text()
        expect(page.get_by_role("table", name=caption)).to_be_attached()
