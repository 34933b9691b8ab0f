"""Background work of the orders context (django.tasks).

Enqueued on commit by ``receivers.py``: with the database backend in prod a
``manage.py db_worker`` sends them, off the request; dev and tests run them
at once (ImmediateBackend).
"""

from __future__ import annotations

from django.tasks import task

from . import emails


@task()
def send_order_email(order_id: int, kind: str) -> None:
    emails.send_order_email(order_id=order_id, kind=kind)
