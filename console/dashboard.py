"""What the dashboard shows: work queues, revenue and recent activity.

The project layer may read every context; each number comes from a
selector of the context that owns it, and each queue's link opens the list
filtered by the same definition, so the number equals the rows it opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

from django.core.cache import cache
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from apps.activity import selectors as activity
from apps.activity.models import Event
from apps.core.cache import cache_version
from apps.markets import selectors as markets
from apps.markets.models import MarketStatus
from apps.orders import selectors as orders
from apps.orders.models import OrderStatus


@dataclass(frozen=True)
class Queue:
    label: str
    count: int
    url: str  # "" when the viewer may not open it: the card is not a link
    hint: str


def _day_start(moment: Any) -> Any:
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def _list(url_name: str, **query: str) -> str:
    return f"{reverse(url_name)}?{urlencode(query)}"


# Cached values live until the next domain event (the key changes) or this long.
CACHE_SECONDS = 600
BUSIEST_MARKETS = 5


def _cache_key(name: str, now: Any) -> str:
    """``name``'s key for now: the "activity" version, bumped on commit of every
    domain event (whatever changes a count, a sum or a market's orders is one),
    and today's date, so "today" and "this week" roll over at midnight."""
    return f"dashboard:{name}:{cache_version('activity')}:{timezone.localdate(now).isoformat()}"


def cached_work_queues(now: Any) -> list[Queue]:
    """``work_queues``, computed at most once per event (counts by status and the rest)."""
    queues = cache.get_or_set(_cache_key("queues", now), lambda: work_queues(now), CACHE_SECONDS)
    return cast("list[Queue]", queues)


def busiest_markets(now: Any) -> QuerySet[Any, dict[str, Any]]:
    """The week's busiest markets (orders placed since Monday), a cached QuerySet.

    Caching a QuerySet pickles it evaluated: its rows come back with it and
    iterating them runs no query. On a miss the QuerySet is evaluated once,
    when it is stored.
    """
    today = _day_start(now)
    monday = today - timedelta(days=today.weekday())
    rows = cache.get_or_set(
        _cache_key("busiest_markets", now),
        lambda: orders.busiest_markets(placed_since=monday, limit=BUSIEST_MARKETS),
        CACHE_SECONDS,
    )
    return cast("QuerySet[Any, dict[str, Any]]", rows)


def work_queues(now: Any) -> list[Queue]:
    counts = orders.work_queue_counts()
    today = timezone.localdate(now)
    awaiting, to_ship = orders.awaiting_payment_status(), orders.to_ship_status()
    return [
        Queue("Awaiting payment", counts[awaiting], _list("orders:list", status=awaiting),
              "Charge or cancel"),
        Queue("To ship", counts[to_ship], _list("orders:list", status=to_ship),
              "Paid, not shipped"),
        Queue("Suspended markets", markets.suspended_count(),
              _list("markets:list", status=MarketStatus.SUSPENDED), "Review and reinstate"),
        Queue("Failed payments today", orders.failed_payment_order_count(today),
              _list("orders:list", failed_payment_on=today.isoformat()),
              "Declined, timed out, errored or not taken"),
    ]  # fmt: skip


def background_work(*, superuser: bool) -> Queue | None:
    """Only when something needs a person: failed, stuck or retrying, each said apart.

    The number is the rows the failed-work page lists (one definition:
    ``JobQuerySet.needs_attention``). That page is the superusers': others see
    the count, not a link that would answer 403. Never cached: retries and
    stuck jobs announce no domain event.
    """
    counts = activity.work_attention_counts()
    if not any(counts.values()):
        return None
    details = [f"{counts[kind]} {kind}" for kind in ("failed", "stuck", "retrying") if counts[kind]]
    action = "Retry or dismiss" if superuser else "A superuser can retry or dismiss"
    return Queue(
        "Failed background work",
        counts["failed"] + counts["stuck"] + counts["retrying"],
        reverse("activity:failed_work") if superuser else "",
        "; ".join([*details, action]),
    )


@dataclass(frozen=True)
class Revenue:
    currency: str
    today: Decimal
    week: Decimal


def revenue(now: Any) -> list[Revenue]:
    """Money taken (and kept) today and this week (since Monday), per currency."""
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday())
    this_week = orders.revenue_by_currency(paid_since_day=monday)
    this_day = orders.revenue_by_currency(paid_since_day=today)
    return [
        Revenue(currency, this_day.get(currency, Decimal("0.00")), amount)
        for currency, amount in this_week.items()
    ]


@dataclass(frozen=True)
class Chart:
    """A chart's numbers: one row per day, one column per series. The page
    shows them as a table (screen readers, no JavaScript) that
    static/console/charts.js draws with Chart.js."""

    id: str
    title: str
    kind: str  # "line" or "stacked" (bars)
    empty: str
    series: list[tuple[str, str, str]]  # (key, label, Tabler colour)
    rows: list[tuple[Any, list[Any]]]  # (day, one value per series)


REVENUE_DAYS = 30
ORDER_DAYS = 14
CURRENCY_COLOURS = ("blue", "purple", "teal", "orange", "pink", "cyan")
# Distinct in a stacked bar, and near the pills' meaning (apps.core.web.ui).
ORDER_STATUS_COLOURS = {
    "pending": "yellow",
    "paid": "green",
    "shipped": "blue",
    "delivered": "teal",
    "cancelled": "red",
    "refunded": "orange",
}


def _days(now: Any, count: int) -> list[Any]:
    today = timezone.localdate(now)
    return [today - timedelta(days=back) for back in range(count - 1, -1, -1)]


def revenue_chart(now: Any) -> Chart:
    """Revenue per day over the last 30 days, a series per currency (one query)."""
    days = _days(now, REVENUE_DAYS)
    amounts = {
        (day, currency): amount for day, currency, amount in orders.revenue_per_day(days=days)
    }
    currencies = sorted({currency for _, currency in amounts})
    return Chart(
        id="revenue-chart",
        title=f"Revenue per day, last {REVENUE_DAYS} days",
        kind="line",
        empty=f"No payments taken in the last {REVENUE_DAYS} days.",
        series=[
            (c, c, CURRENCY_COLOURS[i % len(CURRENCY_COLOURS)]) for i, c in enumerate(currencies)
        ],
        rows=[(day, [amounts.get((day, c), Decimal("0.00")) for c in currencies]) for day in days],
    )


def orders_chart(now: Any) -> Chart:
    """Orders placed per day over the last 14 days, by status now (one query)."""
    days = _days(now, ORDER_DAYS)
    counts = {
        (day, status): count for day, status, count in orders.orders_per_day_by_status(days=days)
    }
    statuses = [
        (value, str(label), ORDER_STATUS_COLOURS.get(value, "secondary"))
        for value, label in OrderStatus.choices
    ]
    return Chart(
        id="orders-chart",
        title=f"Orders placed per day by status, last {ORDER_DAYS} days",
        kind="stacked",
        empty="",
        series=statuses,
        rows=[(day, [counts.get((day, value), 0) for value, _, _ in statuses]) for day in days],
    )


def recent_events() -> list[Event]:
    return activity.recent_events()
