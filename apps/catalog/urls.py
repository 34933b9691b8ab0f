from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.product_list, name="products"),
    path("bulk/", views.product_bulk, name="bulk"),
]
