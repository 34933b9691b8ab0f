"""``/api/v1/``: the automation API (docs/DESIGN.md "The API", names in docs/UI.md).

Each context's ``rest.py`` holds its ViewSets; this router only names the paths.
"""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)
from rest_framework import routers

from apps.activity.rest import EventViewSet
from apps.catalog.rest import ProductViewSet
from apps.core.web.budgets import query_budget
from apps.markets.rest import MarketViewSet
from apps.orders.rest import CartViewSet, OrderViewSet

app_name = "api"


# Budgets (console/tests/test_budgets.py, `python -m benchmarks api`): the
# token and its user (or the session and its user); none of these three reads
# a model, so no permission lookup either.
@query_budget(2)
class APIRootView(routers.APIRootView):
    """The API's index: a link to each resource's list."""


class Router(routers.DefaultRouter):
    APIRootView = APIRootView


@query_budget(2)
class SchemaView(SpectacularAPIView):
    """OpenAPI 3, generated from the ViewSets (no query of its own)."""


@query_budget(2)
class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI, from drf-spectacular-sidecar's vendored files."""


router = Router()
router.register("markets", MarketViewSet, basename="market")
router.register("orders", OrderViewSet, basename="order")
router.register("carts", CartViewSet, basename="cart")
router.register("products", ProductViewSet, basename="product")
router.register("events", EventViewSet, basename="event")

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own:
    # the CSP allows no inline script. (No Redoc: its styled-components inject
    # inline styles, which the CSP refuses.)
    path(
        "docs/",
        DocsView.as_view(url_name="api:schema"),
        name="docs",
    ),
    path("", include(router.urls)),
]
