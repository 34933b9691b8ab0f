"""Project-level pages: dashboard, health check, error pages."""

from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from apps.core.web.budgets import query_budget
from apps.core.web.rest import problem_response

from . import dashboard as dashboard_data
from . import palette as command_palette
from .context_processors import navigation_items


# Query budget: nothing cached, session, user, permissions (2), failed background work, counts
# by status and suspended markets (both shared with the side navigation's badges), failed
# charges today, the week's busiest markets, revenue (today, this week and its chart: one
# query), the orders chart and recent events; after a domain event, the same but the failed
# background work (keyed on the "jobs" version); cached: session, user, permissions (2 for a
# role user, none for a superuser) and nothing else (console/dashboard.py, "The page").
@query_budget(12)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Queues, revenue and recent activity, cached until the next domain event.

    Every change the dashboard shows is a domain event, and every committed
    domain event bumps the "activity" version; every job written bumps the
    "jobs" version; the date is in the key too, so "today" rolls over at
    midnight. The page is cached whole per kind of viewer (``dashboard.page``).
    """
    return dashboard_data.page(request)


# Query budget: SELECT 1; a signed-in caller's session and user make 3.
@query_budget(3)
@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: 200 ``ok`` when the database answers, 503 otherwise.

    Served by ``console.middleware.HealthzMiddleware`` before the host check
    and the HTTPS redirect; the URL stays so that ``reverse("healthz")`` works.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not live"
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


# Query budget: session, user, permissions (2), markets, orders and products found (3).
@query_budget(7)
@require_GET
def palette(request: HttpRequest) -> HttpResponse:
    """The command palette's results for ``q`` (an htmx fragment).

    The fragment echoes the text it answers, so the browser acts only on
    results for the text that is in the box now.
    """
    query = request.GET.get("q", "").strip()
    hits = command_palette.search(query, navigation=navigation_items(), user=request.user)
    return render(request, "console/palette_results.html", {"hits": hits, "query": query})


DATABASE_DOWN = (OperationalError, InterfaceError)
# The pages' sentences (500.html, 503.html), for the API's problems.
SERVER_ERROR_MESSAGE = (
    "Something went wrong. The error has been logged. Please try again; if it persists, "
    "tell the console's developers."
)
DATABASE_DOWN_MESSAGE = (
    "The database is unavailable: nothing can be shown or changed. Nothing you did was "
    "lost or half-done: try again in a minute."
)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler; 503 with "the database is unavailable" when that is why.

    Every uncaught exception ends here, raised in a view or in a middleware
    (reading the session, the user), and Django calls it inside the
    ``except`` block, so the exception is at hand. Neither page is rendered
    with the request: a context processor must not try the database again.
    """
    _, error, _ = sys.exc_info()
    api = _is_api(request)
    if isinstance(error, DATABASE_DOWN):
        if api:
            return problem_response(
                503,
                DATABASE_DOWN_MESSAGE,
                kind="DatabaseUnavailable",
                headers={"Retry-After": "30"},
            )
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    if api:
        return problem_response(500, SERVER_ERROR_MESSAGE, kind="ServerError")
    return HttpResponseServerError(loader.render_to_string("500.html"))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 handler: a problem under ``/api/`` (what the API's clients read), the
    page everywhere else."""
    if _is_api(request):
        return problem_response(404, "Not found.", kind="NotFound")
    return defaults.page_not_found(request, exception)


def _is_api(request: HttpRequest | None) -> bool:
    # The automation API's clients read RFC 9457 problems, even from Django's handlers.
    return request is not None and request.path_info.startswith("/api/")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "You may not do that."
    return render(request, "403.html", {"message": message}, status=403)
