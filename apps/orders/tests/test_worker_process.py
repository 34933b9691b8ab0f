"""The worker as deployed: ``manage.py db_worker --batch`` with the prod settings,
sending by SMTP (``EMAIL_URL``) to a server on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from apps.catalog.tests.factories import ProductFactory
from apps.core.models import Job, JobStatus
from apps.orders import services
from apps.orders.models import SentEmail

from .factories import CartFactory, CartItemFactory
from .smtp import free_port, smtp_server

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    """The test database, as a ``DATABASE_URL`` the worker process can use."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(database['NAME']).resolve()}"
    credentials = quote(database["USER"] or "")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"])
    return (
        f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


def _prod_environment(port: int) -> dict[str, str]:
    kept = ("PATH", "HOME", "LANG", "VIRTUAL_ENV", "PYENV_VERSION", "REDIS_URL", "CACHE_KEY_PREFIX")
    return {
        **{k: v for k, v in os.environ.items() if k in kept},
        "DJANGO_SETTINGS_MODULE": "console.settings.prod",
        "SECRET_KEY": "worker-test-x3G7k2Qw9Lz4Vb8Nc1Rt6Yp0Hm5Js2Df7Ga9Kl3Zx8Cv4Bn1",
        "ALLOWED_HOSTS": "console.example.com",
        "DATABASE_URL": _database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{port}?timeout=5",
        "DEFAULT_FROM_EMAIL": "orders@shop.example",
    }


def test_the_worker_sends_every_email_of_a_placed_shipped_and_refunded_order(
    agent, finance, settings
) -> None:
    # The web process's side of prod: enqueue into the database.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    cart = CartFactory(customer_name="Smith, Ada", customer_email="ada@example.com")
    product = ProductFactory(market=cart.market, price=Decimal("9.50"), stock=5, name="Kettle")
    CartItemFactory(cart=cart, product=product, quantity=2)
    order = services.create_order_from_cart(actor=agent, cart_id=cart.pk)
    services.charge_payment(actor=agent, order_id=order.pk, idempotency_key="charge-1")
    services.ship_order(actor=agent, order_id=order.pk, tracking_number="TRK-9")
    services.mark_delivered(actor=agent, order_id=order.pk)
    services.refund_order(
        actor=finance, order_id=order.pk, reason="Arrived dented", idempotency_key="refund-1"
    )
    assert Job.objects.filter(status=JobStatus.QUEUED).count() == 3

    port = free_port()
    with smtp_server(port) as mailbox:
        worker = subprocess.run(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
            cwd=ROOT,
            env=_prod_environment(port),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert worker.returncode == 0, worker.stdout + worker.stderr
    received = [
        (message["To"], message["From"], message["Subject"]) for message in mailbox.messages
    ]
    assert received == [
        ('"Smith, Ada" <ada@example.com>', "orders@shop.example", subject)
        for subject in (
            f"Your order {order.number} is confirmed",
            f"Your order {order.number} is on its way",
            f"Your order {order.number} has been refunded",
        )
    ]
    assert "TRK-9" in _text(mailbox.messages[1])
    assert "Arrived dented" in _text(mailbox.messages[2])
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}
    assert SentEmail.objects.filter(order=order).count() == 3
    # Each attempt is logged by the worker.
    assert worker.stderr.count("attempt 1 of 6") == 3, worker.stderr


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())
