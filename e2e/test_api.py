"""The API's pages in a real browser: Swagger UI renders under the strict CSP
(the autouse ``_no_page_errors`` fails on anything the CSP blocks), and the
tokens page creates a token that is shown once."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_swagger_ui_renders_every_operation_under_the_csp(sign_in, live_server, viewer) -> None:
    page: Page = sign_in(viewer)
    page.get_by_role("link", name="API docs").click()
    expect(page.locator(".opblock").first).to_be_visible()
    expect(
        page.locator(".opblock-summary-path", has_text="/api/v1/orders/{number}/charge/")
    ).to_be_visible()


def test_create_a_token_on_the_tokens_page(sign_in, live_server, agent) -> None:
    page: Page = sign_in(agent)
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("nightly sync")
    page.get_by_label("Expires after").select_option("7")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_label("Your new token")).to_have_value(re.compile(r"^con_[0-9a-f]{20,}"))
    expect(page.get_by_role("button", name="Revoke nightly sync")).to_be_visible()
    page.get_by_role("button", name="Revoke nightly sync").click()
    expect(page.locator("[data-api-tokens-empty]")).to_be_visible()
