"""The dashboard's low-level caches: computed values and a QuerySet, never stale.

Both are ``cache.get_or_set`` under keys holding the "activity" version,
bumped on commit of every domain event (console/dashboard.py): the tests
read the cache itself, then make the event and watch the page change.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db.models import QuerySet
from django.test import Client
from django.utils import timezone

from apps.catalog.tests.factories import ProductFactory
from apps.markets.models import MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders import services
from apps.orders.tests.factories import CartFactory, CartItemFactory, OrderFactory
from console import dashboard

pytestmark = pytest.mark.django_db


def _busiest(client: Client) -> list[tuple[str, str]]:
    """(market slug, orders placed) of the dashboard's busiest-markets table, in order."""
    html = client.get("/").content.decode()
    table = html[html.index("data-busiest-markets") :].split("</table>")[0]
    return re.findall(r'data-market="([^"]+)">.*?data-orders>(\d+)<', table, re.S)


def test_the_queues_are_computed_once_per_event_with_get_or_set(
    client: Client, agent, django_capture_on_commit_callbacks
) -> None:
    order = OrderFactory()
    client.force_login(agent)
    client.get("/")
    cached = cache.get(dashboard._cache_key("queues", timezone.now()))
    assert [queue.count for queue in cached if queue.label == "Awaiting payment"] == [1]

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_order(actor=agent, order_id=order.pk)

    # The event changed the key: the old value is not read again.
    assert cache.get(dashboard._cache_key("queues", timezone.now())) is None
    assert 'data-queue="Awaiting payment"' in client.get("/").content.decode()
    fresh = cache.get(dashboard._cache_key("queues", timezone.now()))
    assert [queue.count for queue in fresh if queue.label == "Awaiting payment"] == [0]


def test_the_busiest_markets_are_a_cached_queryset_fresh_after_an_order_is_placed(
    client: Client, agent, django_capture_on_commit_callbacks
) -> None:
    busy, quiet = (MarketFactory(status=MarketStatus.ACTIVE) for _ in range(2))
    OrderFactory.create_batch(2, market=busy, lines=0)
    OrderFactory(market=quiet, lines=0)
    client.force_login(agent)

    assert _busiest(client) == [(busy.slug, "2"), (quiet.slug, "1")]
    cached = cache.get(dashboard._cache_key("busiest_markets", timezone.now()))
    assert isinstance(cached, QuerySet)
    assert cached._result_cache is not None  # stored evaluated: no query to read it

    # Two orders placed in the quiet market, through the service (events).
    for _ in range(2):
        cart = CartFactory(market=quiet)
        CartItemFactory(cart=cart, product=ProductFactory(market=quiet, stock=5))
        with django_capture_on_commit_callbacks(execute=True):
            services.create_order_from_cart(actor=agent, cart_id=cart.pk)

    assert _busiest(client) == [(quiet.slug, "3"), (busy.slug, "2")]


def test_a_second_user_sees_their_own_dashboard_from_the_same_cache(
    client: Client, superuser, viewer
) -> None:
    OrderFactory(lines=0)
    client.force_login(superuser)
    first = client.get("/").content.decode()
    assert superuser.display_name in first

    other = Client()
    other.force_login(viewer)
    second = other.get("/").content.decode()
    # The cached parts are shared; the greeting is not, nor the superuser's name.
    assert viewer.display_name in second
    assert f"Hello, {superuser.display_name}" not in second
    assert _busiest(client) == _busiest(other)
