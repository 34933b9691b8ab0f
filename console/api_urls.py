"""``/api/v1/``: the automation API (docs/DESIGN.md "The API", names in docs/UI.md).

Each context's ``rest.py`` holds its ViewSets; this router only names the paths.
"""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from apps.activity.rest import EventViewSet
from apps.catalog.rest import ProductViewSet
from apps.markets.rest import MarketViewSet
from apps.orders.rest import CartViewSet, OrderViewSet

app_name = "api"

router = DefaultRouter()
router.register("markets", MarketViewSet, basename="market")
router.register("orders", OrderViewSet, basename="order")
router.register("carts", CartViewSet, basename="cart")
router.register("products", ProductViewSet, basename="product")
router.register("events", EventViewSet, basename="event")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own:
    # the CSP allows no inline script. (No Redoc: its styled-components inject
    # inline styles, which the CSP refuses.)
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema"),
        name="docs",
    ),
    path("", include(router.urls)),
]
