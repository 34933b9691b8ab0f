"""HTTP and htmx adapter for the catalog: parse, call a service or a QuerySet, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.web import StaffRequest
from apps.activity import api as activity_api
from apps.core.errors import InvalidInput
from apps.core.web.actions import BulkAction, BulkActions
from apps.core.web.budgets import query_budget
from apps.core.web.http import page_or_fragment
from apps.core.web.lists import SidebarRow, list_context
from apps.orders import api as orders_api

from . import selectors, services
from .filters import ProductFilter
from .receivers import CACHE_NAMESPACE
from .tables import ProductTable

CHANGE_PERMISSION = "catalog.change_product"
# Activating and deactivating share one permission, and one sentence when it is missing.
DENIED = "activating or deactivating products"


def _sidebar_rows() -> list[SidebarRow]:
    """(key, label, query string, count) for the sidebar, counted in one query."""
    counts = selectors.counts()
    return [
        ("all", "All products", "", counts["all"]),
        ("active", "Active", "active=yes", counts["active"]),
        ("inactive", "Inactive", "active=no", counts["inactive"]),
        ("out_of_stock", "Out of stock", "in_stock=no", counts["out_of_stock"]),
    ]


def _list_context(request: StaffRequest, **extra: Any) -> dict[str, Any]:
    return list_context(
        request,
        filterset=ProductFilter(request.GET, queryset=selectors.products_for_list()),
        table_class=ProductTable,
        bulk_actions=BULK.choices(),
        cache_namespace=CACHE_NAMESPACE,
        saved_views="products",
        sidebar_keys=("active", "in_stock"),
        sidebar_rows=_sidebar_rows,
        list_url=reverse("catalog:products"),
        bulk_url=reverse("catalog:bulk"),
        noun="products",
        sidebar_label="Product counts",
        **extra,
    )


# Query budget: session, user, permissions (2), rows with market and category (no count), the
# page's tags, the filter's category and tag choices (2; markets are an autocomplete: none
# listed), the user's saved views of the list, and on a filtered page the chosen market,
# category and tag (3); an htmx swap skips the choices (6).
@query_budget(12)
@require_GET
@permission_required("catalog.view_product", raise_exception=True)
def product_list(request: StaffRequest) -> HttpResponse:
    template = page_or_fragment(request, "catalog/list.html", "results")
    return render(request, template, _list_context(request))


BULK = BulkActions(
    noun="product",
    actions={
        action: BulkAction(label, CHANGE_PERMISSION, denied=DENIED)
        for action, label in services.BULK_ACTIONS.items()
    },
    run=lambda actor, ids, action: services.set_products_active(
        actor=actor, product_ids=ids, active=action == "activate"
    ),
    list_url_name="catalog:products",
    list_template="catalog/list.html",
    list_context=_list_context,
)


# Query budget: a GET: session, user, permissions (2), product with category and market, its
# tags, its recent order lines, its timeline.
@query_budget(8)
@require_http_methods(["GET", "POST"])
@permission_required("catalog.view_product", raise_exception=True)
def product_detail(request: StaffRequest, product_id: int) -> HttpResponse:
    """A product: price, stock, status with Activate/Deactivate, its market,
    its recent order lines (orders' api) and its timeline (activity's api).
    POST ``action=activate|deactivate`` runs the same service as the bulk action."""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in services.BULK_ACTIONS:
            raise InvalidInput("Choose Activate or Deactivate.")
        outcome = services.set_products_active(
            actor=request.user, product_ids=[product_id], active=action == "activate"
        )
        for product, reason in outcome.skipped:
            messages.warning(request, f"{product.name}: {reason}")
        for product in outcome.done:
            messages.success(request, f"{product.name} is now {product.get_status_display()}.")
        if not request.htmx:
            return redirect("catalog:product", product_id=product_id)
    product = selectors.product_for_page(product_id)
    context = {
        "product": product,
        "market": product.market_info,
        "lines": orders_api.recent_lines_for_product(product.pk),
        "timeline": activity_api.timeline("product", product.pk),
        "can_change": request.user.has_perm(CHANGE_PERMISSION),
    }
    return render(request, page_or_fragment(request, "catalog/detail.html", "detail"), context)
