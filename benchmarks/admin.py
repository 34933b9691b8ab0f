"""The Django admin the bench measures the console against, on the same data.

A site of the project's own kind (``console.admin.SuperuserAdminSite``:
superusers only) with every model the project's admin has, each showing as
many rows per page as the console's list of the same rows, and a
reasonable ``OrderAdmin`` (the project registers none): the market fetched
with the orders, filters by status and market, search by number, email and
customer name, newest first. View-only, as the project's other admins.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.activity import views as activity_views
from apps.activity.models import Event
from apps.catalog.models import Product
from apps.core.web import lists
from apps.markets.models import Market
from apps.orders import views as order_views
from apps.orders.models import Order, OrderLine, Payment
from console.admin import SuperuserAdminSite


class ViewOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LineInline(ViewOnly, admin.TabularInline):
    model = OrderLine
    fields = ["product_name", "sku", "unit_price", "quantity"]
    extra = 0


class PaymentInline(ViewOnly, admin.TabularInline):
    model = Payment
    fields = ["kind", "status", "amount", "currency", "created_at", "failure_message"]
    extra = 0


class OrderAdmin(ViewOnly, admin.ModelAdmin):
    list_display = ["number", "placed_at", "status", "market", "customer_name", "total"]
    list_select_related = ["market"]
    list_filter = ["status", "market"]
    search_fields = ["number", "customer_email", "customer_name"]
    ordering = ["-placed_at"]
    inlines = [LineInline, PaymentInline]


# Rows per page of the console's list of each model.
PER_PAGE = {
    Order: order_views.PAGE_SIZE,
    Event: activity_views.PAGE_SIZE,
    Market: lists.PAGE_SIZE,
    Product: lists.PAGE_SIZE,
}

site = SuperuserAdminSite(name="admin")
for model, model_admin in admin.site._registry.items():
    site.register(model, type(model_admin))
if not site.is_registered(Order):
    site.register(Order, OrderAdmin)
for model, per_page in PER_PAGE.items():
    registered = type(site.get_model_admin(model))
    site.unregister(model)
    site.register(model, type(registered.__name__, (registered,), {"list_per_page": per_page}))


def admin_per_page(model: type[Any]) -> int:
    return int(site.get_model_admin(model).list_per_page)
