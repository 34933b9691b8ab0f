"""A ``{# #}`` comment must fit on one line: Django shows a multi-line one as
page text. Every page is rendered and searched for the markers, and every
template file is checked for a comment left open at the end of its line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from apps.catalog.tests.factories import ProductFactory
from apps.markets.models import MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders.tests.factories import CartFactory, CartItemFactory, OrderFactory

from .test_access import GUARDED_PATHS


@pytest.mark.django_db
def test_no_rendered_page_shows_a_template_comment(client: Client, superuser) -> None:
    market = MarketFactory(slug="sample", status=MarketStatus.ACTIVE)
    product = ProductFactory(market=market)
    cart = CartFactory(market=market, pk=1)
    CartItemFactory(cart=cart, product=product)
    order = OrderFactory(market=market, number="M-000001", pk=1)
    client.force_login(superuser)
    extra = ["/accounts/login/", "/markets/sample/?confirm=suspend", f"/orders/{order.number}/"]
    rendered = 0
    for path in [*GUARDED_PATHS, *extra]:
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        rendered += 1
        content = response.content.decode()
        assert "{#" not in content and "#}" not in content, path
    assert rendered >= 12  # the walk reached the console's pages


def test_no_template_leaves_a_comment_open_at_the_end_of_a_line() -> None:
    roots = [Path(directory) for directory in settings.TEMPLATES[0]["DIRS"]]
    roots += list(Path(settings.BASE_DIR, "apps").glob("*/templates"))
    open_comment = re.compile(r"\{#(?!.*#\})")
    found = [
        f"{path}:{number}"
        for root in roots
        for path in root.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if open_comment.search(line)
    ]
    assert found == []
