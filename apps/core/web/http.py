"""HTTP helpers shared by every context's views."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """django-htmx's typed request (its documented pattern): ``request.htmx``,
    set by ``HtmxMiddleware`` on every request."""

    htmx: HtmxDetails


def wants_fragment(request: HtmxHttpRequest) -> bool:
    """True for an htmx request that swaps part of a page.

    A history restore (the user went back and htmx had no snapshot) needs the
    whole page, as does any request made without htmx.
    """
    return bool(request.htmx) and not request.htmx.history_restore_request


def page_or_fragment(request: HtmxHttpRequest, template: str, fragment: str) -> str:
    """``template`` for a full page, ``template#fragment`` for an htmx swap."""
    return f"{template}#{fragment}" if wants_fragment(request) else template


def filtered(filterset: Any) -> Any:
    """The filterset's rows, or none when a filter value is invalid.

    django-filter would silently drop an invalid value and show every row,
    which reads as "these match"; showing none, with the form's errors, is
    honest.
    """
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs
