"""How a list page renders cheaply, with the markup it always had.

Every list's filter widgets render through Jinja2 (``WIDGET_RENDERER``,
apps/core/web/filters.py), with exactly the markup Django's own templates
give them. The table renders without a second run of the context processors
(``{% console_table %}``). The navigation is reversed once per URLconf."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.test import Client, RequestFactory, override_settings

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


CALLS: list[str] = []


def counting(request: Any) -> dict[str, Any]:
    """A context processor that counts its runs."""
    CALLS.append(request.path)
    return {}


def _with_counting() -> list[dict[str, Any]]:
    templates: list[dict[str, Any]] = settings.TEMPLATES
    engines = [{**engine, "OPTIONS": {**engine["OPTIONS"]}} for engine in templates]
    processors = engines[0]["OPTIONS"]["context_processors"]
    engines[0]["OPTIONS"]["context_processors"] = [*processors, f"{__name__}.counting"]
    return engines


@pytest.mark.parametrize("url", ["/orders/", "/markets/", "/products/", "/activity/", "/carts/"])
def test_context_processors_run_once_for_a_list_page(url: str, superuser: Any) -> None:
    client = Client()
    client.force_login(superuser)
    with override_settings(TEMPLATES=_with_counting()):
        CALLS.clear()
        response = client.get(url)
        assert response.status_code == 200 and "<tbody" in response.text
        assert [url] == CALLS
        CALLS.clear()
        partial = client.get(url + "?page=1", headers={"HX-Request": "true"})
        assert partial.status_code == 200 and "<tbody" in partial.text
        assert [url] == CALLS


def test_the_navigation_is_reversed_once() -> None:
    from console.context_processors import _navigation_items, navigation_items

    _navigation_items.cache_clear()
    first = navigation_items()
    assert [item["url"] for item in first][:3] == ["/", "/markets/", "/orders/"]
    assert navigation_items() is first
    assert _navigation_items.cache_info().misses == 1


def test_the_navigation_of_another_urlconf_is_not_kept_for_the_settings_own() -> None:
    """Keyed by the URLconf's name: an ``override_settings(ROOT_URLCONF=…)``
    (a test's, without the sections) left the navigation empty for the rest
    of the process."""
    from console.context_processors import _navigation_items, navigation_items

    _navigation_items.cache_clear()
    with override_settings(ROOT_URLCONF="console.tests.probe_urls"):
        assert navigation_items() == []
    assert [item["url"] for item in navigation_items()][:3] == ["/", "/markets/", "/orders/"]
