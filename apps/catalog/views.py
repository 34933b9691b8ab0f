"""HTTP and htmx adapter for the catalog: parse, call a service or a QuerySet, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from apps.accounts.api import StaffRequest
from apps.core.web.actions import BulkAction, BulkActions
from apps.core.web.http import page_or_fragment
from apps.core.web.lists import SidebarRow, list_context

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
        sidebar_keys=("active", "in_stock"),
        sidebar_rows=_sidebar_rows,
        list_url=reverse("catalog:products"),
        bulk_url=reverse("catalog:bulk"),
        noun="products",
        sidebar_label="Product counts",
        **extra,
    )


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
    name=lambda product: product.name,
    list_url_name="catalog:products",
    render_list=lambda request, extra: render(
        request, "catalog/list.html#results", _list_context(request, **extra)
    ),
)
