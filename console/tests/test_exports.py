"""Every CSV export neutralises what a spreadsheet would run (apps/core/web/spreadsheet.py)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.test import Client

from apps.orders.models import OrderStatus
from apps.orders.tests.factories import OrderFactory

from .test_access import GUARDED_PATHS

EXPORTS = [path for path in GUARDED_PATHS if path.endswith(".csv")]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = '=HYPERLINK("http://evil.example","x")'


def test_the_exports_are_found() -> None:
    # A new export is checked below as soon as its URL ends in .csv.
    assert "/orders/export.csv" in EXPORTS


def test_no_export_has_a_cell_a_spreadsheet_would_run(client: Client, superuser: Any) -> None:
    OrderFactory(
        customer_name=HOSTILE,
        customer_email="+evil@example.com",
        status=OrderStatus.SHIPPED,
        tracking_number="@1",
        market__name="-Market",
    )
    client.force_login(superuser)
    for path in EXPORTS:
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        rows = list(csv.reader(io.StringIO(body.decode())))
        cells = [cell for row in rows[1:] for cell in row]
        assert "'" + HOSTILE in cells, path
        assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)], path
