from django.urls import path

from apps.core.web.actions import bulk_view

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.product_list, name="products"),
    path("<int:product_id>/", views.product_detail, name="product"),
    path("bulk/", bulk_view, {"bulk": views.BULK}, name="bulk"),
]
