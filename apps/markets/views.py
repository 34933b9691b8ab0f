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

from apps.accounts.web import StaffRequest
from apps.activity import api as activity_api
from apps.core.concurrency import StaleEdit
from apps.core.errors import InvalidInput
from apps.core.transitions import transition_options
from apps.core.web.actions import (
    BulkActions,
    DetailPage,
    Transitions,
    transition_bulk_actions,
)
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


DETAIL = DetailPage(selectors.market_or_404, "markets/detail.html", _detail_context)


@require_GET
@permission_required("markets.view_market", raise_exception=True)
def market_detail(request: StaffRequest, slug: str) -> HttpResponse:
    return DETAIL.render(request, slug)


TRANSITIONS = Transitions(
    selectors.market_or_404, services.TRANSITION_SERVICES, id_argument="market_id", page=DETAIL
)

BULK = BulkActions(
    noun="market",
    actions=transition_bulk_actions(Market, list(services.BULK_ACTIONS)),
    run=lambda actor, ids, action: services.bulk_transition_markets(
        actor=actor, market_ids=ids, action=action
    ),
    list_url_name="markets:list",
    list_template="markets/list.html",
    list_context=_list_context,
)


# The edit form's hidden field naming its market, whatever its slug is by the time it is posted.
MARKET_ID_FIELD = "market_id"


def _render_form(
    request: StaffRequest, form: MarketForm, market: Market | None, *, status: int = 200
) -> HttpResponse:
    template = page_or_fragment(request, "markets/form.html", "form")
    context = {"form": form, "market": market, "market_id_field": MARKET_ID_FIELD}
    return render(request, template, context, status=status)


def _validate_only(request: StaffRequest, form: MarketForm, market: Market | None) -> HttpResponse:
    """Inline validation as the user types: check, never save."""
    form.is_valid()  # every field is checked; the page shows only the one just left
    slug = form.cleaned_data.get("slug")
    if slug and selectors.slug_taken(slug, exclude_id=market.pk if market else None):
        form.add_error("slug", f"The slug “{slug}” is already used by another market.")
    return _render_form(request, form, market)


def _refuse_locked_edits(form: MarketForm, locked: dict[str, Any]) -> None:
    for name, value in locked.items():
        form.add_error(
            name,
            f"{form[name].label} is fixed once the market has gone live: "
            f"your value “{value}” was not saved.",
        )


def _save(request: StaffRequest, form: MarketForm, market: Market | None) -> HttpResponse:
    if not form.is_valid():
        return _render_form(request, form, market, status=422)
    try:
        if market is None:
            market = services.create_market(actor=request.user, **form.changes())
            messages.success(request, f"{market.name} was created as a Draft.")
        else:
            locked = form.locked_edits()
            if locked and form.loaded_version() == market.version:
                # Not stale, yet a value for a field the market's state locks
                # (a forged post): refused, not silently dropped. A stale form
                # gets the 409 below, which says the same on the fresh form.
                _refuse_locked_edits(form, locked)
                return _render_form(request, form, market, status=422)
            loaded_version = form.loaded_version()
            market = services.update_market(
                actor=request.user,
                market_id=market.pk,
                version=loaded_version,
                **form.changes(),
            )
            if market.version == loaded_version:
                messages.info(request, f"Nothing to save: no field of {market.name} was changed.")
            else:
                messages.success(request, f"{market.name} was saved.")
    except StaleEdit as stale:
        # Someone saved first: nothing was written. The user's input stays,
        # with the values it has now beside it, to compare and save again.
        current = stale.current
        assert isinstance(current, Market)
        rebased = form.rebased(
            {name: getattr(current, name) for name in Market.EDITABLE_FIELDS},
            version=current.version,
            message=stale.message,
            market=current,
        )
        # What the user typed into a field the market's state has locked since.
        _refuse_locked_edits(rebased, form.locked_edits())
        return _render_form(request, rebased, current, status=409)
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
    if request.method == "GET":
        market = selectors.market_or_404(slug)
        return _render_form(request, MarketForm(market=market), market)
    market = selectors.market_for_edit_or_404(slug, request.POST.get(MARKET_ID_FIELD))
    form = MarketForm(request.POST, market=market)
    if request.POST.get("_validate"):
        return _validate_only(request, form, market)
    return _save(request, form, market)
