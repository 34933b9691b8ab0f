"""Cross-cutting request concerns: logging, input guard, staff-only access, activity,
htmx toasts."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from apps.accounts.roles import has_role
from apps.accounts.services import record_user_activity

from .views import healthz

request_logger = logging.getLogger("console.request")

GetResponse = Callable[[HttpRequest], HttpResponse]


class HealthzMiddleware:
    """Answer ``/healthz`` before any other middleware sees the request.

    A load balancer probes each node by its own address over plain HTTP: that
    Host is in no ``ALLOWED_HOSTS`` (CommonMiddleware: 400) and production
    redirects plain HTTP (SecurityMiddleware: 301). First in ``MIDDLEWARE``,
    this answers the probe with the health view itself (database answers:
    200 ``ok``, else 503) and leaves every other path to the rest. It never
    reads the Host header, so nothing is built from the forged one. A probe
    sends no query string: one with a query string goes the usual way
    (where, say, a NUL in it is refused like anywhere else).
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz" and not request.META.get("QUERY_STRING"):
            return healthz(request)
        return self.get_response(request)


class _QueryCounter:
    """A database execute wrapper that only counts; cheap enough for every request."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def _signed_in_user(request: HttpRequest) -> Any:
    """The signed-in user, or None; None too when the database cannot say (the 503 path)."""
    try:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None
    except (OperationalError, InterfaceError):
        return None


class RequestLogMiddleware:
    """Log one structured (JSON) line per request: method, path, status, duration, queries.

    At INFO, or WARNING when the request failed (5xx) or was slow (at least
    ``REQUEST_LOG_SLOW_MS``). Development logs every line; production's
    ``console.request`` logger is at WARNING (``REQUEST_LOG_LEVEL``): a line
    per request is one write per request on the hot path and mostly noise at
    volume, while failures and slow requests are what someone acts on. A
    level that is off costs nothing: the line is not even built.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _QueryCounter()
        started = time.perf_counter()
        wrapped = list(connections.all(initialized_only=False))
        for connection in wrapped:
            connection.execute_wrappers.append(counter)
        try:
            response = self.get_response(request)
        finally:
            for connection in wrapped:
                connection.execute_wrappers.remove(counter)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        slow = duration_ms >= settings.REQUEST_LOG_SLOW_MS
        level = logging.WARNING if response.status_code >= 500 or slow else logging.INFO
        if not request_logger.isEnabledFor(level):
            return response
        user = _signed_in_user(request)
        record = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "queries": counter.count,
            "user": user.pk if user is not None else None,
            "htmx": request.headers.get("HX-Request") == "true",
        }
        request_logger.log(level, json.dumps(record), extra={"request_record": record})
        return response


NUL = "\x00"
NUL_MESSAGE = (
    "This request contains a NUL character (\\x00), which no page or field accepts. "
    "Nothing was changed: remove it and try again."
)


def _has_nul(query: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query.lists())


class RejectNulMiddleware:
    """Answer 400 with a clear message for a NUL byte anywhere a view could read it.

    PostgreSQL cannot store or even compare text containing NUL (a DataError,
    a 500), and no legitimate input has one: so the path, the query string,
    the form body (names and values) and the page htmx says the user is on are
    checked once, here, before any view, on every database.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path_info.startswith("/api/")
        if (
            NUL in request.path_info
            or NUL in unquote(request.headers.get("HX-Current-URL", ""))
            or _has_nul(request.GET)
            or (request.method == "POST" and not api and _has_nul(request.POST))
            # A JSON body spells NUL as an escape; nothing the API takes has one.
            or (api and request.method != "GET" and b"\\u0000" in request.body.lower())
        ):
            if api:
                # The API's clients read RFC 9457 problems, as for every other refusal.
                problem = {"type": "about:blank", "title": "Bad Request", "status": 400}
                return JsonResponse(
                    {**problem, "detail": NUL_MESSAGE},
                    status=400,
                    content_type="application/problem+json",
                )
            response = HttpResponse(
                render_to_string("400.html", {"message": NUL_MESSAGE}), status=400
            )
            if request.headers.get("HX-Request") == "true":
                trigger_client_event(
                    response, "messages", {"items": [{"level": "error", "text": NUL_MESSAGE}]}
                )
            return response
        return self.get_response(request)


class StaffRequiredMiddleware:
    """Every view that needs a login also needs a staff user with a role.

    Runs after ``LoginRequiredMiddleware``, so anonymous users have already
    been sent to sign in; views marked ``@login_not_required`` (sign-in,
    health check) are open to all. Signed in but not staff: 403. Staff with
    no role: the "no role" page (403) and nothing else, not even the
    dashboard; only signing out stays open to them. Doing it here, not per
    view, means a new view cannot forget it.
    """

    # Open to a staff user without a role: how they leave.
    OPEN_TO_NO_ROLE = frozenset({"logout"})

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not getattr(view_func, "login_required", True):
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        if not user.is_staff:
            raise PermissionDenied("This console is for staff only.")
        match = request.resolver_match
        if has_role(user) or (match is not None and match.view_name in self.OPEN_TO_NO_ROLE):
            return None
        return render(request, "no_role.html", status=403)


class PrivatePagesMiddleware:
    """``Cache-Control: private, no-store`` on every response to a signed-in user.

    Pages show customer data; no shared cache (a proxy, a CDN) may keep one,
    and the browser must not keep it on disk for the next user of the machine.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _signed_in_user(request) is not None:
            patch_cache_control(response, private=True, no_store=True)
        return response


class ActiveUserMiddleware:
    """Keep ``Profile.last_active`` fresh without writing on every request."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            record_user_activity(user_id=user.pk)
        return response


class HtmxMessagesMiddleware:
    """Deliver Django messages to htmx requests as a ``messages`` client event.

    A full page renders its messages as toasts in ``base.html``; an htmx
    partial has no such place, so the messages ride along in ``HX-Trigger``
    and ``console.js`` turns them into toasts. Client redirects keep their
    messages for the page they lead to.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        htmx = getattr(request, "htmx", None)  # None when HtmxMiddleware did not run
        if (
            not htmx
            or htmx.boosted
            or isinstance(response, HttpResponseClientRedirect)
            or 300 <= response.status_code < 400
        ):
            return response
        pending = [
            {"level": message.level_tag, "text": str(message)}
            for message in messages.get_messages(request)
        ]
        if pending:
            trigger_client_event(response, "messages", {"items": pending})
        return response
