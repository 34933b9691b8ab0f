"""One definition per business term: a dashboard number equals the rows its link opens."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from apps.orders.models import PaymentKind, PaymentStatus
from apps.orders.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def _queue(content: str, label: str) -> tuple[int, str]:
    pattern = (
        r'<a class="card[^"]*" href="([^"]+)" data-queue="' + re.escape(label) + r'">\s*'
        r'<div class="card-body">\s*<div[^>]*data-count>(\d+)<'
    )
    match = re.search(pattern, content)
    assert match, label
    return int(match.group(2)), html.unescape(match.group(1))


def _order_rows(content: str) -> set[str]:
    return set(re.findall(r'href="/orders/(ORD-[0-9A-Z]+)/"', content))


def test_failed_payments_today_equals_the_rows_its_link_opens(client: Client, agent) -> None:
    outcomes = [PaymentStatus.DECLINED, PaymentStatus.VOID, PaymentStatus.TIMED_OUT]
    failed = []
    for number, status in enumerate(outcomes):
        order = OrderFactory()
        order.payments.create(
            kind=PaymentKind.CHARGE, amount=order.total, currency=order.currency,
            gateway="sandbox", idempotency_key=f"charge-{number}", status=status,
        )  # fmt: skip
        failed.append(order.number)
    OrderFactory()  # no payment attempted: not in either
    client.force_login(agent)

    count, url = _queue(client.get("/").content.decode(), "Failed payments today")
    rows = _order_rows(client.get(url).content.decode())

    assert count == 3
    assert rows == set(failed)
