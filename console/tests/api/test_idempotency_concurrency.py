"""Ten scripts retrying one charge at the same moment with one Idempotency-Key:
one gateway call, one payment, ten identical answers.

Real threads, each request on its own database connection (SQLite or
PostgreSQL), through the real API with a real token; the gateway takes its
time, so the repeats arrive while the first call is still out.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.accounts.services import create_api_token
from apps.orders.models import Order, OrderStatus, Payment
from apps.orders.tests.factories import OrderFactory
from apps.orders.tests.test_concurrency import slow_gateway  # noqa: F401 (a fixture)

REQUESTS = 10


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_charges_with_one_key_charge_once(agent, slow_gateway):  # noqa: F811
    order = OrderFactory()
    _, raw = create_api_token(actor=agent, name="retrying script", days=7)
    start = threading.Barrier(REQUESTS)
    answers: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def charge() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        start.wait()
        try:
            response = client.post(
                f"/api/v1/orders/{order.number}/charge/", HTTP_IDEMPOTENCY_KEY="nightly-42"
            )
            with lock:
                answers.append((response.status_code, response.content))
        finally:
            connection.close()

    threads = [threading.Thread(target=charge) for _ in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(slow_gateway.calls) == 1
    assert Payment.objects.filter(kind="charge").count() == 1
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert len(answers) == REQUESTS
    assert {status for status, _ in answers} == {200}
    assert len({content for _, content in answers}) == 1
