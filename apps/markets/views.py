"""HTTP and htmx adapter for markets: parse, call a service or a QuerySet, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts.web import StaffRequest
from apps.activity import api as activity_api
from apps.core.cache import cache_version
from apps.core.concurrency import StaleEdit
from apps.core.errors import InvalidInput
from apps.core.transitions import transition_options
from apps.core.web.actions import (
    BulkActions,
    DetailPage,
    Transitions,
    transition_bulk_actions,
)
from apps.core.web.budgets import query_budget
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


# Query budget: session, user, the user's and groups' permissions (2), page of rows (no count:
# CountlessPaginator), the user's saved views of the list.
@query_budget(6)
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


# Query budget: session, user, permissions (2), market, timeline with actors.
@query_budget(6)
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


# Query budget: a GET: session, user, permissions (2).
@query_budget(4)
@require_http_methods(["GET", "POST"])
@permission_required("markets.add_market", raise_exception=True)
def market_create(request: StaffRequest) -> HttpResponse:
    if request.method == "GET":
        return _render_form(request, MarketForm(), None)
    form = MarketForm(request.POST)
    if request.POST.get("_validate"):
        return _validate_only(request, form, None)
    return _save(request, form, None)


# Query budget: a GET: session, user, permissions (2), market.
@query_budget(5)
@require_http_methods(["GET", "POST"])
@permission_required("markets.change_market", raise_exception=True)
def market_edit(request: StaffRequest, slug: str) -> HttpResponse:
    if request.method == "GET":
        market = selectors.market_or_404(slug)
        return _render_form(request, MarketForm(market=market), market)
    market = selectors.market_for_edit_or_404(slug, market_id=request.POST.get(MARKET_ID_FIELD))
    form = MarketForm(request.POST, market=market)
    if request.POST.get("_validate"):
        return _validate_only(request, form, market)
    return _save(request, form, market)


CHOICES_LIMIT = 20
CHOICES_SECONDS = 300
CHOICES_QUERY_LENGTH = 100  # longer text is cut, never an error


# The cached response. cache_page keys on the full URL — ``q`` and the
# markets version ``v`` — and on the headers the response names in Vary.
# It names none, deliberately, and no vary_on_headers is added: the body
# depends on the URL alone, not on who asks (every role may view every
# market, and the permission check runs before this, outside the cache), so
# one copy serves every staff member. Varying on Cookie would store one
# copy per session, nothing shared; on HX-Request or Accept there is nothing
# to vary, the body is the same JSON for any caller. No user's data (name,
# CSRF token, messages) is in it. The response still leaves with
# "Cache-Control: private, no-store" (PrivatePagesMiddleware runs after the
# cache stored it): only this server-side cache keeps it.
@cache_page(CHOICES_SECONDS)
def _cached_market_choices(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:CHOICES_QUERY_LENGTH]
    rows = selectors.market_choices(query, limit=CHOICES_LIMIT)
    return JsonResponse(
        {"results": [{"value": slug, "label": name, "id": pk} for slug, name, pk in rows]}
    )


# Query budget: session, user, permissions (2), the matching markets (none when cached).
@query_budget(5)
@require_GET
@permission_required("markets.view_market", raise_exception=True)
def market_choices(request: StaffRequest) -> HttpResponse:
    """Markets matching ``q`` as JSON ``{"results": [{"value": slug, "label": name, "id": pk}]}``.

    For pickers whose choices grow with the data (a market filter): the same
    answer for every staff member, so it is cached once for all
    (``cache_page``). Never stale: the URL carries the version of the
    markets namespace (``v``), bumped on commit of every market event; a
    request for any other version is redirected to the current one, whose
    URL (and so cache key) the old entries do not share.
    """
    version = cache_version(CACHE_NAMESPACE)
    if request.GET.get("v") != version:
        query = request.GET.copy()
        query["v"] = version
        return redirect(f"{request.path}?{query.urlencode()}")
    return _cached_market_choices(request)
