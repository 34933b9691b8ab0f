"""HTTP and htmx adapter for markets: parse, call a service or a QuerySet, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts.api import StaffRequest
from apps.activity import api as activity_api
from apps.core.errors import InvalidInput
from apps.core.transitions import transition_options
from apps.core.web.actions import BulkActions, Transitions, transition_bulk_actions
from apps.core.web.http import page_or_fragment
from apps.core.web.lists import SidebarRow, list_context

from . import selectors, services
from .filters import MarketFilter
from .forms import MarketForm
from .models import Market, MarketStatus
from .receivers import CACHE_NAMESPACE
from .tables import MarketTable


def _sidebar_rows() -> list[SidebarRow]:
    counts = selectors.counts_by_status()
    return [
        ("all", "All markets", "", sum(counts.values())),
        *(
            (value, label, f"status={value}", counts[value])
            for value, label in MarketStatus.choices
        ),
    ]


def _list_context(request: StaffRequest, **extra: Any) -> dict[str, Any]:
    return list_context(
        request,
        filterset=MarketFilter(request.GET, queryset=selectors.markets()),
        table_class=MarketTable,
        bulk_actions=BULK.choices(),
        bulk_confirmations={
            "archive": "Archive {count} markets? An archived market can never be published again."
        },
        cache_namespace=CACHE_NAMESPACE,
        saved_views="markets",
        sidebar_rows=_sidebar_rows,
        list_url=reverse("markets:list"),
        bulk_url=reverse("markets:bulk"),
        noun="markets",
        sidebar_label="Market counts",
        **extra,
    )


@require_GET
@permission_required("markets.view_market", raise_exception=True)
def market_list(request: StaffRequest) -> HttpResponse:
    template = page_or_fragment(request, "markets/list.html", "results")
    return render(request, template, _list_context(request))


def _detail_context(request: StaffRequest, market: Market) -> dict[str, Any]:
    return {
        "market": market,
        "options": transition_options(market, request.user),
        "timeline": activity_api.timeline("market", market.pk),
        "can_edit": request.user.has_perm("markets.change_market")
        and bool(market.editable_fields()),
    }


@require_GET
@permission_required("markets.view_market", raise_exception=True)
def market_detail(request: StaffRequest, slug: str) -> HttpResponse:
    market = selectors.market_or_404(slug)
    template = page_or_fragment(request, "markets/detail.html", "detail")
    return render(request, template, _detail_context(request, market))


def _render_detail(request: StaffRequest, slug: str) -> HttpResponse:
    market = selectors.market_or_404(slug)
    return render(request, "markets/detail.html#detail", _detail_context(request, market))


TRANSITIONS = Transitions(
    lookup=selectors.market_or_404,
    services=services.TRANSITION_SERVICES,
    id_argument="market_id",
    render=_render_detail,
)

BULK = BulkActions(
    noun="market",
    actions=transition_bulk_actions(Market, list(services.BULK_ACTIONS)),
    run=lambda actor, ids, action: services.bulk_transition_markets(
        actor=actor, market_ids=ids, action=action
    ),
    name=lambda market: market.name,
    list_url_name="markets:list",
    render_list=lambda request, extra: render(
        request,
        "markets/list.html#results",
        _list_context(request, **extra),
    ),
)


def _render_form(
    request: StaffRequest, form: MarketForm, market: Market | None, *, status: int = 200
) -> HttpResponse:
    template = page_or_fragment(request, "markets/form.html", "form")
    return render(request, template, {"form": form, "market": market}, status=status)


def _validate_only(request: StaffRequest, form: MarketForm, market: Market | None) -> HttpResponse:
    """Inline validation as the user types: check, never save."""
    form.is_valid()  # every field is checked; the page shows only the one just left
    slug = form.cleaned_data.get("slug")
    if slug and selectors.slug_taken(slug, exclude_id=market.pk if market else None):
        form.add_error("slug", f"The slug “{slug}” is already used by another market.")
    return _render_form(request, form, market)


def _save(request: StaffRequest, form: MarketForm, market: Market | None) -> HttpResponse:
    if not form.is_valid():
        return _render_form(request, form, market, status=422)
    try:
        if market is None:
            market = services.create_market(actor=request.user, **form.changes())
            messages.success(request, f"{market.name} was created as a Draft.")
        else:
            market = services.update_market(
                actor=request.user, market_id=market.pk, **form.changes()
            )
            messages.success(request, f"{market.name} was saved.")
    except InvalidInput as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _render_form(request, form, market, status=422)
    if request.htmx:
        return HttpResponseClientRedirect(market.get_absolute_url())
    return redirect(market)


@require_http_methods(["GET", "POST"])
@permission_required("markets.add_market", raise_exception=True)
def market_create(request: StaffRequest) -> HttpResponse:
    if request.method == "GET":
        return _render_form(request, MarketForm(), None)
    form = MarketForm(request.POST)
    if request.POST.get("_validate"):
        return _validate_only(request, form, None)
    return _save(request, form, None)


@require_http_methods(["GET", "POST"])
@permission_required("markets.change_market", raise_exception=True)
def market_edit(request: StaffRequest, slug: str) -> HttpResponse:
    market = selectors.market_or_404(slug)
    if request.method == "GET":
        return _render_form(request, MarketForm(market=market), market)
    form = MarketForm(request.POST, market=market)
    if request.POST.get("_validate"):
        return _validate_only(request, form, market)
    return _save(request, form, market)
