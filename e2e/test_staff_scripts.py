"""The staff script of e2e/scripts/ runs, as staff would run it, against the demo data."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command
from django.db.models import Count

from apps.markets.models import Market
from apps.orders.models import Order, OrderStatus
from e2e.conftest import _system_chromium

ROOT = Path(__file__).resolve().parent.parent


def test_ship_from_csv_ships_the_paid_orders_of_a_market(
    live_server, e2e_db, role_groups, tmp_path
) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    busiest = (
        Order.objects.filter(status=OrderStatus.PAID).values("market")
        .annotate(paid=Count("pk")).order_by("-paid", "market").first()
    )  # fmt: skip
    assert busiest is not None, "the demo has paid orders"
    market = Market.objects.get(pk=busiest["market"])
    to_ship = list(Order.objects.filter(market=market, status=OrderStatus.PAID))
    elsewhere = Order.objects.filter(status=OrderStatus.PAID).exclude(market=market).first()
    pending = Order.objects.filter(status=OrderStatus.PENDING).first()
    assert elsewhere is not None and pending is not None

    rows = ["number,tracking"]
    rows += [f"{order.number},TRK-{order.number}" for order in to_ship]
    rows += [f"{pending.number},TRK-PENDING", f"{elsewhere.number},TRK-ELSE", "ORD-NOPE00,TRK-X"]
    shipments = tmp_path / "shipments.csv"
    shipments.write_text("\n".join(rows) + "\n", encoding="utf-8")

    command = [
        sys.executable, "-m", "e2e.scripts.ship_from_csv", str(shipments),
        "--url", live_server.url, "--user", "agent", "--password", "console-demo",
        "--market", market.name, "--chromium", _system_chromium() or "",
    ]  # fmt: skip
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)

    output = finished.stdout
    assert f"{len(to_ship)} shipped, 2 skipped, 1 failed" in output, finished.stderr
    assert finished.returncode == 1  # the unknown number
    for order in to_ship:
        order.refresh_from_db()
        assert order.status == OrderStatus.SHIPPED
        assert order.tracking_number == f"TRK-{order.number}"
        assert f"{order.number}: shipped" in output
    pending.refresh_from_db()
    elsewhere.refresh_from_db()
    assert pending.status == OrderStatus.PENDING
    assert elsewhere.status == OrderStatus.PAID
    assert f"{pending.number}: skipped" in output
    assert f"{elsewhere.number}: skipped (not an order of {market.name})" in output
    assert "ORD-NOPE00: failed (no such order)" in output

    # Run again: everything is already shipped, nothing is shipped twice.
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert f"0 shipped, {len(to_ship) + 2} skipped, 1 failed" in again.stdout, again.stderr
