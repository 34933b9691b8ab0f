"""Project-level pages: dashboard, health check, error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.cache import cache_version

from . import dashboard as dashboard_data
from . import palette as command_palette
from .context_processors import navigation_items


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Queues, revenue and recent activity, cached until the next domain event.

    Every change the dashboard shows is a domain event, and every committed
    domain event bumps the "activity" version; the date is in the key too,
    so "today" rolls over at midnight.
    """
    now = timezone.now()
    context = {
        "dashboard_version": cache_version("activity"),
        "today": timezone.localdate(now).isoformat(),
        # Evaluated only when the cached fragment is missing.
        "superuser": request.user.is_superuser,
        "queues": SimpleLazyObject(
            lambda: dashboard_data.work_queues(now, superuser=request.user.is_superuser)
        ),
        "revenue": SimpleLazyObject(lambda: dashboard_data.revenue(now)),
        "recent_events": SimpleLazyObject(dashboard_data.recent_events),
        # One grouped query each, in the same cached fragment.
        "charts": SimpleLazyObject(
            lambda: [dashboard_data.revenue_chart(now), dashboard_data.orders_chart(now)]
        ),
    }
    return render(request, "console/dashboard.html", context)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: 200 ``ok`` when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not live"
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def palette(request: HttpRequest) -> HttpResponse:
    """The command palette's results for ``q`` (an htmx fragment).

    The fragment echoes the text it answers, so the browser acts only on
    results for the text that is in the box now.
    """
    query = request.GET.get("q", "").strip()
    hits = command_palette.search(query, navigation=navigation_items(), user=request.user)
    return render(request, "console/palette_results.html", {"hits": hits, "query": query})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "You may not do that."
    return render(request, "403.html", {"message": message}, status=403)
