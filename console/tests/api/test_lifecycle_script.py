"""The end-to-end API script against a live server: only HTTP and a token."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from apps.accounts import roles
from apps.accounts.services import create_api_token
from apps.accounts.tests.factories import UserFactory
from apps.activity.models import Event
from apps.catalog.tests.factories import ProductFactory
from apps.orders.tests.factories import CartFactory, CartItemFactory
from e2e.scripts.api_order_lifecycle import Api, Refused, run


@pytest.mark.django_db(transaction=True)
def test_an_order_from_cart_to_refund_through_the_api_only(live_server, role_groups):
    operator = UserFactory(username="ops", role=roles.ORDER_AGENTS)
    operator.groups.add(Group.objects.get(name=roles.FINANCE))  # charges and refunds
    cart = CartFactory()
    CartItemFactory(cart=cart, product=ProductFactory(market=cart.market, stock=3), quantity=2)
    _, raw = create_api_token(actor=operator, name="lifecycle", days=7)
    said: list[str] = []

    result = run(Api(live_server.url, raw), cart.pk, say=said.append)

    assert result["order"]["status"] == "refunded"
    # The order's own steps (emails sent on the way are on the timeline too).
    names = [e["name"] for e in reversed(result["timeline"]) if e["name"].startswith("order_")]
    assert names == [
        "order_placed",
        "order_paid", "order_shipped", "order_delivered", "order_refunded",
    ]  # fmt: skip
    steps = Event.objects.filter(name__in=names, aggregate_label=result["order"]["number"])
    assert steps.count() == 5
    assert {(event.actor_id, event.via) for event in steps} == {(operator.pk, "API (lifecycle)")}
    assert said[-1].endswith("via API (lifecycle)")


@pytest.mark.django_db(transaction=True)
def test_the_script_reports_the_refusal_the_pages_would_show(live_server, viewer):
    cart = CartFactory()
    CartItemFactory(cart=cart, product=ProductFactory(market=cart.market))
    _, raw = create_api_token(actor=viewer, name="read only", days=7)
    with pytest.raises(Refused) as refused:
        run(Api(live_server.url, raw), cart.pk, say=lambda line: None)
    assert refused.value.status == 403
    assert refused.value.problem["detail"] == "Your role does not allow placing orders."
