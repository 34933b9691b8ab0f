"""Domain errors become responses here, and only here.

- Role refused (``NotPermitted``): 403, with or without htmx.
- Anything else, with htmx: the error's status (409 for a transition the
  state no longer allows), the message as a toast, and the fresh fragment of
  the page the user is on, so a stale screen corrects itself.
- Anything else, without htmx: the message, and a redirect back (POST,
  redirect, GET), so a reload never re-posts.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import Resolver404, resolve, reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme

from apps.core.errors import DomainError, NotPermitted

logger = logging.getLogger(__name__)


def _same_site(url: str, request: HttpRequest) -> bool:
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def fresh_fragment(request: HttpRequest) -> HttpResponse | None:
    """What an htmx GET of the user's current page returns now.

    Every page answers an htmx GET with its main fragment, and actions on a
    page target that fragment; so re-asking the page gives the right thing
    to swap in after a refused action.
    """
    current = request.headers.get("HX-Current-URL", "")
    if not current or not _same_site(current, request):
        return None
    parts = urlsplit(current)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    get_request = copy.copy(request)
    get_request.method = "GET"
    get_request.GET = QueryDict(parts.query)
    get_request.POST = QueryDict()
    get_request.path = get_request.path_info = parts.path
    response = match.func(get_request, *match.args, **match.kwargs)
    render: Callable[[], object] | None = getattr(response, "render", None)
    if render is not None:
        render()
    return response if response.status_code == 200 else None


class DomainErrorMiddleware:
    """Map ``DomainError`` raised by a view to a response (see module docstring).

    Listed last in ``MIDDLEWARE``: its ``process_exception`` then runs first,
    and the messages it adds still pass through ``HtmxMessagesMiddleware``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        logger.info("refused %s %s: %s", request.method, request.path, exception.message)
        htmx = bool(getattr(request, "htmx", False))
        if isinstance(exception, NotPermitted):
            if htmx:  # htmx shows no 403 page; the toast says why nothing happened
                messages.error(request, exception.message)
            return response_for_exception(request, PermissionDenied(exception.message))
        messages.error(request, exception.message)
        if htmx:
            response = fresh_fragment(request) or HttpResponse(
                f'<p class="text-danger" role="alert">{escape(exception.message)}</p>'
            )
            response.status_code = exception.http_status
            return response
        back = request.headers.get("Referer", "")
        home = reverse("dashboard")
        return HttpResponseRedirect(_closed(back) if back and _same_site(back, request) else home)


def _closed(url: str) -> str:
    """``url`` without ``?confirm=``: going back after a refusal must not reopen the dialog."""
    parts = urlsplit(url)
    query = QueryDict(parts.query, mutable=True)
    query.pop("confirm", None)
    return urlunsplit(parts._replace(query=query.urlencode()))
