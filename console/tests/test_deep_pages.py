"""A page past the first reads its keys first, then its rows by key
(``KeyedRows``, ``page_keys`` in apps/core/web/lists.py), on the lists'
own querysets. Here, not in apps/core/tests: the shared kernel's tests
import no context (import-linter)."""

from __future__ import annotations

import pytest


def _ids(queryset) -> list[int]:
    return [row.pk for row in queryset]


@pytest.mark.django_db
def test_a_page_of_keys_is_the_page_the_plain_slice_gives(manager) -> None:
    from django.db.models import F

    from apps.core.web.lists import page_keys
    from apps.markets.tests.factories import MarketFactory
    from apps.orders.selectors import orders_for_list
    from apps.orders.tests.factories import OrderFactory

    markets = [MarketFactory(name=name) for name in ("Beta", "Alpha", "Gamma")]
    for n in range(30):
        OrderFactory(market=markets[n % 3], status=("pending", "paid")[n % 2], total=n % 7)
    lists = orders_for_list()
    querysets = [
        lists.order_by("-placed_at", "-pk"),
        lists.order_by("-total", "-pk"),
        lists.order_by("market_name", "pk"),
        lists.filter(status="paid").order_by("total", "pk"),
        lists.filter(market__slug=markets[0].slug).order_by("-pk"),
        lists.filter(market_status="draft").order_by("-pk"),
        lists.search("ORD").order_by("-placed_at", "-pk"),
        lists.annotate(doubled=F("total") * 2).order_by("-doubled", "pk"),
    ]
    for queryset in querysets:
        for window in (slice(5, 11), slice(10, 40), slice(28, 31)):
            keyed = queryset.filter(pk__in=page_keys(queryset)[window])
            assert _ids(keyed) == _ids(queryset[window]), (str(queryset.query), window)


@pytest.mark.django_db
def test_the_keys_leave_out_joins_only_the_rows_need() -> None:
    from django.db.models import F

    from apps.core.web.lists import page_keys
    from apps.markets.models import Market
    from apps.orders.selectors import orders_for_list

    lists = orders_for_list()

    def sql(queryset) -> str:
        return str(page_keys(queryset)[25:51].query)

    assert "JOIN" in str(lists.values("pk").query)  # the market's details
    assert "JOIN" not in sql(lists.order_by("-placed_at", "-pk"))
    assert "JOIN" not in sql(lists.filter(status="paid").order_by("-total", "-pk"))
    # Read by the sort or a filter: kept.
    assert "JOIN" in sql(lists.order_by("market_name", "pk"))
    assert "JOIN" in sql(lists.filter(market__slug="x").order_by("-pk"))
    assert "JOIN" in sql(lists.filter(market_status="active").order_by("-pk"))
    # A join that may drop rows (a foreign key that may be null) is kept.
    creators = Market.objects.annotate(creator=F("created_by__username")).order_by("pk")
    assert "JOIN" in sql(creators)


@pytest.mark.django_db
def test_a_deep_page_of_the_list_reads_its_rows_by_their_keys(client, superuser) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.orders.tests.factories import OrderFactory

    orders = [OrderFactory() for _ in range(30)]
    client.force_login(superuser)
    client.get("/orders/?sort=placed_at")  # the caches (sidebar, navigation) filled
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/orders/?page=2&sort=placed_at")
    assert response.status_code == 200
    shown = [order.number for order in orders[25:]]
    html = response.content.decode()
    assert all(number in html for number in shown)
    assert not any(order.number in html for order in orders[:25])
    rows = [q["sql"] for q in queries.captured_queries if 'FROM "orders_order"' in q["sql"]]
    assert any(" IN (SELECT " in sql for sql in rows)
    with CaptureQueriesContext(connection) as first:
        client.get("/orders/?sort=placed_at")
    assert len(first.captured_queries) == len(queries.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["exists", "subquery", "transform"])
def test_a_join_read_through_a_subquery_or_a_transform_is_kept(case: str) -> None:
    """A subquery's ``OuterRef`` to an annotation holds no reference to its
    join, and ``market_name__lower`` is not the name ``market_name``: the
    keys' query dropped the join under them (``no such column``)."""
    from django.db.models import CharField, Exists, OuterRef, Subquery
    from django.db.models.functions import Lower
    from django.test.utils import register_lookup

    from apps.core.web.lists import page_keys
    from apps.markets.models import Market
    from apps.markets.tests.factories import MarketFactory
    from apps.orders.selectors import orders_for_list
    from apps.orders.tests.factories import OrderFactory

    markets = [MarketFactory(name=name) for name in ("Beta", "Alpha", "Gamma")]
    for n in range(12):
        OrderFactory(market=markets[n % 3])
    lists = orders_for_list()
    same_name = Market.objects.filter(name=OuterRef("market_name"))
    with register_lookup(CharField, Lower):
        if case == "exists":
            queryset = lists.filter(Exists(same_name.filter(name__startswith="A"))).order_by("-pk")
        elif case == "subquery":
            slugs = Subquery(same_name.values("slug")[:1])
            queryset = lists.annotate(slug=slugs).order_by("slug", "-pk")
        else:
            queryset = lists.order_by("market_name__lower", "-pk")
        keyed = queryset.filter(pk__in=page_keys(queryset)[2:6])
        assert _ids(keyed) == _ids(queryset[2:6])
