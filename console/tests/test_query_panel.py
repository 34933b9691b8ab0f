"""The query-budget panel of the debug toolbar, and the query headers.

The panel is rendered by the real toolbar (installed for these tests only,
as dev settings install it) for a page with a known N+1: four products, each
reading its market lazily.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, modify_settings, override_settings

from apps.catalog.models import Product
from apps.catalog.tests.factories import ProductFactory
from console.tests.test_settings import PROD_ENVIRONMENT, _run

PRODUCTS = 4


def _lazy_line() -> str:
    """The line of the deliberate N+1 in the test view (what the panel must name)."""
    source = (Path(__file__).parent / "panel_urls.py").read_text().splitlines()
    number = next(n for n, line in enumerate(source, 1) if "product.market.name" in line)
    return f"console/tests/panel_urls.py:{number} in lazy_markets"


TOOLBAR_SETTINGS = {
    "ROOT_URLCONF": "console.tests.panel_urls",
    "DEBUG_TOOLBAR_PANELS": [
        "debug_toolbar.panels.history.HistoryPanel",
        "console.debug_panels.QueryBudgetPanel",
    ],
    "DEBUG_TOOLBAR_CONFIG": {
        "SHOW_TOOLBAR_CALLBACK": "console.tests.panel_urls.always",
        "IS_RUNNING_TESTS": False,
        "UPDATE_ON_FETCH": True,
    },
}


@pytest.fixture
def toolbar(db: None) -> Iterator[None]:
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("console.middleware.RequestLogMiddleware") + 1,
        "debug_toolbar.middleware.DebugToolbarMiddleware",
    )
    with (
        modify_settings(INSTALLED_APPS={"append": "debug_toolbar"}),
        override_settings(MIDDLEWARE=middleware, **TOOLBAR_SETTINGS),
    ):
        from debug_toolbar.store import get_store

        get_store().clear()  # the history of an earlier test
        yield


def _panel(client: Client, request_id: str) -> str:
    response = client.get(
        "/__debug__/render_panel/", {"request_id": request_id, "panel_id": "QueryBudgetPanel"}
    )
    assert response.status_code == 200
    return str(json.loads(response.content)["content"])


def test_the_panel_counts_queries_and_names_the_n_plus_one_and_its_line(
    client: Client, toolbar: None
) -> None:
    for _ in range(PRODUCTS):
        ProductFactory()  # each in a market of its own

    response = client.get("/lazy/")

    # One query for the products, one per product for its market.
    assert response["X-Query-Count"] == str(1 + PRODUCTS)
    page = response.content.decode()
    assert "5 queries · budget 3 · 1 N+1" in page  # the toolbar's nav subtitle
    content = _panel(client, response["djdt-request-id"])
    assert re.search(r"data-query-count>5<", content)
    assert "exceeded by 2" in content
    assert re.search(r"data-n-plus-one>1<", content)
    # The group: the market query, run four times with four different ids,
    # by the line of the view that reads product.market.
    group = content[content.index("data-n-plus-one-group") :].split("</tr>")[0]
    assert re.search(r"<td>4</td>\s*<td>4</td>", group)
    assert f"<code data-origin>{_lazy_line()}</code> (4 times)" in group
    assert "markets_market" in group


def test_the_panel_lists_the_htmx_requests_that_followed_the_page(
    client: Client, toolbar: None
) -> None:
    for _ in range(PRODUCTS):
        ProductFactory()
    page = client.get("/lazy/")
    Product.objects.exclude(pk=Product.objects.earliest("pk").pk).delete()
    partial = client.get("/lazy/", headers={"HX-Request": "true"})

    # The htmx request has its own panel: one product, one market, no N+1.
    assert "2 queries · budget 3 · 0 N+1" in _panel(client, partial["djdt-request-id"])
    history = _panel(client, page["djdt-request-id"]).split("data-history-row")[1:]
    assert len(history) == 2
    # Newest first: the htmx request, then the page with its N+1 and overrun.
    assert "GET /lazy/ (htmx)" in history[0]
    assert "2 queries · budget 3 · 0 N+1" in history[0]
    assert "5 queries" not in history[0]
    assert "GET /lazy/</strong>" in history[1]  # the page the panel is open on
    assert "over budget" not in history[0]


def test_query_headers_on_every_response_in_test_settings(client: Client, viewer) -> None:
    client.force_login(viewer)
    response = client.get("/")
    count = int(response["X-Query-Count"])
    assert count >= 2  # session and user at least
    assert re.fullmatch(rf'db;dur=\d+\.\d;desc="{count} queries"', response["Server-Timing"])
    # Responses that are not pages too: a redirect to sign in, the health check.
    assert Client().get("/orders/")["X-Query-Count"] == "0"
    assert Client().get("/healthz")["X-Query-Count"] == "1"


def test_query_headers_are_absent_under_prod_settings() -> None:
    script = (
        "from django.test import Client; "
        "r = Client().get('/healthz', secure=True, HTTP_HOST='console.example.com'); "
        "print(r.status_code, r.has_header('X-Query-Count'), r.has_header('Server-Timing'))"
    )
    result = _run(["manage.py", "shell", "-v", "0", "-c", script], PROD_ENVIRONMENT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "False", "False"]
