"""Ship paid orders from a carrier's CSV of ``number,tracking``: a staff script.

It drives the console as an Order agent would, through the page objects of
``e2e/pages.py``: opens each order, presses **Ship**, types the tracking
number into its dialog and confirms. An order that is not Paid (already
shipped, cancelled, still pending) is skipped with the reason, so running
the same file twice ships nothing twice::

    python -m e2e.scripts.ship_from_csv --url http://127.0.0.1:8000 \\
        --user agent --password console-demo shipments.csv

``--market NAME`` ships only that market's orders. Prints one line per row
and exits non-zero if any row failed (skips are not failures).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from e2e.pages import ActionRefused, Console

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@dataclass(frozen=True)
class Outcome:
    number: str
    result: str  # "shipped", "skipped" or "failed"
    detail: str

    def __str__(self) -> str:
        return f"{self.number}: {self.result}{f' ({self.detail})' if self.detail else ''}"


def read_shipments(path: Path) -> list[tuple[str, str]]:
    """``number,tracking`` rows; a header row and blank lines are allowed."""
    with path.open(newline="", encoding="utf-8") as file:
        rows = [row for row in csv.reader(file) if row and any(cell.strip() for cell in row)]
    if rows and [cell.strip().lower() for cell in rows[0][:2]] == ["number", "tracking"]:
        rows = rows[1:]
    return [(row[0].strip(), row[1].strip() if len(row) > 1 else "") for row in rows]


def ship_orders(
    console: Console, shipments: Iterable[tuple[str, str]], *, market: str | None = None
) -> list[Outcome]:
    outcomes = []
    for number, tracking in shipments:
        order = console.open_order(number)
        if order.region.count() == 0:
            outcomes.append(Outcome(number, "failed", "no such order"))
            continue
        if market and order.region.get_by_role("link", name=market, exact=True).count() == 0:
            outcomes.append(Outcome(number, "skipped", f"not an order of {market}"))
            continue
        status = order.status
        if status != "Paid":
            outcomes.append(Outcome(number, "skipped", f"it is {status}"))
            continue
        if not tracking:
            outcomes.append(Outcome(number, "failed", "no tracking number in the file"))
            continue
        try:
            order.run("Ship", tracking_number=tracking)
        except ActionRefused as refused:
            outcomes.append(Outcome(number, "failed", str(refused)))
            continue
        order.expect_status("Shipped")
        outcomes.append(Outcome(number, "shipped", tracking))
    return outcomes


def run(page: Page, *, url: str, user: str, password: str, csv_path: Path,
        market: str | None = None) -> list[Outcome]:  # fmt: skip
    console = Console(page, url).sign_in(user, password)
    return ship_orders(console, read_shipments(csv_path), market=market)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="a file of number,tracking rows")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default=os.environ.get("CONSOLE_USER", "agent"))
    parser.add_argument("--password", default=os.environ.get("CONSOLE_PASSWORD"))
    parser.add_argument("--market", help="ship only this market's orders (its name)")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    arguments = parser.parse_args(argv)
    if not arguments.password:
        parser.error("give --password or set CONSOLE_PASSWORD")
    with sync_playwright() as playwright:
        executable = arguments.chromium if Path(arguments.chromium).exists() else None
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            outcomes = run(
                browser.new_page(),
                url=arguments.url,
                user=arguments.user,
                password=arguments.password,
                csv_path=arguments.csv,
                market=arguments.market,
            )
        finally:
            browser.close()
    for outcome in outcomes:
        print(outcome)
    shipped = sum(outcome.result == "shipped" for outcome in outcomes)
    failed = sum(outcome.result == "failed" for outcome in outcomes)
    print(f"{shipped} shipped, {len(outcomes) - shipped - failed} skipped, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
