"""Every list's table renders its rows in one pass (``ConsoleTable.body_rows``)
exactly as django-tables2's own per-cell loop would have: same cells, same
``<td>`` attributes, in the same order."""

from __future__ import annotations

import re
from typing import Any

import django_tables2 as tables
import pytest
from django.utils import timezone
from django.utils.html import conditional_escape

from apps.activity.models import Event
from apps.activity.selectors import events
from apps.activity.tables import EventTable
from apps.catalog.selectors import products_for_list
from apps.catalog.tables import ProductTable
from apps.catalog.tests.factories import ProductFactory
from apps.core.web.tables import ConsoleTable
from apps.markets import services as market_services
from apps.markets.models import Market
from apps.markets.tables import MarketTable
from apps.markets.tests.factories import MarketFactory
from apps.orders.selectors import carts_for_list, orders_for_list
from apps.orders.tables import CartTable, OrderTable
from apps.orders.tests.factories import CartFactory, CartItemFactory, OrderFactory

pytestmark = pytest.mark.django_db


def _django_tables2_rows(table: tables.Table) -> list[str]:
    """The rows as django-tables2's ``BoundRow.items()`` renders them."""
    rows = []
    for row in table.paginated_rows:
        cells = "".join(
            f"<td{' ' if column.attrs['td'].as_html() else ''}{column.attrs['td'].as_html()}>"
            f"{conditional_escape(cell)}</td>"  # as the template's {{ cell }}
            for column, cell in row.items()
        )
        rows.append(f"<tr>{cells}</tr>")  # less the unstyled even/odd classes
    return rows


def _compare(table_class: type[ConsoleTable], data: Any) -> list[str]:
    table = table_class(data)
    table.paginate(per_page=25)
    ours = [str(row) for row in table.body_rows()]
    assert ours == _django_tables2_rows(table)
    assert ours, "no rows to compare"
    return ours


def test_orders_carts_markets_and_products_render_as_django_tables2_would(manager) -> None:
    market = MarketFactory(name="Nordic <Crafts>", status="active")
    OrderFactory(market=market, customer_name="Ada & Bea")
    OrderFactory(market=market, status="paid")
    product = ProductFactory(market=market, name="Teapot", stock=0)
    ProductFactory(market=market, name="Lamp")
    CartItemFactory(cart=CartFactory(market=market), product=product)
    rows = _compare(OrderTable, orders_for_list())
    assert "Ada &amp; Bea" in "".join(rows) and "Nordic &lt;Crafts&gt;" in "".join(rows)
    _compare(CartTable, carts_for_list())
    _compare(MarketTable, Market.objects.order_by("name"))
    rows = _compare(ProductTable, products_for_list())
    assert "data-out-of-stock" in "".join(rows)


def test_activity_subject_and_change_render_without_a_template_per_cell(manager) -> None:
    market = market_services.create_market(
        actor=manager, name="Old <name>", currency="EUR", description="d"
    )
    market_services.publish_market(actor=manager, market_id=market.pk)
    market_services.suspend_market(actor=manager, market_id=market.pk, reason="Too <loud>")
    Event.objects.create(
        context="markets", name="market_edited", aggregate_type="market",
        aggregate_id=market.pk, aggregate_label="Old <name>", occurred_at=timezone.now(),
        payload={"changed": {"name": {"old": "Old <name>", "new": "New"}}},
    )  # fmt: skip
    table = EventTable(events().newest_first())
    table.paginate(per_page=25)
    html = "".join(str(row) for row in table.body_rows())
    assert f'<a href="{market.get_absolute_url()}">Old &lt;name&gt;</a>' in html
    assert "Reason: <q>Too &lt;loud&gt;</q>" in html
    assert "Active → Suspended" in html
    assert re.search(
        r'<span data-changed-field="name">name from <q data-old>Old &lt;name&gt;</q> to '
        r"<q data-new>New</q></span>",
        html,
    )
    assert html.count("<td>System</td>") == 1  # only the edit made here has no actor


def test_per_record_attributes_are_refused() -> None:
    class Table(ConsoleTable):
        name = tables.Column(attrs={"td": {"data-x": lambda record: record.pk}})

        class Meta:
            model = Market

    MarketFactory()
    table = Table(Market.objects.all())
    with pytest.raises(TypeError, match="per-record attrs"):
        table.body_rows()


# --- The cells' fast paths give what django-tables2 and Django would --------


def test_a_rows_bulk_actions_are_its_states_transitions_in_every_state() -> None:
    from apps.core.transitions import names_from_state
    from apps.core.web.tables import _actions_from_state
    from apps.markets.models import MarketStatus
    from apps.orders.models import Order, OrderStatus

    for model, states in ((Order, OrderStatus.values), (Market, MarketStatus.values)):
        for state in states:
            record = model(status=state)
            assert _actions_from_state(record) == tuple(names_from_state(record)), state
    assert _actions_from_state(Order(status="pending")) == ("charge", "cancel")
    assert _actions_from_state(Order(status="paid")) == ("ship", "refund")


@pytest.mark.parametrize(
    "format",
    ["Y-m-d H:i", "Y-m-d H:i:s", "d/m/Y", "H:i {Y}", "D, d M Y", r"Y\h", "j.n.y", "Ymd"],
)
def test_timestamps_read_as_djangos_date_format_would(format: str) -> None:
    from django.utils import dateformat

    from apps.core.web.tables import TimestampColumn

    column = TimestampColumn(format=format)
    for moment in (
        timezone.now(),
        timezone.make_aware(timezone.datetime(999, 1, 2, 3, 4, 5)),
        timezone.make_aware(timezone.datetime(2026, 12, 31, 23, 59, 59)),
    ):
        expected = dateformat.format(timezone.localtime(moment), format)
        assert column.render(moment) == expected


def test_numeric_formats_skip_djangos_date_formatter() -> None:
    from apps.core.web.tables import _numeric_pattern

    assert (
        _numeric_pattern("Y-m-d H:i")
        == "{0.year:04d}-{0.month:02d}-{0.day:02d} {0.hour:02d}:{0.minute:02d}"
    )
    assert _numeric_pattern("H:i:s") == "{0.hour:02d}:{0.minute:02d}:{0.second:02d}"
    assert _numeric_pattern("D, d M Y") is None and _numeric_pattern(r"Y\h") is None


def test_a_choice_is_displayed_as_the_models_own_display_method_would() -> None:
    from apps.core.web.tables import display_of
    from apps.orders.models import Order, OrderStatus

    for state, label in OrderStatus.choices:
        assert (
            display_of(Order(status=state), "status")
            == label
            == Order(status=state).get_status_display()
        )
    assert display_of(Order(status="made-up"), "status") == "made-up"
    product = ProductFactory(active=False)
    assert display_of(product, "status") == product.get_status_display()


def test_links_with_their_own_attributes_render_as_django_tables2_would() -> None:
    class Linked(ConsoleTable):
        name = tables.Column(linkify=True, attrs={"a": {"class": "fw-bold", "data-x": "1"}})
        slug = tables.Column(linkify=("markets:detail", {"slug": tables.A("slug")}))

        class Meta:
            model = Market
            fields = ("name", "slug")

    MarketFactory(name="A <b>")
    rows = _compare(Linked, Market.objects.order_by("name"))
    assert '<a class="fw-bold" data-x="1" href="/markets/' in rows[0]


def test_the_header_marks_the_sort_and_links_each_column_with_the_query_kept(
    client, superuser
) -> None:
    OrderFactory()
    client.force_login(superuser)
    html = client.get("/orders/?q=a%26b&sort=-total").content.decode()
    head = html[html.index("<thead") : html.index("</thead>")]
    assert (
        '<th class="desc orderable" scope="col" aria-sort="descending">'
        '<a class="table-sort desc" href="?q=a%26b&amp;sort=total">Total</a></th>'
    ) in head
    assert (
        '<th class="orderable" scope="col">'
        '<a class="table-sort" href="?q=a%26b&amp;sort=number">Order</a></th>'
    ) in head
    assert '<th scope="col"><span class="visually-hidden">Select</span></th>' in head
    assert head.count("aria-sort") == 1
    ascending = client.get("/markets/").content.decode()
    assert (
        'aria-sort="ascending"><a class="table-sort asc" href="?sort=-name">Name</a>' in ascending
    )


def test_a_cell_escapes_text_and_keeps_markup_marked_safe() -> None:
    from django.utils.functional import lazy
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    from apps.core.web.tables import escaped

    lazy_text = lazy(lambda: "<i>&", str)()
    for value in ("<b>\"'&", mark_safe("<b>ok</b>"), 5, None, lazy_text, "plain"):
        assert escaped(value) == str(conditional_escape(value))
