"""Hostile input gets a clear 4xx and changes nothing, on every database (issue 12).

One shared place each: ``console.middleware.RejectNulMiddleware`` (a NUL byte
anywhere), ``apps.core.text.search_words`` (searches), and
``apps.core.web.lists.paginate`` (``per_page``, ``page``, ``sort``). CI runs
these on PostgreSQL too, where a NUL byte in a query was a 500.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.activity.models import Event
from apps.catalog.tests.factories import ProductFactory
from apps.markets.models import Market, MarketStatus
from apps.markets.tests.factories import MarketFactory
from apps.orders.models import Order, OrderStatus
from apps.orders.tests.factories import CartFactory, OrderFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
LISTS = ["/markets/", "/orders/", "/products/", "/activity/", "/carts/"]


def _signed_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


# --- NUL bytes ------------------------------------------------------------------------


def _refused(response) -> None:
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/palette/?q=ab%00c",
        "/markets/?q=%00",
        "/markets/?status=%00",
        "/orders/?market=1%00",
        "/orders/export.csv?q=%00",
        "/orders/ORD-%00/",
        "/orders/%00/transitions/charge/",
        "/activity/?%00=1",
        "/accounts/login/?next=/%00",
    ],
)
def test_a_nul_byte_in_the_url_is_a_400_with_a_message(client: Client, superuser, url) -> None:
    _refused(_signed_in(client, superuser).get(url))


def test_a_nul_byte_is_refused_even_before_sign_in(client: Client, db) -> None:
    _refused(client.get("/orders/%00/"))


def test_a_nul_byte_in_a_transition_field_changes_nothing(client: Client, superuser) -> None:
    order = OrderFactory(status=OrderStatus.PAID)
    market = MarketFactory(status=MarketStatus.ACTIVE)
    _signed_in(client, superuser)
    _refused(
        client.post(f"/orders/{order.number}/transitions/ship/", {"tracking_number": "TRACK\x00"})
    )
    _refused(client.post(f"/markets/{market.slug}/transitions/suspend/", {"reason": "Fraud\x00"}))
    _refused(client.post("/markets/bulk/", {"action": "publish", "ids\x00": "1"}))
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert Market.objects.get(pk=market.pk).status == MarketStatus.ACTIVE
    assert not Event.objects.exists()


def test_a_nul_byte_in_a_form_field_changes_nothing(client: Client, manager) -> None:
    market = MarketFactory(name="Alpha")
    _signed_in(client, manager)
    _refused(client.post("/markets/new/", {"name": "Beta\x00", "currency": "EUR"}))
    _refused(
        client.post(
            f"/markets/{market.slug}/edit/",
            {"name": "Gamma", "currency": "EUR", "version": "1\x00"},
        )
    )
    assert list(Market.objects.values_list("name", flat=True)) == ["Alpha"]


def test_with_htmx_the_refusal_is_also_a_toast(client: Client, manager) -> None:
    response = _signed_in(client, manager).get("/palette/?q=%00", headers=HTMX)
    _refused(response)
    toast = json.loads(response["HX-Trigger"])["messages"]["items"][0]
    assert toast["level"] == "error"
    assert "NUL character" in toast["text"]


def test_a_nul_byte_in_the_page_htmx_says_the_user_is_on_is_refused(
    client: Client, manager
) -> None:
    market = MarketFactory(status=MarketStatus.ACTIVE)
    response = _signed_in(client, manager).post(
        f"/markets/{market.slug}/transitions/publish/",
        headers={**HTMX, "HX-Current-URL": "http://testserver/palette/?q=%00"},
    )
    _refused(response)


# --- per_page and page ----------------------------------------------------------------


def _rows(content: bytes) -> int:
    return len(re.findall(rb"<tr[ >]", content)) - 1  # less the header row


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    "per_page", ["-1", "0", "7", "100000000", "abc", "", "1e3", "9" * 5000, "50.0"]
)
def test_an_invalid_per_page_falls_back_to_the_default(
    client: Client, superuser, url: str, per_page: str
) -> None:
    response = _signed_in(client, superuser).get(url, {"per_page": per_page})
    assert response.status_code == 200
    assert f"per_page={per_page}".encode() not in response.content


def test_per_page_takes_only_the_fixed_sizes(client: Client, viewer) -> None:
    MarketFactory.create_batch(120)
    _signed_in(client, viewer)
    assert _rows(client.get("/markets/").content) == 25
    for size in (25, 50, 100):
        assert _rows(client.get("/markets/", {"per_page": size}).content) == size
    for refused in ("-1", "100000000", "120", "abc"):
        assert _rows(client.get("/markets/", {"per_page": refused}).content) == 25


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("page", ["abc", "-1", "0", "2", "10" + "0" * 30, "9" * 5000, "1.5"])
def test_any_page_number_shows_a_page(client: Client, superuser, url: str, page: str) -> None:
    MarketFactory.create_batch(3)
    assert _signed_in(client, superuser).get(url, {"page": page}).status_code == 200


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("sort", ["nonsense", "-", "--name", "pk__gt", "x" * 10_000])
def test_an_unknown_sort_is_ignored(client: Client, superuser, url: str, sort: str) -> None:
    assert _signed_in(client, superuser).get(url, {"sort": sort}).status_code == 200


# --- Searches ------------------------------------------------------------------------


HUGE_SEARCH = " ".join(f"word{n}" for n in range(5_000))  # about 44 KB


@pytest.mark.parametrize("url", [*LISTS, "/palette/", "/orders/export.csv"])
def test_a_huge_search_is_cut_and_answers_quickly(client: Client, superuser, url: str) -> None:
    MarketFactory.create_batch(3)
    _signed_in(client, superuser)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"q": HUGE_SEARCH})
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    assert time.perf_counter() - started < 5
    # At most ten words, each a handful of LIKEs, in a query or two.
    likes = sum(query["sql"].upper().count(" LIKE ") for query in captured)
    assert likes <= 60


def test_only_the_first_ten_words_of_a_search_count(client: Client, viewer) -> None:
    MarketFactory(name="Alpha Books")
    _signed_in(client, viewer)
    ten = "alpha " * 9 + "books"
    assert b">Alpha Books<" in client.get("/markets/", {"q": ten}).content
    # An eleventh word that matches nothing is not searched for.
    assert b">Alpha Books<" in client.get("/markets/", {"q": ten + " zzz"}).content
    assert b">Alpha Books<" not in client.get("/markets/", {"q": "alpha zzz"}).content


def test_a_search_of_many_words_is_one_query(client: Client, viewer) -> None:
    ProductFactory(name="Blue tea cup")
    _signed_in(client, viewer)
    client.get("/products/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/products/", {"q": "blue tea cup"})
    assert b"Blue tea cup" in response.content
    (rows,) = [q["sql"] for q in captured if "LIKE" in q["sql"] and "LIMIT" in q["sql"]]
    assert rows.upper().count(" LIKE ") == 6  # 3 words, each in the name or the SKU


def test_the_search_box_says_its_limit(client: Client, viewer) -> None:
    content = _signed_in(client, viewer).get("/markets/").content.decode()
    assert re.search(r'<input[^>]*name="q"[^>]*maxlength="200"', content)


# --- Other URL parts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "on_get", "on_post"),
    [
        ("/carts/99999999999999999999999/", 404, 405),
        ("/carts/99999999999999999999999/place/", 405, 404),
        # A job that does not exist: the page says so (a message) and goes back.
        ("/activity/failed-work/99999999999999999999999/retry/", 405, 302),
        ("/orders/" + "X" * 10_000 + "/", 404, 405),
        ("/markets/" + "x" * 10_000 + "/", 404, 405),
        ("/markets/a/transitions/" + "x" * 1000 + "/", 405, 404),
    ],
)
def test_a_huge_or_unknown_url_part_is_refused(
    client: Client, superuser, url: str, on_get: int, on_post: int
) -> None:
    CartFactory()
    _signed_in(client, superuser)
    assert client.get(url).status_code == on_get
    assert client.post(url).status_code == on_post
    assert not Event.objects.exists()
