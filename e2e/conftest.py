"""Browser tests: pytest-playwright driving Chromium against pytest-django's live server.

Chromium is the system one (``/usr/bin/chromium``, what ``make test`` installs
with apt) or, failing that, playwright's own download. With neither, the run
fails with instructions: browser tests are never silently skipped.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

# Playwright's sync API runs an event loop in this thread; Django would then
# refuse ORM calls from test code. The live server runs in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Flags for this machine's closed network and containers (see DEVELOPERS.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]

expect.set_options(timeout=10_000)


def _system_chromium() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    arguments = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    executable = _system_chromium()
    if executable:
        arguments["executable_path"] = executable
    return arguments


@pytest.fixture(scope="session", autouse=True)
def _require_a_browser(playwright: Any) -> None:
    if _system_chromium():
        return
    if not Path(playwright.chromium.executable_path).exists():
        pytest.exit(
            "No Chromium for the browser tests. Install one: `apt-get install -y chromium` "
            "(or `uv run playwright install chromium`), or set CHROMIUM_PATH.",
            returncode=3,
        )


@pytest.fixture(autouse=True)
def _no_page_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Any uncaught JavaScript error, or anything the CSP blocked, fails the test.

    Other console errors are left alone: Chromium logs every 4xx answer to an
    htmx request (a refused action's 409) as one.
    """
    if "page" not in request.fixturenames:
        yield
        return
    page: Page = request.getfixturevalue("page")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def e2e_db(transactional_db: None) -> None:
    """Browser tests need committed data: the live server runs in another thread."""


SignIn = Callable[[Any], Page]


@pytest.fixture
def sign_in(page: Page, live_server: Any, e2e_db: None) -> SignIn:
    from apps.accounts.tests.factories import PASSWORD

    def _sign_in(user: Any) -> Page:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return page

    return _sign_in


@pytest.fixture
def console(page: Page, live_server: Any, e2e_db: None) -> Any:
    """The page objects of ``e2e/pages.py`` on the live server, not signed in yet."""
    from e2e.pages import Console

    return Console(page, live_server.url)
