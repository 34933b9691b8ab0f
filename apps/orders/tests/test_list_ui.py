"""The order list's filter chips, sidebar highlight, sort marker and the
per-row actions the bulk toolbar reads (the shared list parts, seen through
one list)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from apps.markets.tests.factories import MarketFactory
from apps.orders.models import OrderStatus

from .factories import OrderFactory

pytestmark = pytest.mark.django_db


def _page(client: Client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_each_filter_in_use_is_a_chip_that_links_to_the_list_without_it(client, viewer) -> None:
    market = MarketFactory(name="Nordic Crafts")
    content = _page(
        client, viewer, f"/orders/?q=&status=pending&market={market.pk}&total_min=&sort=-total"
    )
    chips = dict(re.findall(r'data-chip="(\w+)"[^>]*href="([^"]*)"', content))
    assert chips == {
        "status": f"/orders/?market={market.pk}&amp;sort=-total",
        "market": "/orders/?status=pending&amp;sort=-total",
    }
    assert "Remove filter </span>Status: <strong>Pending</strong>" in content
    assert "Remove filter </span>Market: <strong>Nordic Crafts</strong>" in content
    # Clear all keeps only the sort.
    assert re.search(r'data-clear-all\s+href="/orders/\?sort=-total"', content)


def test_no_chips_and_no_empty_sort_without_filters(client, viewer) -> None:
    content = _page(client, viewer, "/orders/")
    assert "data-filter-chips" not in content
    assert 'name="sort"' not in content  # no empty sort= carried into the URL
    assert 'name="sort" form="filters" value="-total"' in _page(
        client, viewer, "/orders/?sort=-total"
    )


def test_the_default_sort_is_marked_with_or_without_filters(client, viewer) -> None:
    OrderFactory()
    for url in ("/orders/", "/orders/?status=pending", "/orders/?sort="):
        content = _page(client, viewer, url)
        assert re.search(
            r'aria-sort="descending"[^>]*>\s*.*?class="table-sort desc"', content, re.S
        ), url


def test_the_sidebar_marks_the_status_in_force(client, viewer) -> None:
    content = _page(client, viewer, "/orders/?status=paid&q=x")
    current = re.findall(r'aria-current="true" href="([^"]*)"', content)
    assert current == ["/orders/?status=paid"]
    content = _page(client, viewer, "/orders/")
    assert re.findall(r'aria-current="true" href="([^"]*)"', content) == ["/orders/"]


def test_each_row_says_which_bulk_actions_its_state_allows(client, agent) -> None:
    pending = OrderFactory(status=OrderStatus.PENDING)
    shipped = OrderFactory(status=OrderStatus.SHIPPED)
    delivered = OrderFactory(status=OrderStatus.DELIVERED)
    content = _page(client, agent, "/orders/")

    def actions(order) -> set[str]:
        match = re.search(rf'value="{order.pk}"[^>]*data-actions="([^"]*)"', content)
        assert match
        return set(match.group(1).split())

    assert {"cancel"} <= actions(pending) and "mark_delivered" not in actions(pending)
    assert "mark_delivered" in actions(shipped) and "cancel" not in actions(shipped)
    assert not {"cancel", "mark_delivered"} & actions(delivered)


def test_an_empty_filtered_list_says_why_and_how_to_clear(client, viewer) -> None:
    OrderFactory()
    content = _page(client, viewer, "/orders/?q=nothing-like-this")
    assert "No orders match these filters." in content
    assert "clear them all" in content
    content = _page(client, viewer, "/orders/")
    assert "clear them all" not in content
