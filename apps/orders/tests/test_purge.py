"""Bulk delete: abandoned carts (no items, or untouched for N days) go in one
DELETE statement, counted, recorded as one event; by command and on /carts/."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.dispatch import receiver
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.activity.models import Event
from apps.catalog.models import Product
from apps.catalog.tests.factories import ProductFactory
from apps.core.errors import InvalidInput, NotPermitted
from apps.core.events import events_recorded
from apps.markets.models import Market
from apps.orders import services
from apps.orders.models import Cart, CartItem

from .factories import CartFactory, CartItemFactory

pytestmark = pytest.mark.django_db


def _carts() -> tuple[Cart, Cart, Cart]:
    """An empty cart, one untouched for 40 days, one in use."""
    empty = CartFactory()
    old = CartFactory()
    CartItemFactory(cart=old, product=ProductFactory(market=old.market, stock=5))
    Cart.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=40))
    fresh = CartFactory()
    CartItemFactory(cart=fresh, product=ProductFactory(market=fresh.market, stock=5))
    return empty, old, fresh


def test_purge_deletes_empty_and_stale_carts_in_bulk_and_records_one_event(superuser) -> None:
    empty, old, fresh = _carts()
    with CaptureQueriesContext(connection) as captured:
        count = services.purge_abandoned_carts(actor=superuser, older_than_days=30)
    assert count == 2
    assert list(Cart.objects.all()) == [fresh]
    assert not CartItem.objects.filter(cart_id__in=[empty.pk, old.pk]).exists()
    deletes = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("DELETE")]
    # One DELETE of the carts; their items go with them by the database's cascade.
    assert len(deletes) == 1
    assert 'orders_cart"' in deletes[0].split("WHERE")[0]
    [event] = Event.objects.filter(name="carts_purged")
    assert (event.payload["count"], event.actor_id) == (2, superuser.pk)
    assert event.aggregate_label == "2 abandoned carts"


def test_hundreds_of_carts_still_go_in_one_statement_with_their_items(superuser) -> None:
    """Past Django's delete batch (100 ids), a collected delete would take several."""
    template = CartFactory()
    product = ProductFactory(market=template.market, stock=500)
    carts = Cart.objects.bulk_create(
        Cart(
            market=template.market,
            customer_name="C",
            customer_email="c@example.com",
            payment_token="tok",
        )
        for _ in range(250)
    )
    CartItem.objects.bulk_create(CartItem(cart=c, product=product, quantity=1) for c in carts)
    Cart.objects.update(updated_at=timezone.now() - timedelta(days=40))
    with CaptureQueriesContext(connection) as captured:
        count = services.purge_abandoned_carts(actor=superuser, older_than_days=30)
    assert count == 251
    assert not Cart.objects.exists()
    assert not CartItem.objects.exists()
    deletes = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 1


def test_nothing_to_purge_records_nothing(superuser) -> None:
    assert services.purge_abandoned_carts(actor=superuser, older_than_days=30) == 0
    assert not Event.objects.filter(name="carts_purged").exists()


def test_purging_needs_the_permission(agent) -> None:
    CartFactory()
    with pytest.raises(NotPermitted, match=r"Your role does not allow purging carts\."):
        services.purge_abandoned_carts(actor=agent, older_than_days=30)
    assert Cart.objects.count() == 1


def test_the_command_reports_how_many_went() -> None:
    _carts()
    out = StringIO()
    call_command("purge_carts", "--days", "30", stdout=out)
    assert out.getvalue().strip() == "2 abandoned carts deleted."
    [event] = Event.objects.filter(name="carts_purged")
    assert event.actor_id is None


def test_the_carts_page_purges_and_says_how_many(client: Client, superuser) -> None:
    _carts()
    client.force_login(superuser)
    assert "Purge abandoned carts" in client.get("/carts/").content.decode()
    response = client.post("/carts/purge/", {"days": "30"}, follow=True)
    assert "2 abandoned carts deleted." in response.content.decode()
    assert Cart.objects.count() == 1


def test_the_purge_button_is_only_for_those_who_may(client: Client, agent) -> None:
    client.force_login(agent)
    assert "Purge abandoned carts" not in client.get("/carts/").content.decode()
    assert client.post("/carts/purge/", {"days": "30"}).status_code == 403
    # Refused for who they are before what they sent is read.
    assert client.post("/carts/purge/", {"days": "many"}).status_code == 403


@pytest.mark.parametrize("days", [0, -1, 36_501, 10**30])
def test_a_purge_outside_one_day_to_a_century_is_refused(superuser, days: int) -> None:
    cart = CartFactory()
    with pytest.raises(InvalidInput):
        services.purge_abandoned_carts(actor=superuser, older_than_days=days)
    assert Cart.objects.filter(pk=cart.pk).exists()
    services.purge_abandoned_carts(actor=superuser, older_than_days=36_500)  # the longest


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_delete_a_product_or_market_that_a_cart_holds() -> None:
    """Cart.market and CartItem.product are DO_NOTHING in Django (so the purge can
    be one statement): the database's foreign keys still refuse the delete."""
    cart = CartFactory()
    item = CartItemFactory(cart=cart, product=ProductFactory(market=cart.market, stock=5))
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=item.product_id).delete()
    CartItem.objects.filter(pk=item.pk).delete()
    Product.objects.filter(pk=item.product_id).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Market.objects.filter(pk=cart.market_id).delete()
    assert Cart.objects.filter(pk=cart.pk).exists()


def _untouched_for(cart: Cart, age: timedelta) -> None:
    CartItemFactory(cart=cart, product=ProductFactory(market=cart.market, stock=5))
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now() - age)


def test_by_default_a_cart_is_abandoned_after_thirty_days(superuser) -> None:
    kept, gone = CartFactory(), CartFactory()
    _untouched_for(kept, timedelta(days=29, hours=23))
    _untouched_for(gone, timedelta(days=30, hours=1))
    assert services.purge_abandoned_carts(actor=superuser) == 1
    assert list(Cart.objects.all()) == [kept]


def test_one_day_is_the_shortest_purge_and_one_cart_is_named_so(superuser) -> None:
    kept, gone = CartFactory(), CartFactory()
    _untouched_for(kept, timedelta(hours=23))
    _untouched_for(gone, timedelta(days=1, hours=1))
    assert services.purge_abandoned_carts(actor=superuser, older_than_days=1) == 1
    assert list(Cart.objects.all()) == [kept]
    [event] = Event.objects.filter(name="carts_purged")
    assert event.aggregate_label == "1 abandoned cart"
    assert event.payload == {"count": 1, "older_than_days": 1}


@pytest.mark.django_db(transaction=True)
def test_a_purge_whose_event_cannot_be_recorded_deletes_nothing(role_groups, superuser) -> None:
    """The carts and the ``carts_purged`` event go together or not at all."""
    _carts()

    @receiver(events_recorded, weak=False, dispatch_uid="test.explode")
    def explode(sender: type, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    try:
        with pytest.raises(RuntimeError):
            services.purge_abandoned_carts(actor=superuser, older_than_days=30)
    finally:
        events_recorded.disconnect(dispatch_uid="test.explode")
    assert Cart.objects.count() == 3
    assert CartItem.objects.count() == 2
