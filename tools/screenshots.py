"""``make screenshots``: every page type, desktop (1440x900) and phone
(390x844), light and dark, over the demo data, to docs/screenshots/.

A throwaway SQLite database is migrated and seeded (``seed_demo``), the
console is served on a free local port with the test settings (no debug
toolbar; static files from the finders) and Chromium (the system one when
present) visits each page signed in as the demo superuser. Files are named
``{page}-{desktop|phone}-{light|dark}.png``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from playwright.sync_api import Page, ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SIZES: dict[str, ViewportSize] = {
    "desktop": {"width": 1440, "height": 900},
    "phone": {"width": 390, "height": 844},
}
SCHEMES: tuple[Literal["light", "dark"], ...] = ("light", "dark")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# (name, path, or a list page whose first row's link to follow)
PAGES = [
    ("dashboard", "/", None),
    ("markets", "/markets/", None),
    ("market", None, "/markets/"),
    ("market-form", "/markets/new/", None),
    ("orders", "/orders/", None),
    ("order", None, "/orders/?status=pending"),
    ("products", "/products/", None),
    ("product", None, "/products/"),
    ("carts", "/carts/", None),
    ("cart", None, "/carts/"),
    ("activity", "/activity/", None),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _manage(env: dict[str, str], *arguments: str) -> None:
    command = [sys.executable, "manage.py", *arguments]
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)


@contextmanager
def _console() -> Iterator[str]:
    """The console over fresh demo data, served until the block ends."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "console.settings.test",
            "DATABASE_URL": f"sqlite:///{tmp}/screenshots.sqlite3",
        }
        env.pop("REDIS_URL", None)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "seed_demo", "--url", f"{url}/")
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{url}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


def _sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("console-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _first_row_link(page: Page, url: str, list_path: str) -> str:
    page.goto(f"{url}{list_path}")
    href = page.locator("#results tbody tr a[href]").first.get_attribute("href")
    return href or list_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    with _console() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for size, viewport in SIZES.items():
            for scheme in SCHEMES:
                context = browser.new_context(viewport=viewport, color_scheme=scheme)
                page = context.new_page()
                _sign_in(page, url)
                for name, path, list_path in PAGES:
                    target = path or _first_row_link(page, url, list_path or "/")
                    page.goto(f"{url}{target}")
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=out / f"{name}-{size}-{scheme}.png")
                context.close()
        browser.close()
    print(f"{len(PAGES) * len(SIZES) * len(SCHEMES)} screenshots in {out}")


if __name__ == "__main__":
    main()
