"""HTTP and htmx adapter for the catalog: parse, call a service or a QuerySet, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.api import StaffRequest
from apps.core.errors import InvalidInput, NotPermitted
from apps.core.web.bulk import bulk_response, selected_ids
from apps.core.web.http import page_or_fragment
from apps.core.web.lists import SidebarRow, list_context

from . import selectors, services
from .filters import ProductFilter
from .receivers import CACHE_NAMESPACE
from .tables import ProductTable

CHANGE_PERMISSION = "catalog.change_product"


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
        bulk_actions={
            action: (label, CHANGE_PERMISSION) for action, label in services.BULK_ACTIONS.items()
        },
        cache_namespace=CACHE_NAMESPACE,
        sidebar_rows=_sidebar_rows,
        list_url="/products/",
        bulk_url="/products/bulk/",
        noun="products",
        sidebar_label="Product counts",
        **extra,
    )


@require_GET
@permission_required("catalog.view_product", raise_exception=True)
def product_list(request: StaffRequest) -> HttpResponse:
    template = page_or_fragment(request, "catalog/list.html", "results")
    return render(request, template, _list_context(request))


@require_POST
def product_bulk(request: StaffRequest) -> HttpResponse:
    if not request.user.has_perm(CHANGE_PERMISSION):
        raise NotPermitted("Your role does not allow activating or deactivating products.")
    action = request.POST.get("action", "")
    if action not in services.BULK_ACTIONS:
        raise InvalidInput("Choose Activate or Deactivate for the selected products.")
    ids = selected_ids(request, noun="product")
    outcome = services.set_products_active(
        actor=request.user, product_ids=ids, active=action == "activate"
    )
    return bulk_response(
        request,
        outcome,
        label=services.BULK_ACTIONS[action],
        name=lambda product: product.name,
        fragment=lambda report: render(
            request, "catalog/list.html#results", _list_context(request, report=report)
        ),
        list_url="/products/",
    )
