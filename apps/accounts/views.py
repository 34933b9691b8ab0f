"""HTTP and htmx adapter for accounts: the signed-in user's API tokens page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from apps.core.errors import InvalidInput
from apps.core.web.budgets import query_budget
from apps.core.web.http import page_or_fragment, wants_fragment

from . import selectors, services
from .web import StaffRequest

TEMPLATE = "accounts/api_tokens.html"


def _context(request: StaffRequest, **extra: Any) -> dict[str, Any]:
    return {
        "tokens": selectors.api_tokens_of(request.user),
        "lifetimes": services.TOKEN_LIFETIMES,
        **extra,
    }


# Session, user, the role check's permissions (2), the user's tokens.
@query_budget(5)
@require_GET
def api_tokens(request: StaffRequest) -> HttpResponse:
    template = page_or_fragment(request, TEMPLATE, "tokens")
    return render(request, template, _context(request))


@never_cache  # the new token is in this response, and only in this one
@require_POST
def api_token_create(request: StaffRequest) -> HttpResponse:
    """Create a token and show it once; the database keeps only its hash."""
    try:
        days = int(request.POST.get("days", ""))
    except ValueError:
        days = 0
    try:
        token, raw = services.create_api_token(
            actor=request.user, name=request.POST.get("name", ""), days=days
        )
    except InvalidInput as error:
        template = page_or_fragment(request, TEMPLATE, "tokens")
        context = _context(request, error=error, name=request.POST.get("name", ""))
        return render(request, template, context, status=422)
    messages.success(request, f"Token “{token.name}” created. Copy it now: it is not shown again.")
    template = page_or_fragment(request, TEMPLATE, "tokens")
    return render(request, template, _context(request, new_token=raw, new_name=token.name))


@require_POST
def api_token_revoke(request: StaffRequest, token_key: str) -> HttpResponse:
    """Revoke one of the user's own tokens (another user's is not found: nothing happens)."""
    if services.revoke_api_token(actor=request.user, token_key=token_key):
        messages.success(request, "Token revoked: scripts using it are refused from now on.")
    else:
        messages.error(request, "No such token of yours; nothing was revoked.")
    if wants_fragment(request):
        return render(request, f"{TEMPLATE}#tokens", _context(request))
    return redirect("accounts:api_tokens")
