from django.urls import path

from apps.core.web.actions import bulk_view, transition_view

from . import views

app_name = "orders"

urlpatterns = [
    path("orders/", views.order_list, name="list"),
    path("orders/export.csv", views.order_export, name="export"),
    path("orders/bulk/", bulk_view, {"bulk": views.BULK}, name="bulk"),
    path("orders/<str:number>/", views.order_detail, name="detail"),
    path(
        "orders/<str:number>/transitions/<str:name>/",
        transition_view,
        {"actions": views.TRANSITIONS},
        name="transition",
    ),
    path("carts/", views.cart_list, name="carts"),
    path("carts/purge/", views.cart_purge, name="purge_carts"),
    path("carts/<int:cart_id>/", views.cart_detail, name="cart"),
    path("carts/<int:cart_id>/place/", views.cart_place, name="place"),
]
