"""What apps.core.transitions reads from the @transition declarations of
real models: the buttons' metadata, the form fields, labels and permissions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.core.transitions import (
    transition_custom,
    transition_inputs,
    transition_label_and_permission,
    transition_options,
)
from apps.markets.models import Market, MarketStatus
from apps.orders.models import Order, Payment
from apps.orders.tests.factories import OrderFactory

from .factories import MarketFactory

pytestmark = pytest.mark.django_db


def test_the_custom_metadata_of_a_transition_or_none() -> None:
    market = MarketFactory(status=MarketStatus.ACTIVE)
    assert transition_custom(market, "suspend")["input"] == "reason"
    assert transition_custom(market, "publish")["label"] == "Publish"
    assert transition_custom(market, "explode") is None


def test_the_form_fields_a_transition_takes() -> None:
    market, order = MarketFactory(), OrderFactory()
    assert transition_inputs(market, "suspend") == ["reason"]
    assert transition_inputs(market, "publish") == []
    assert transition_inputs(order, "charge") == ["idempotency_key"]
    assert transition_inputs(order, "ship") == ["tracking_number"]
    assert transition_inputs(order, "refund") == ["reason", "idempotency_key"]
    assert transition_inputs(order, "explode") == []


@pytest.mark.parametrize(
    ("model", "name", "label", "permission"),
    [
        (Market, "archive", "Archive", "markets.archive_market"),  # two sources
        (Market, "suspend", "Suspend", "markets.suspend_market"),
        (Order, "refund", "Refund", "orders.refund_order"),  # two sources
        (Order, "mark_delivered", "Mark delivered", "orders.deliver_order"),
    ],
)
def test_the_label_and_permission_a_transition_declares(
    model: type, name: str, label: str, permission: str
) -> None:
    assert transition_label_and_permission(model, name) == (label, permission)


def test_a_transition_without_a_permission_name_has_no_bulk_action() -> None:
    with pytest.raises(LookupError, match="Market has no transition 'explode'"):
        transition_label_and_permission(Market, "explode")
    # Payment's transitions are the services' alone: no permission of their own.
    with pytest.raises(LookupError, match="Payment has no transition 'succeed'"):
        transition_label_and_permission(Payment, "succeed")


def test_a_name_read_from_a_request_finds_its_transition() -> None:
    # Names posted by a form are new str objects, not the interned literals.
    name = "".join(["sus", "pend"])
    market = MarketFactory(status=MarketStatus.ACTIVE)
    assert transition_custom(market, name)["label"] == "Suspend"
    assert transition_inputs(market, name) == ["reason"]
    assert transition_label_and_permission(Market, name) == ("Suspend", "markets.suspend_market")


def test_an_enabled_button_that_cannot_be_undone_asks_first_and_a_disabled_one_does_not(
    agent,
) -> None:
    order = OrderFactory(number="ORD-AAAAAA", total=Decimal("28.00"))
    (charge,) = [o for o in transition_options(order, agent) if o.name == "charge"]
    assert (charge.enabled, charge.confirm) == (True, "Charge 28.00 EUR to ORD-AAAAAA?")
    order = OrderFactory(market=MarketFactory(status=MarketStatus.SUSPENDED))
    (charge,) = [o for o in transition_options(order, agent) if o.name == "charge"]
    assert (charge.enabled, charge.confirm) == (False, "")
    assert charge.disabled_reason == "Market is suspended."
