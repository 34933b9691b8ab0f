"""Every list's filter widgets render through Jinja2 (``WIDGET_RENDERER``,
apps/core/web/filters.py), with exactly the markup Django's own templates
give them: faster, and nothing a user or a test locates changes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.forms.renderers import DjangoTemplates
from django.test import Client, RequestFactory

from apps.activity.filters import EventFilter
from apps.catalog.filters import ProductFilter
from apps.markets.filters import MarketFilter
from apps.markets.tests.factories import MarketFactory
from apps.orders.filters import OrderFilter

pytestmark = pytest.mark.django_db

LISTS = [
    (OrderFilter, "/orders/", "q=ORD&status=paid&total_min=3&placed_from=2026-01-02"),
    (MarketFilter, "/markets/", "q=x&status=live&currency=EUR"),
    (ProductFilter, "/products/", "q=x&active=1&in_stock=0"),
    (EventFilter, "/activity/", "q=x&context=orders&occurred_from=2026-01-02"),
]


def _normalised(html: str) -> str:
    """Markup without the whitespace between tags the two engines lay out differently."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.mark.parametrize(("filterset", "url", "query"), LISTS)
def test_the_widgets_are_the_ones_djangos_templates_render(
    filterset: Any, url: str, query: str, superuser: Any
) -> None:
    market = MarketFactory()
    request = RequestFactory().get(f"{url}?{query}&market={market.slug}")
    request.user = superuser
    filters = filterset(request.GET, queryset=filterset._meta.model.objects.none(), request=request)
    jinja = "".join(str(field) for field in filters.form)
    assert 'class="form-select"' in jinja or 'class="form-control"' in jinja
    filters.form.renderer = DjangoTemplates()
    assert _normalised(jinja) == _normalised("".join(str(field) for field in filters.form))


@pytest.mark.parametrize(("filterset", "url", "query"), LISTS)
def test_no_widget_goes_through_djangos_template_engine(
    filterset: Any, url: str, query: str, superuser: Any
) -> None:
    client = Client()
    client.force_login(superuser)
    response = client.get(f"{url}?{query}")
    assert response.status_code == 200
    assert 'aria-label="Filters"' in response.text
    used = {template.name for template in response.templates}
    assert not {name for name in used if name and name.startswith("django/forms/")}, used
