"""Cross-cutting request concerns: logging, input guard, staff-only access, activity,
htmx toasts."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import FieldFetchBlocked, PermissionDenied
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from apps.accounts.roles import has_role
from apps.accounts.services import record_user_activity
from apps.core.fetching import watch_blocked_fetches

request_logger = logging.getLogger("console.request")

GetResponse = Callable[[HttpRequest], HttpResponse]


class _QueryCounter:
    """A database execute wrapper that counts; in dev and test it also records.

    Counting is cheap enough for every request in production. With
    ``QUERY_COUNT_HEADERS`` on (dev and test settings) it also times each
    query and keeps its SQL, parameters and the line of our code that ran
    it: the ``X-Query-Count`` and ``Server-Timing`` headers and the
    query-budget panel of the debug toolbar (console/debug_panels.py) read
    them from ``request.query_counter``. One wrapper serves the log line,
    the headers and the panel, so they never disagree.
    """

    def __init__(self, *, detailed: bool = False) -> None:
        self.count = 0
        self.detailed = detailed
        self.db_ms = 0.0
        self.queries: list[RecordedQuery] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        if not self.detailed:
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            duration_ms = (time.perf_counter() - started) * 1000
            self.db_ms += duration_ms
            self.queries.append(RecordedQuery(str(sql), params, duration_ms, our_line()))


@dataclass(frozen=True, slots=True)
class RecordedQuery:
    sql: str
    params: Any
    duration_ms: float
    origin: str  # "apps/orders/views.py:88 in order_list", or "" if none of ours


_OUR_FOLDERS = tuple(str(settings.BASE_DIR / folder) + os.sep for folder in ("apps", "console"))


def our_line() -> str:
    """The innermost frame of our code (under apps/ or console/) on the stack.

    What ran a query is usually deep in Django (a queryset's iterator, a
    related descriptor); the line worth reading is the first of ours above
    it: the view, selector or template tag that asked.
    """
    frame: FrameType | None = sys._getframe(1)
    wrapper = _QueryCounter.__call__.__code__
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(_OUR_FOLDERS) and frame.f_code is not wrapper:
            relative = os.path.relpath(filename, settings.BASE_DIR)
            return f"{relative}:{frame.f_lineno} in {frame.f_code.co_name}"
        frame = frame.f_back
    return ""


def add_query_headers(response: HttpResponse, counter: _QueryCounter) -> None:
    """``X-Query-Count`` and a ``db`` entry of ``Server-Timing`` (dev and test only).

    Appended to a ``Server-Timing`` already there (the debug toolbar's own).
    A streamed response (the CSV export) runs its row queries after this:
    the numbers are those of building the response.
    """
    response["X-Query-Count"] = str(counter.count)
    timing = f'db;dur={counter.db_ms:.1f};desc="{counter.count} queries"'
    existing = response.get("Server-Timing")
    response["Server-Timing"] = f"{existing}, {timing}" if existing else timing


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
        detailed = settings.QUERY_COUNT_HEADERS
        counter = _QueryCounter(detailed=detailed)
        request.query_counter = counter  # type: ignore[attr-defined]
        started = time.perf_counter()
        wrapped = list(connections.all(initialized_only=False))
        for connection in wrapped:
            connection.execute_wrappers.append(counter)
        try:
            with watch_blocked_fetches() as blocked:
                response = self.get_response(request)
        finally:
            for connection in wrapped:
                connection.execute_wrappers.remove(counter)
        if blocked:
            # A lazy load on a list or detail row (apps/core/fetching.py) that
            # something swallowed (django-tables2 renders it as an empty cell):
            # dev and test only, where the fetch mode is "raise".
            raise FieldFetchBlocked(
                f"Fetching of {', '.join(dict.fromkeys(blocked))} blocked: the queryset of "
                "this page did not load it (select_related, an annotation, or only())."
            )
        if detailed:
            add_query_headers(response, counter)
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
