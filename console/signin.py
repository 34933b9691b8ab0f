"""Sign-in protection with django-axes: who is the client, and what a locked-out user sees.

Axes counts failed sign-ins per username *and* address (settings:
``AXES_LOCKOUT_PARAMETERS``); after ``AXES_FAILURE_LIMIT`` failures that pair
is refused for ``AXES_COOLOFF_TIME``, even with the right password.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Says neither whether the username exists nor whether the password was
# right: axes locks a pair it has never seen a user for just the same.
LOCKED_OUT_MESSAGE = (
    "Too many failed sign-ins for this username from your address. "
    "Signing in is paused for {minutes} minutes; try again later."
)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, as the proxies we trust (``PROXY_COUNT``) saw it.

    With ``PROXY_COUNT = n`` proxies in front, each appends the address it
    received from to ``X-Forwarded-For``, so the client is the n-th entry from
    the right; entries further left were sent by the client and may be
    forged. With no proxy (or a header shorter than the chain, i.e. not
    written by our proxies) the socket's address is the only one to trust.
    Ours, not django-ipware: its ``proxy_count`` reading picked a forgeable
    left-hand entry for a one-proxy chain in our tests.
    """
    count = settings.PROXY_COUNT
    if count > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """The sign-in page again with the lockout message, 429 (``AXES_LOCKOUT_CALLABLE``)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    context = {
        "form": form,
        "locked_out": LOCKED_OUT_MESSAGE.format(minutes=minutes),
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=429)
