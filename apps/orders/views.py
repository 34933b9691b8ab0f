"""HTTP and htmx adapter for orders and carts: parse, call a service or a QuerySet, render."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts.web import StaffRequest
from apps.activity import api as activity_api
from apps.core.errors import InvalidInput
from apps.core.transitions import transition_options
from apps.core.web.actions import (
    BulkActions,
    DetailPage,
    Transitions,
    transition_bulk_actions,
)
from apps.core.web.budgets import query_budget
from apps.core.web.http import filtered, page_or_fragment, wants_fragment
from apps.core.web.lists import SidebarRow, list_context, paginate, sort
from apps.core.web.spreadsheet import SafeCsvWriter

from . import selectors, services
from .filters import OrderFilter
from .models import Order, OrderStatus
from .receivers import CACHE_NAMESPACE
from .tables import CartTable, OrderTable

PAGE_SIZE = 25


# --- Order list, bulk actions, export -------------------------------------------


def _sidebar_rows() -> list[SidebarRow]:
    counts = selectors.order_counts_by_status()
    return [
        ("all", "All orders", "", sum(counts.values())),
        *((value, label, f"status={value}", counts[value]) for value, label in OrderStatus.choices),
    ]


def _list_context(request: StaffRequest, **extra: Any) -> dict[str, Any]:
    return list_context(
        request,
        filterset=OrderFilter(request.GET, queryset=selectors.orders_for_list(), request=request),
        table_class=OrderTable,
        bulk_actions=BULK.choices(),
        bulk_confirmations={
            "cancel": (
                "Cancel {count} orders? Their stock goes back and they can no longer be charged."
            )
        },
        cache_namespace=CACHE_NAMESPACE,
        saved_views="orders",
        sidebar_rows=_sidebar_rows,
        list_url=reverse("orders:list"),
        bulk_url=reverse("orders:bulk"),
        noun="orders",
        sidebar_label="Order counts",
        **extra,
    )


# Query budget: session, user, permissions (2), page of rows (no count: CountlessPaginator),
# the user's saved views of the list, and on a filtered page the chosen market (by id: the
# filter is an autocomplete, no market is listed). A page past the end (an old link) also
# counts the rows and reads the last page.
@query_budget(7)
@require_GET
@permission_required("orders.view_order", raise_exception=True)
def order_list(request: StaffRequest) -> HttpResponse:
    template = page_or_fragment(request, "orders/list.html", "results")
    return render(request, template, _list_context(request))


EXPORT_COLUMNS = [
    ("Number", "number"),
    ("Placed at", "placed_at"),
    ("Status", "status"),
    ("Market", "market_name"),
    ("Customer", "customer_name"),
    ("Email", "customer_email"),
    ("Currency", "currency"),
    ("Total", "total"),
    ("Tracking number", "tracking_number"),
]


# Query budget: session, user, permissions (2), then the rows in one streamed query.
@query_budget(5)
@require_GET
@permission_required("orders.view_order", raise_exception=True)
def order_export(request: StaffRequest) -> StreamingHttpResponse:
    """The current list (same filters and sort) as CSV, streamed row by row.

    Memory stays flat in the number of orders: rows come from the database
    in chunks (``iterator``) and leave as they are written.
    """
    filterset = OrderFilter(request.GET, queryset=selectors.orders_for_list(), request=request)
    table = OrderTable(filtered(filterset))
    sort(request, table)
    ordered = table.data.data  # the filtered queryset in the table's sort order
    rows = selectors.rows_for_export(ordered, fields=[field for _, field in EXPORT_COLUMNS])
    # Customer names, emails and tracking numbers are typed by people: the
    # writer neutralises what a spreadsheet would run as a formula.
    writer = SafeCsvWriter()
    labels = dict(OrderStatus.choices)

    def lines() -> Iterator[str]:
        yield writer.row(header for header, _ in EXPORT_COLUMNS)
        for row in rows:
            values = list(row)
            values[1] = timezone.localtime(values[1]).isoformat(timespec="seconds")
            values[2] = labels.get(values[2], values[2])
            yield writer.row(values)

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
    return response


# --- Order detail and transitions -----------------------------------------------


def _detail_context(request: StaffRequest, order: Order) -> dict[str, Any]:
    return {
        "order": order,
        "lines": list(order.lines.all()),
        "payments": list(order.payments.all()),
        "options": transition_options(order, request.user),
        "timeline": activity_api.timeline("order", order.pk),
        # A fresh key per rendering: a double click or a resent form reuses
        # it and is answered without a second charge.
        "idempotency_key": uuid.uuid4().hex,
    }


DETAIL = DetailPage(selectors.order_for_page, "orders/detail.html", _detail_context)


# Query budget: session, user, order+market, lines, payments, permissions (2), timeline.
@query_budget(8)
@require_GET
@permission_required("orders.view_order", raise_exception=True)
def order_detail(request: StaffRequest, number: str) -> HttpResponse:
    return DETAIL.render(request, number)


TRANSITIONS = Transitions(
    selectors.order_or_404, services.TRANSITION_SERVICES, id_argument="order_id", page=DETAIL
)

BULK = BulkActions(
    noun="order",
    actions=transition_bulk_actions(Order, list(services.BULK_ACTIONS)),
    run=lambda actor, ids, action: services.bulk_transition_orders(
        actor=actor, order_ids=ids, action=action
    ),
    list_url_name="orders:list",
    list_template="orders/list.html",
    list_context=_list_context,
)


# --- Carts --------------------------------------------------------------------------


# Query budget: session, user, permissions (2), page of carts with totals and market (no count).
@query_budget(5)
@require_GET
@permission_required("orders.view_order", raise_exception=True)
def cart_list(request: StaffRequest) -> HttpResponse:
    template = page_or_fragment(request, "orders/carts.html", "results")
    return render(request, template, _cart_list_context(request))


def _cart_list_context(request: StaffRequest) -> dict[str, Any]:
    table = CartTable(selectors.carts_for_list())
    paginate(request, table, per_page=PAGE_SIZE)
    return {
        "table": table,
        "can_purge": request.user.has_perm("orders.delete_cart"),
        "purge_days": services.ABANDONED_AFTER_DAYS,
    }


@require_POST
# Refused before the input is read: someone who may not purge learns nothing from
# a 422 about their days. The service checks the permission again.
@permission_required("orders.delete_cart", raise_exception=True)
def cart_purge(request: StaffRequest) -> HttpResponse:
    """Bulk delete: every abandoned cart (no items, or untouched for N days) at once."""
    try:
        days = int(request.POST.get("days", services.ABANDONED_AFTER_DAYS))
    except ValueError:
        raise InvalidInput("Days is a whole number.", field="days") from None
    count = services.purge_abandoned_carts(actor=request.user, older_than_days=days)
    messages.success(request, f"{count} abandoned cart{'s' if count != 1 else ''} deleted.")
    if wants_fragment(request):
        return render(request, "orders/carts.html#results", _cart_list_context(request))
    return redirect("orders:carts")


# Query budget: session, user, cart+market, items with products, permissions (2).
@query_budget(6)
@require_GET
@permission_required("orders.view_order", raise_exception=True)
def cart_detail(request: StaffRequest, cart_id: int) -> HttpResponse:
    detail = selectors.cart_detail(cart_id)
    context = {
        "cart": detail.cart,
        "items": detail.items,
        "total": detail.total,
        "placed_as": detail.placed_as,
        "can_place": request.user.has_perm("orders.add_order") and bool(detail.items),
    }
    return render(request, page_or_fragment(request, "orders/cart.html", "cart"), context)


@require_POST
def cart_place(request: StaffRequest, cart_id: int) -> HttpResponse:
    cart = selectors.cart_or_404(cart_id)
    order = services.create_order_from_cart(actor=request.user, cart_id=cart.pk)
    messages.success(request, f"Order {order.number} placed: {order.total} {order.currency}.")
    if request.htmx:
        return HttpResponseClientRedirect(order.get_absolute_url())
    return redirect(order)
