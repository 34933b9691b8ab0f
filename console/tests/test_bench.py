"""``make bench`` still runs: its code on a tiny data set (the timings mean nothing here).

The benchmark itself (benchmarks/, docs/performance.md) is not part of
``make test``; this keeps it from rotting as pages and the admin change.
"""

from __future__ import annotations

import pytest

from apps.orders.models import Order
from benchmarks import report, versus_admin
from benchmarks.admin import admin_per_page
from console import demo_scale

ORDERS = 40


@pytest.fixture
def bench_data(settings, manager, agent, finance):
    settings.ROOT_URLCONF = "benchmarks.urls"
    actors = {"manager": manager, "agent": agent, "finance": finance}
    demo_scale.seed_scale(orders=ORDERS, seed=1, actors=actors, write=lambda _: None)


@pytest.mark.django_db
def test_every_page_answers_on_both_sides_and_the_report_has_a_row_each(bench_data) -> None:
    results = versus_admin.run(ORDERS, repeats=1, log=lambda _: None)

    assert [r.page.name for r in results] == [p.name for p in versus_admin.pages(ORDERS)]
    for result in results:
        assert result.console.status == 200 and len(result.console.timings) == 1
        if result.admin is not None:
            assert result.admin.status == 200 and result.admin.queries > 0
    # The admin shows as many orders per page as the console.
    assert admin_per_page(Order) == versus_admin.ORDERS_PER_PAGE
    # Plans of the list and search queries, on both sides.
    searched = next(r for r in results if r.page.name == "search by email")
    assert searched.console.explains and searched.admin and searched.admin.explains

    counts = {r.page.name: {"console": r.console.queries} for r in results}
    context = report.Context(
        when="now", machine="here", database="db", django="6", orders=ORDERS, small=ORDERS,
        repeats=1, seeded="seeded", minutes=0.1, vendor="sqlite",
    )  # fmt: skip
    text = report.markdown(results, counts, [], context)
    assert text.count("\n| ") == len(results) + 1  # header and one row per page
    assert "EXPLAIN" in text


def test_a_marked_region_is_rewritten_and_the_rest_kept(tmp_path) -> None:
    path = tmp_path / "performance.md"
    path.write_text("# Performance\n\nkept\n")
    context = report.Context(
        when="now", machine="here", database="db", django="6", orders=1, small=1, repeats=1,
        seeded="seeded", minutes=0.1, vendor="sqlite",
    )  # fmt: skip
    report.update_performance_md(path, [], {}, context)
    report.update_performance_md(path, [], {}, context)
    text = path.read_text()
    assert text.startswith("# Performance\n\nkept\n")
    assert text.count("<!-- bench:sqlite:start -->") == 1


def test_the_profiles_go_to_the_worst_page_against_the_admin_and_the_worst_other() -> None:
    def result(name: str, console: float, admin: float | None) -> versus_admin.Result:
        page = versus_admin.Page(name, "/", "/admin/" if admin else None)
        return versus_admin.Result(
            page,
            versus_admin.Side(timings=[console]),
            versus_admin.Side(timings=[admin]) if admin else None,
        )

    results = [
        result("orders list", 30, 10),  # 3x
        result("products list", 40, 10),  # 4x: the worst against the admin
        result("order detail", 1, 10),  # met
        result("dashboard, cached", 4, None),  # 2x its 2 ms
        result("dashboard, not cached", 100, None),  # 5x its 20 ms: the worst other
    ]
    assert [r.page.name for r in report.worst(results, 2)] == [
        "products list",
        "dashboard, not cached",
    ]


@pytest.mark.django_db
def test_a_data_set_seeded_with_six_letter_numbers_is_still_benchmarked(bench_data) -> None:
    """A BENCH_DB seeded before the scale numbers had seven letters is reused
    as it is: the pages are those of the same order, by its address."""
    index = ORDERS // 2
    order = Order.objects.get(number=demo_scale.order_number(index))
    Order.objects.filter(pk=order.pk).update(number="ORD-B7E8CJ")

    pages = {page.name: page for page in versus_admin.pages(ORDERS)}

    assert pages["search by number"].console == "/orders/?q=ORD-B7E8CJ"
    assert pages["order detail"].admin == f"/admin/orders/order/{order.pk}/change/"
