"""What the dashboard shows: work queues, revenue and recent activity.

The project layer may read every context; each number comes from a
QuerySet method of the context that owns it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from apps.activity.models import Event
from apps.core.models import Job
from apps.markets.models import Market
from apps.orders.models import Order, OrderStatus, Payment

RECENT_EVENTS = 10


@dataclass(frozen=True)
class Queue:
    label: str
    count: int
    url: str  # "" when the viewer may not open it: the card is not a link
    hint: str


def _day_start(moment: Any) -> Any:
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def work_queues(now: Any, *, superuser: bool = False) -> list[Queue]:
    counts = Order.objects.counts_by_status()
    today = timezone.localdate(now).isoformat()
    failed_today = (
        Payment.objects.charges()
        .failed()
        .filter(created_at__gte=_day_start(now))
        .values("order")
        .distinct()
        .count()
    )
    suspended = Market.objects.suspended().count()
    work = Job.objects.attention_counts()
    queues = [
        Queue("Awaiting payment", counts[OrderStatus.PENDING], "/orders/?status=pending",
              "Charge or cancel"),
        Queue("To ship", counts[OrderStatus.PAID], "/orders/?status=paid", "Paid, not shipped"),
        Queue("Suspended markets", suspended, "/markets/?status=suspended",
              "Review and reinstate"),
        Queue("Failed payments today", failed_today, f"/orders/?failed_payment_on={today}",
              "Declined, timed out or errored"),
    ]  # fmt: skip
    if any(work.values()):
        queues.append(_background_work(work, superuser=superuser))
    return queues


def _background_work(counts: dict[str, int], *, superuser: bool) -> Queue:
    """Only when something needs a person: failed for good or stuck; retrying said apart.

    The failed-work page is the superusers': others see the count, not a link
    that would answer 403.
    """
    details = [f"{counts[kind]} {kind}" for kind in ("stuck", "retrying") if counts[kind]]
    action = "Retry or dismiss" if superuser else "A superuser can retry or dismiss"
    return Queue(
        "Failed background work",
        counts["failed"] + counts["stuck"],
        "/activity/failed-work/" if superuser else "",
        "; ".join([*details, action]),
    )


@dataclass(frozen=True)
class Revenue:
    currency: str
    today: Decimal
    week: Decimal


def revenue(now: Any) -> list[Revenue]:
    """Money taken (and kept) today and this week (since Monday), per currency."""
    today = _day_start(now)
    monday = today - timedelta(days=today.weekday())
    this_week = Order.objects.filter(paid_at__gte=monday).revenue_by_currency()
    this_day = Order.objects.filter(paid_at__gte=today).revenue_by_currency()
    return [
        Revenue(currency, this_day.get(currency, Decimal("0.00")), amount)
        for currency, amount in this_week.items()
    ]


def recent_events() -> list[Event]:
    return list(Event.objects.with_actor().newest_first()[:RECENT_EVENTS])
