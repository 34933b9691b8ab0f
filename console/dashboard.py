"""What the dashboard shows: work queues, revenue and recent activity.

The project layer may read every context; each number comes from a
selector of the context that owns it, and each queue's link opens the list
filtered by the same definition, so the number equals the rows it opens.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from apps.activity import selectors as activity
from apps.activity.models import Event
from apps.core.cache import cache_version, get_with_versions
from apps.core.models import JOBS_CACHE
from apps.markets.models import MarketStatus
from apps.orders import selectors as orders
from apps.orders.models import OrderStatus

from .context_processors import queue_counts


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
    # The same cached counts as the navigation's badges: counted once for both.
    counts = queue_counts()
    today = timezone.localdate(now)
    awaiting, to_ship = orders.awaiting_payment_status(), orders.to_ship_status()
    return [
        Queue("Awaiting payment", counts["awaiting_payment"], _list("orders:list", status=awaiting),
              "Charge or cancel"),
        Queue("To ship", counts["to_ship"], _list("orders:list", status=to_ship),
              "Paid, not shipped"),
        Queue("Suspended markets", counts["suspended_markets"],
              _list("markets:list", status=MarketStatus.SUSPENDED), "Review and reinstate"),
        Queue("Failed payments today", orders.failed_payment_order_count(today),
              _list("orders:list", failed_payment_on=today.isoformat()),
              "Declined, timed out, errored or not taken"),
    ]  # fmt: skip


def background_work(counts: dict[str, int], *, superuser: bool) -> Queue | None:
    """Only when something needs a person: failed, stuck or retrying, each said apart.

    The number is the rows the failed-work page lists (one definition:
    ``JobQuerySet.needs_attention``), from ``counts``
    (``activity.work_attention_counts_until``). That page is the superusers':
    others see the count, not a link that would answer 403. Retries and stuck
    jobs announce no domain event: the page cached with this card is keyed on
    the "jobs" version too, and held only until the next job would get stuck.
    """
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
    return revenue_figures(now)[0]


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

    def body_rows(self) -> SafeString:
        """The table's rows as one string, as the template would render them
        (``{{ day|date:"M j" }}``, ``{{ value|unlocalize }}``, ``{{ value }}``).

        Up to 30 rows of a cell per currency and 14 of a cell per status: a
        template loop per cell, then ``format_html`` and ``localize`` per cell,
        were the largest part of an uncached dashboard (profiled at 100,000
        orders). Numbers and ISO dates need no escaping; the localized parts
        (the decimal separator, a month's short name) are looked up once.
        """
        separator = formats.get_format("DECIMAL_SEPARATOR")
        grouped = settings.USE_THOUSAND_SEPARATOR
        months: dict[int, str] = {}
        rows = []
        for day, values in self.rows:
            if day.month not in months:
                months[day.month] = escape(dateformat.format(day, "M"))
            cells = "".join(
                f'<td class="text-end" data-value="{value}">'
                f"{_number(value, separator, grouped)}</td>"
                for value in values
            )
            rows.append(
                f'<tr><th scope="row" data-short="{months[day.month]} {day.day}">'
                f"{day.isoformat()}</th>{cells}</tr>"
            )
        return mark_safe("".join(rows))  # noqa: S308 - numbers, ISO dates, escaped names


def _number(value: Any, separator: str, grouped: bool) -> str:
    """``{{ value }}`` of an int or a Decimal: ``localize`` without its per-call lookups."""
    if grouped:
        return str(formats.localize(value))
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", separator)
    return str(value)


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
    return revenue_figures(now)[1]


def revenue_figures(now: Any) -> tuple[list[Revenue], Chart]:
    """Revenue today and this week per currency, and the 30-day revenue chart,
    from one query: the figures per day and currency since the chart's first
    day (a week is within it). Were three queries, each mostly ORM overhead."""
    days = _days(now, REVENUE_DAYS)
    today = days[-1]
    monday = today - timedelta(days=today.weekday())
    this_week: dict[str, Decimal] = {}
    this_day: dict[str, Decimal] = {}
    amounts: dict[tuple[Any, str], Decimal] = {}
    for day, currency, amount in orders.revenue_per_day_since(first_day=days[0]):
        if day >= monday:
            this_week[currency] = this_week.get(currency, Decimal("0.00")) + amount
        if day >= today:
            this_day[currency] = this_day.get(currency, Decimal("0.00")) + amount
        if amount and day <= today:
            amounts[(day, currency)] = amount
    money = [
        Revenue(currency, this_day.get(currency, Decimal("0.00")), this_week[currency])
        for currency in sorted(this_week)
    ]
    currencies = sorted({currency for _, currency in amounts})
    chart = Chart(
        id="revenue-chart",
        title=f"Revenue per day, last {REVENUE_DAYS} days",
        kind="line",
        empty=f"No payments taken in the last {REVENUE_DAYS} days.",
        series=[
            (c, c, CURRENCY_COLOURS[i % len(CURRENCY_COLOURS)]) for i, c in enumerate(currencies)
        ],
        rows=[(day, [amounts.get((day, c), Decimal("0.00")) for c in currencies]) for day in days],
    )
    return money, chart


def orders_chart(now: Any) -> Chart:
    """Orders placed per day over the last 14 days, by status now (one query)."""
    days = _days(now, ORDER_DAYS)
    counts = {
        (day, status): count
        for day, status, count in orders.orders_per_day_by_status(
            days=days, statuses=OrderStatus.values
        )
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


# The page, cached whole per kind of viewer.
#
# A cached request reads one entry (with the versions it depends on, one
# ``get_many``) and fills in what is the request's or the person's own: the
# CSRF token, the CSP nonce, the name in the greeting and the user menu. Kept
# apart: the permission set (what links and buttons the page may offer), the
# local date ("today", "this week", the charts' days). Never stale: the
# entry holds the versions it was rendered under ("activity", bumped on
# commit of every domain event; "jobs", of every job written) and the moment
# the failed-work card stops holding (a job gets stuck by the clock alone).
PAGE_TEMPLATE = "console/dashboard.html"
PAGE_NAMESPACES = ("activity", JOBS_CACHE)
# What is filled in per request, by name; each stands in the cached page as a
# mark no data can produce (a raw "<" with a random token: data is escaped).
PAGE_BLANKS = ("csrf_token", "csp_nonce", "display_name", "initial")


def viewer_kind(user: Any) -> str:
    """What the page may show differently to two viewers, their name aside:
    superuser or not, and every permission held (the role label, the links
    and buttons). Read from the permissions the role check has loaded."""
    if user.is_superuser:
        return "superuser"
    granted = "\n".join(sorted(user.get_all_permissions()))
    return hashlib.sha256(granted.encode()).hexdigest()[:32]


def page_key(user: Any, now: Any) -> str:
    return f"dashboard:page:{viewer_kind(user)}:{timezone.localdate(now).isoformat()}"


@dataclass(frozen=True)
class _Viewer:
    """The user as the cached page knows them: no name, only marks. Any other
    attribute a template asks of ``user`` renders empty, never the first
    viewer's own."""

    display_name: str
    initial: str
    is_superuser: bool
    is_authenticated: bool = True


def page_context(request: HttpRequest, now: Any) -> dict[str, Any]:
    """What the template shows; computed only on a miss (lazily where the
    template reads it inside its own cached fragment)."""
    counts, _ = _work_counts(request)
    money: Any = SimpleLazyObject(lambda: revenue_figures(now))
    return {
        "dashboard_version": cache_version("activity"),
        "today": timezone.localdate(now).isoformat(),
        # Low-level cache (get_or_set) keyed on the same version: computed
        # values and a QuerySet, fresh after every event.
        "queues": cached_work_queues(now),
        "busiest_markets": busiest_markets(now),
        "background_work": background_work(counts, superuser=request.user.is_superuser),
        # Evaluated only when the cached fragment is missing; the revenue and
        # its chart from one query.
        "revenue": SimpleLazyObject(lambda: money[0]),
        "recent_events": SimpleLazyObject(recent_events),
        "charts": SimpleLazyObject(lambda: [money[1], orders_chart(now)]),
    }


def _work_counts(request: HttpRequest) -> tuple[dict[str, int], Any]:
    """The failed-work card's counts and until when they hold, once per request
    (the context and the page's entry both need them), cached until the next
    job is written (the "jobs" version) or would get stuck."""
    found = getattr(request, "_dashboard_work", None)
    if found is None:
        key = f"dashboard:work:{cache_version(JOBS_CACHE)}"
        found = cache.get(key)
        if found is None or (found[1] is not None and timezone.now() >= found[1]):
            found = activity.work_attention_counts_until()
            cache.set(key, found, CACHE_SECONDS)
        request._dashboard_work = found  # type: ignore[attr-defined]
    return cast("tuple[dict[str, int], Any]", found)


def _fresh(entry: Any, versions: dict[str, str | None], now: Any) -> bool:
    if not isinstance(entry, dict) or entry.get("versions") != versions:
        return False
    until = entry["until"]
    return until is None or now < until


def page(request: HttpRequest) -> HttpResponse:
    """The dashboard, from the cached page when it is fresh for this viewer."""
    now = timezone.now()
    if len(get_messages(request)):
        # Toasts are the request's own: rendered, not cached (rare here).
        return render(request, PAGE_TEMPLATE, page_context(request, now))
    key = page_key(request.user, now)
    versions, entry = get_with_versions(key, PAGE_NAMESPACES)
    if not _fresh(entry, versions, now):
        # The versions before any number is read: an event committed meanwhile
        # bumps them, and the entry stored under the old ones is never used.
        current = {namespace: cache_version(namespace) for namespace in PAGE_NAMESPACES}
        entry = _render_page(request, now, current)
        cache.set(key, entry, CACHE_SECONDS)
    return HttpResponse(_fill(entry, request))


def _render_page(request: HttpRequest, now: Any, versions: dict[str, str]) -> dict[str, Any]:
    token = secrets.token_hex(8)
    marks = {name: mark_safe(f"<{token}:{name}>") for name in PAGE_BLANKS}  # noqa: S308
    context = page_context(request, now)
    context.update(
        csrf_token=marks["csrf_token"],
        csp_nonce=marks["csp_nonce"],
        user=_Viewer(marks["display_name"], marks["initial"], request.user.is_superuser),
    )
    html = render_to_string(PAGE_TEMPLATE, context, request)
    _, until = _work_counts(request)
    return {"versions": versions, "until": until, "token": token, "html": html}


def _fill(entry: dict[str, Any], request: HttpRequest) -> str:
    """The cached page with this request's token, nonce and name."""
    user: Any = request.user
    nonce = get_nonce(request)
    values = {
        "csrf_token": get_token(request),
        "csp_nonce": "" if nonce is None else str(nonce),
        "display_name": escape(user.display_name),
        "initial": escape(user.initial),
    }
    pattern = re.compile(f"<{entry['token']}:({'|'.join(PAGE_BLANKS)})>")
    return pattern.sub(lambda match: values[match.group(1)], entry["html"])
