"""Sign-in protection with django-axes: who is the client, and what a locked-out user sees.

Axes counts failed sign-ins per username *and* address (settings:
``AXES_LOCKOUT_PARAMETERS``); after ``AXES_FAILURE_LIMIT`` failures that pair
is refused for ``AXES_COOLOFF_TIME``, even with the right password.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Says neither whether the username exists nor whether the password was
# right: axes locks a pair it has never seen a user for just the same.
LOCKED_OUT_MESSAGE = (
    "Too many failed sign-ins for this username from your address. "
    "Signing in is paused for {minutes} minutes; try again later."
)


class SignInForm(AuthenticationForm):
    """Django's sign-in form with the username bounded by ``User.username``'s length.

    ``AuthenticationForm`` copies that length onto the field only after the
    field is built, so no validator enforces it: a longer username reached
    ``authenticate()`` and axes then wrote it to ``AccessAttempt.username``
    (255 characters), a DataError and a 500 on PostgreSQL. Refused here, the
    form says so and nobody is asked to authenticate (nothing is recorded).
    """

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        assert isinstance(field, forms.CharField)  # AuthenticationForm's UsernameField
        if field.max_length is not None:
            field.validators.append(MaxLengthValidator(field.max_length))


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, as the proxies we trust (``PROXY_COUNT``) saw it.

    With ``PROXY_COUNT = n`` proxies in front, each appends the address it
    received from to ``X-Forwarded-For``, so the client is the n-th entry from
    the right; entries further left were sent by the client and may be
    forged. With no proxy (or a header shorter than the chain, i.e. not
    written by our proxies) the socket's address is the only one to trust.
    Ours, not django-ipware: its ``proxy_count`` reading picked a forgeable
    left-hand entry for a one-proxy chain in our tests. An entry that is not
    an IP address (``ip:port`` and ``[v6]:port`` are read without the port)
    counts as no entry: the socket's address is used.
    """
    count = settings.PROXY_COUNT
    if count > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            address = _address(hops[-count])
            # Not an address (a client writing the header itself when our
            # proxy did not strip it, or a proxy that appends ``ip:port``
            # badly): axes stores this in an IP column, so a garbled entry was
            # a 500, and rotating garbage was a fresh "address" each try.
            if address is not None:
                return address
    return request.META.get("REMOTE_ADDR")


def _address(entry: str) -> str | None:
    """``entry`` as a canonical IP address, a port stripped; None if it is not one."""
    if entry.startswith("["):  # [v6]:port
        entry = entry[1:].partition("]")[0]
    elif entry.count(":") == 1:  # v4:port (a bare v6 has several colons)
        entry = entry.partition(":")[0]
    try:
        return str(ipaddress.ip_address(entry))
    except ValueError:
        return None


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """The sign-in page again with the lockout message, 429 (``AXES_LOCKOUT_CALLABLE``)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = SignInForm(request, initial={"username": request.POST.get("username", "")})
    context = {
        "form": form,
        "locked_out": LOCKED_OUT_MESSAGE.format(minutes=minutes),
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=429)
