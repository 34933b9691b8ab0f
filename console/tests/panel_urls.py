"""A page with a deliberate N+1, and the debug toolbar's URLs, for the panel tests.

Imported only while a test has the toolbar's app installed (its store imports
its models).
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from apps.catalog.models import Product
from apps.core.web.budgets import query_budget


def always(request: HttpRequest) -> bool:
    """The toolbar's SHOW_TOOLBAR_CALLBACK in these tests."""
    return True


@login_not_required  # no session or user queries: only the ones below
@query_budget(3)
def lazy_markets(request: HttpRequest) -> HttpResponse:
    products = Product.objects.order_by("pk")
    names = [product.market.name for product in products]  # N+1: a market query per row
    return HttpResponse(f"<html><body><p>{', '.join(names)}</p></body></html>")


# debug_toolbar_urls() adds nothing unless DEBUG, which the test runner turns off.
urlpatterns = [path("lazy/", lazy_markets), path("__debug__/", include("debug_toolbar.urls"))]
