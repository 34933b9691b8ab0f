from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.activity.models import Event
from apps.catalog import views
from apps.catalog.models import Product
from apps.core.web.budgets import budget_of
from apps.core.web.ui import status_pill
from apps.markets.tests.factories import MarketFactory

from .factories import CategoryFactory, ProductFactory, TagFactory

HTMX = {"HX-Request": "true"}

pytestmark = pytest.mark.django_db


def _signed_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["viewer", "agent", "finance"])
def test_roles_without_change_get_no_checkboxes_nor_toolbar(
    client: Client, request, role: str
) -> None:
    ProductFactory(name="Oak Table")
    response = _signed_in(client, request.getfixturevalue(role)).get("/products/")
    assert response.status_code == 200
    assert b"Oak Table" in response.content
    assert b'aria-label="Bulk actions"' not in response.content
    assert b'type="checkbox"' not in response.content


@pytest.mark.parametrize("role", ["manager", "superuser"])
def test_roles_that_change_products_get_checkboxes_and_the_toolbar(
    client: Client, request, role: str
) -> None:
    ProductFactory(name="Oak Table")
    content = _signed_in(client, request.getfixturevalue(role)).get("/products/").content.decode()
    assert 'role="toolbar" aria-label="Bulk actions"' in content
    assert re.search(
        r'type="checkbox" name="ids" value="\d+" form="bulk-form" aria-label="Oak Table"', content
    )
    assert re.search(
        r'<button type="submit" name="action" value="activate"[^>]*>Activate</button>', content
    )
    assert re.search(
        r'<button type="submit" name="action" value="deactivate"[^>]*>Deactivate</button>', content
    )


def test_not_staff_is_403_and_anonymous_signs_in(client: Client, customer) -> None:
    assert client.get("/products/").status_code == 302
    assert _signed_in(client, customer).get("/products/").status_code == 403


def test_a_row_shows_every_column(client: Client, viewer) -> None:
    market = MarketFactory(name="Nordic Crafts", currency="SEK")
    category = CategoryFactory(name="Furniture")
    ProductFactory(
        market=market,
        category=category,
        name="Oak Table",
        sku="OAK-1",
        price=Decimal("1200.50"),
        stock=0,
        active=False,
        tags=[TagFactory(name="Handmade", slug="handmade"), TagFactory(name="Gift", slug="gift")],
    )
    content = _signed_in(client, viewer).get("/products/").content.decode()
    headers = re.findall(r'<th [^>]*scope="col"[^>]*>\s*(?:<a [^>]*>)?([^<]+)', content)
    assert [h.strip() for h in headers] == [
        "Name", "SKU", "Market", "Category", "Tags", "Price", "Stock", "Status",
    ]  # fmt: skip
    assert "OAK-1" in content
    assert f'href="/markets/{market.slug}/">Nordic Crafts</a>' in content
    assert "Furniture" in content
    assert "<span data-price>1200.50</span> <abbr" in content
    assert 'title="Swedish krona">SEK</abbr>' in content
    assert 'data-tag="gift">Gift<' in content and 'data-tag="handmade">Handmade<' in content
    assert "data-out-of-stock" in content
    assert status_pill("inactive", "Inactive") in content


def test_list_htmx_gets_the_fragment_and_others_the_page(client: Client, viewer) -> None:
    ProductFactory(name="Blue Mug")
    ProductFactory(name="Red Plate")
    _signed_in(client, viewer)
    page = client.get("/products/")
    assert b"<html" in page.content and b'aria-label="Filters"' in page.content
    assert b"data-search-input" in page.content
    fragment = client.get("/products/?q=mug", headers=HTMX)
    assert b"<html" not in fragment.content
    assert b'id="results"' in fragment.content
    assert b'<nav id="sidebar" aria-label="Product counts" hx-swap-oob="true">' in fragment.content
    assert b"Blue Mug" in fragment.content and b"Red Plate" not in fragment.content
    history = client.get("/products/", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert b"<html" in history.content


def test_list_filters(client: Client, viewer) -> None:
    north, south = MarketFactory(slug="north"), MarketFactory(slug="south")
    cups, plates = CategoryFactory(slug="cups"), CategoryFactory(slug="plates")
    gift = TagFactory(slug="gift")
    ProductFactory(name="P north cup", market=north, category=cups, tags=[gift])
    ProductFactory(name="P north plate", market=north, category=plates, active=False)
    ProductFactory(name="P south cup", market=south, category=cups, stock=0)
    ProductFactory(name="P south plate", market=south, category=plates, sku="ODD-1")
    _signed_in(client, viewer)

    def names(query: str) -> list[str]:
        response = client.get(f"/products/?{query}", headers=HTMX)
        assert response.status_code == 200
        return re.findall(r">(P [a-z ]+)<", response.content.decode())

    every = ["P north cup", "P north plate", "P south cup", "P south plate"]
    assert names("") == every
    assert names("market=north") == ["P north cup", "P north plate"]
    assert names("category=cups") == ["P north cup", "P south cup"]
    assert names("tag=gift") == ["P north cup"]
    assert names("active=yes") == ["P north cup", "P south cup", "P south plate"]
    assert names("active=no") == ["P north plate"]
    assert names("in_stock=no") == ["P south cup"]
    assert names("in_stock=yes&market=south") == ["P south plate"]
    assert names("q=odd") == ["P south plate"]
    assert names("q=south+cup") == ["P south cup"]
    assert names("market=north&active=yes&category=cups&tag=gift&in_stock=yes") == ["P north cup"]


def test_list_sorts(client: Client, viewer) -> None:
    ProductFactory(name="P cheap", price=Decimal("1.00"), stock=9)
    ProductFactory(name="P dear", price=Decimal("99.00"), stock=1)
    ProductFactory(name="P mid", price=Decimal("10.00"), stock=5)
    _signed_in(client, viewer)

    def names(query: str) -> list[str]:
        return re.findall(r">(P [a-z]+)<", client.get(f"/products/?{query}").content.decode())

    assert names("") == ["P cheap", "P dear", "P mid"]
    assert names("sort=-price") == ["P dear", "P mid", "P cheap"]
    assert names("sort=stock") == ["P dear", "P mid", "P cheap"]
    assert names("sort=-name") == ["P mid", "P dear", "P cheap"]
    assert (
        'name="sort" form="filters" value="-price"'
        in client.get("/products/?sort=-price").content.decode()
    )


def test_list_paginates(client: Client, viewer) -> None:
    ProductFactory.create_batch(30)
    _signed_in(client, viewer)
    first = client.get("/products/").content.decode()
    assert ">Next</a>" in first and ">Previous</a>" not in first
    # No COUNT(*): the total is not known before the last page.
    assert "Page 1 · rows 1&ndash;25</span>" in first
    second = client.get("/products/?page=2").content.decode()
    assert ">Previous</a>" in second and ">Next</a>" not in second
    assert "Page 2 of 2 · rows 26&ndash;30 of 30</span>" in second


@pytest.mark.parametrize("query", ["active=maybe", "market=nowhere", "tag=nothing"])
def test_an_invalid_filter_value_shows_no_rows_and_says_why(
    client: Client, viewer, query: str
) -> None:
    ProductFactory(name="Oak Table")
    content = _signed_in(client, viewer).get(f"/products/?{query}").content.decode()
    assert "data-filter-errors" in content
    assert "Select a valid choice." in content
    assert "Oak Table" not in content


def test_bulk_activate_reports_per_row(client: Client, manager) -> None:
    off = ProductFactory(name="Oak Table", active=False)
    on = ProductFactory(name="Pine Chair")
    response = _signed_in(client, manager).post(
        "/products/bulk/?active=yes",
        {"action": "activate", "ids": [off.pk, on.pk]},
        headers=HTMX,
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert b"<html" not in response.content
    assert "<strong>Activate</strong>:" in content
    assert "done for <span data-done>Oak Table</span>." in content
    assert "<li data-skipped><strong>Pine Chair</strong>: already active</li>" in content
    # The fragment is the list as filtered (active=yes): both rows now.
    assert content.count(status_pill("active", "Active")) == 2
    toasts = json.loads(response["HX-Trigger"])["messages"]["items"]
    assert [t["text"] for t in toasts] == ["Activate: 1 done.", "Activate: 1 skipped."]
    off.refresh_from_db()
    assert off.active
    assert Event.objects.get().name == "product_activated"


def test_bulk_deactivate_without_htmx_redirects_back_with_the_report(
    client: Client, manager
) -> None:
    on = ProductFactory(name="Oak Table")
    off = ProductFactory(name="Pine Chair", active=False)
    _signed_in(client, manager)
    response = client.post(
        "/products/bulk/?market=x&q=table", {"action": "deactivate", "ids": [on.pk, off.pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == "/products/?market=x&q=table"
    page = client.get("/products/").content.decode()
    assert "Deactivate: 1 done." in page
    assert "Pine Chair: already inactive" in page
    on.refresh_from_db()
    assert not on.active


@pytest.mark.parametrize("role", ["viewer", "agent", "finance"])
def test_bulk_by_a_role_without_change_is_403_and_changes_nothing(
    client: Client, request, role: str
) -> None:
    product = ProductFactory(active=False)
    _signed_in(client, request.getfixturevalue(role))
    for headers in ({}, HTMX):
        response = client.post(
            "/products/bulk/", {"action": "activate", "ids": [product.pk]}, headers=headers
        )
        assert response.status_code == 403
    product.refresh_from_db()
    assert not product.active
    assert not Event.objects.exists()


def test_bulk_only_accepts_post(client: Client, manager) -> None:
    assert _signed_in(client, manager).get("/products/bulk/").status_code == 405


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "activate"}, "Select at least one product first."),
        (
            {"action": "delete", "ids": ["1"]},
            "Choose Activate or Deactivate for the selected products.",
        ),
        ({"action": "activate", "ids": ["x"]}, "The selection is not valid; reload the page."),
    ],
)
def test_bulk_with_bad_input_says_why(client: Client, manager, data, message: str) -> None:
    response = _signed_in(client, manager).post("/products/bulk/", data, headers=HTMX)
    assert response.status_code == 422
    assert json.loads(response["HX-Trigger"])["messages"]["items"][0]["text"] == message


def test_csrf_is_enforced(manager) -> None:
    product = ProductFactory(active=False)
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    response = client.post(
        "/products/bulk/", {"action": "activate", "ids": [product.pk]}, headers=HTMX
    )
    assert response.status_code == 403
    product.refresh_from_db()
    assert not product.active
    # With the token the page renders, the same post goes through.
    page = client.get("/products/").content.decode()
    token = re.search(r'"x-csrftoken": "([^"]+)"', page)
    assert token
    response = client.post(
        "/products/bulk/",
        {"action": "activate", "ids": [product.pk]},
        headers={**HTMX, "X-CSRFToken": token.group(1)},
    )
    assert response.status_code == 200
    product.refresh_from_db()
    assert product.active


def _count_queries(client: Client, url: str, **headers: str) -> int:
    client.get(url, headers=headers)  # warm: last_active write, cached sidebar
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, headers=headers).status_code == 200
    return len(captured)


def _catalog(rows: int) -> str:
    """``rows`` products over three markets, categories and up to three tags each.

    Returns a query string of filters that match some of them whatever ``rows``.
    """
    markets = MarketFactory.create_batch(3)
    categories = CategoryFactory.create_batch(3)
    tags = TagFactory.create_batch(4)
    for number in range(rows):
        ProductFactory(
            market=markets[number % 3],
            category=categories[number % 3],
            stock=number % 4,
            active=bool(number % 5),
            tags=tags[: number % 4],
        )
    # Product 1 (and every 12th after it) is in market 1, category 1, tagged with tag 0.
    return (
        f"q=&market={markets[1].slug}&category={categories[1].slug}&tag={tags[0].slug}"
        "&active=yes&in_stock=yes"
    )


# Page: session, user, the user's and groups' permissions (2), no row count,
# page of rows with market and category (one JOIN), the page's tags (one
# prefetch), the Category and Tag choices of the filter form (2: markets are an
# autocomplete, none is listed), and the user's saved views of the list (1).
LIST_BUDGET = 9
# A filtered page also looks up the chosen market, category and tag (3).
FILTERED_BUDGET = LIST_BUDGET + 3
assert budget_of(views.product_list) == FILTERED_BUDGET
# An htmx swap renders no filter form: session, user, permissions (2), rows, tags.
FRAGMENT_BUDGET = 6


@pytest.mark.parametrize("rows", [5, 200])
def test_list_query_budget_is_flat(client: Client, manager, rows: int) -> None:
    filters = _catalog(rows)
    _signed_in(client, manager)
    assert _count_queries(client, "/products/") == LIST_BUDGET
    assert _count_queries(client, "/products/?sort=-price&page=1") == LIST_BUDGET
    assert _count_queries(client, f"/products/?{filters}&sort=market") == FILTERED_BUDGET
    assert _count_queries(client, "/products/?active=no&sort=-stock", **HTMX) == FRAGMENT_BUDGET
    # The filtered page was not an empty one (which would skip the rows' queries).
    assert b'data-status="active"' in client.get(f"/products/?{filters}").content


def test_pages_never_repeat_or_skip_rows_when_sort_values_tie(client: Client, manager) -> None:
    products = ProductFactory.create_batch(30, name="Same", price=Decimal("5.00"))
    _signed_in(client, manager)  # rows carry their id in the checkbox
    for sort in ("name", "-price", "market", "-active"):
        seen = []
        for page in (1, 2):
            content = client.get(f"/products/?sort={sort}&page={page}").content.decode()
            seen += re.findall(r'name="ids" value="(\d+)"', content)
        assert sorted(map(int, seen)) == sorted(p.pk for p in products), sort


def test_sidebar_counts_are_fresh_after_a_bulk_activate(
    client: Client, manager, django_capture_on_commit_callbacks
) -> None:
    products = ProductFactory.create_batch(3, active=False)
    _signed_in(client, manager)

    def count(key: str) -> str:
        content = client.get("/products/").content.decode()
        match = re.search(
            rf'data-status-count="{key}">\s*\w[\w ]* <span[^>]*data-count>(\d+)<', content
        )
        assert match
        return match.group(1)

    assert (count("active"), count("inactive")) == ("0", "3")
    # Now served from the fragment cache: a change behind the services' back is not seen.
    Product.objects.filter(pk=products[0].pk).update(active=True)
    assert count("active") == "0"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/products/bulk/", {"action": "activate", "ids": [p.pk for p in products]}, headers=HTMX
        )
    # The htmx response carries the sidebar out of band. (Its numbers are the
    # fresh ones when the service has committed before the render, as it
    # does outside tests: the browser test checks that.)
    assert b'<nav id="sidebar" aria-label="Product counts" hx-swap-oob="true">' in response.content
    assert (count("active"), count("inactive"), count("all")) == ("3", "0", "3")


def test_sidebar_is_cached(client: Client, manager) -> None:
    ProductFactory()
    _signed_in(client, manager)
    client.get("/products/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/products/")
    assert not [q for q in captured if "count_out_of_stock" in q["sql"]]


def test_sidebar_links_filter(client: Client, viewer) -> None:
    ProductFactory(stock=0)
    content = _signed_in(client, viewer).get("/products/").content.decode()
    for key, href in [
        ("all", "/products/"),
        ("active", "/products/?active=yes"),
        ("inactive", "/products/?active=no"),
        ("out_of_stock", "/products/?in_stock=no"),
    ]:
        assert f'href="{href}" data-status-count="{key}"' in content
    assert re.search(
        r'data-status-count="out_of_stock">\s*Out of stock <span[^>]*data-count>1<', content
    )
