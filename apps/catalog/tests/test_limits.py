"""Catalog input at its limits, on every database, and what the timeline records.

SQLite ignores column lengths and numeric precision; PostgreSQL refuses a
value that does not fit (a DataError, a 500). The services check first and
say which field is wrong; these tests run on both (CI runs PostgreSQL too).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.dispatch import receiver

from apps.activity.models import Event
from apps.catalog import services, signals
from apps.catalog.models import Category, Product, Tag
from apps.core.errors import InvalidInput
from apps.core.events import events_recorded
from apps.core.tests.conventions import assert_keyword_only
from apps.markets.tests.factories import MarketFactory

from .factories import CategoryFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_the_models_match_their_migrations() -> None:
    """Field lengths, constraints and indexes are what the database has."""
    call_command("makemigrations", "catalog", "--check", "--dry-run", verbosity=0)


def _create(actor: Any, **overrides: Any) -> Product:
    arguments: dict[str, Any] = {
        "market_id": overrides.pop("market_id", None) or MarketFactory().pk,
        "category_id": overrides.pop("category_id", None) or CategoryFactory().pk,
        "name": "Oak Table",
        "sku": "OAK-1",
        "price": Decimal("120.00"),
        "stock": 4,
    }
    return services.create_product(actor=actor, **{**arguments, **overrides})


@pytest.mark.parametrize(
    ("price", "saved"),
    [("0", "0.00"), ("0.01", "0.01"), (" 2.5 ", "2.50"), ("9999999999.99", "9999999999.99")],
)
def test_prices_from_zero_to_the_column_maximum_are_saved(manager, price: str, saved: str) -> None:
    product = _create(manager, price=price)
    assert Product.objects.get(pk=product.pk).price == Decimal(saved)


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("-0.01", "A price cannot be negative."),
        ("-1", "A price cannot be negative."),
        ("10000000000.00", "That price is too large."),
        ("1.005", "A price has at most two decimals."),
        ("twelve", "“twelve” is not a price."),
        ("NaN", "“NaN” is not a price."),
        ("Infinity", "“Infinity” is not a price."),
    ],
)
def test_a_price_out_of_range_is_refused_with_a_message(manager, price: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=f"^{message}$") as refused:
        _create(manager, price=price)
    assert refused.value.field == "price"
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("stock", "message"),
    [(-1, "Stock cannot be negative."), (True, "Stock is a whole number."), ("3", "whole")],
)
def test_stock_must_be_a_whole_number_of_zero_or_more(manager, stock: Any, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        _create(manager, stock=stock)
    assert refused.value.field == "stock"
    assert Product.objects.get(pk=_create(manager, stock=0).pk).stock == 0


@pytest.mark.parametrize(("field", "limit"), [("name", 200), ("sku", 40)])
def test_product_names_and_skus_at_their_limit(manager, field: str, limit: int) -> None:
    market = MarketFactory()
    product = _create(manager, market_id=market.pk, **{field: "x" * limit})
    assert getattr(Product.objects.get(pk=product.pk), field) == "x" * limit
    other = {"sku": "OTHER", "slug": "other", field: "y" * (limit + 1)}
    with pytest.raises(InvalidInput, match=f"at most {limit} characters") as refused:
        _create(manager, market_id=market.pk, **other)
    assert refused.value.field == field
    assert Product.objects.count() == 1


def test_a_product_slug_is_cut_to_fit_its_column(manager) -> None:
    product = _create(manager, slug="s" * 81)
    assert Product.objects.get(pk=product.pk).slug == "s" * 80


@pytest.mark.parametrize(
    ("create", "model", "name_limit", "slug_limit"),
    [(services.create_category, Category, 80, 80), (services.create_tag, Tag, 40, 40)],
)
def test_category_and_tag_limits(manager, create, model, name_limit: int, slug_limit: int) -> None:
    record = create(actor=manager, name="n" * name_limit, slug="s" * (slug_limit + 5))
    fresh = model.objects.get(pk=record.pk)
    assert (fresh.name, fresh.slug) == ("n" * name_limit, "s" * slug_limit)
    with pytest.raises(InvalidInput, match=f"at most {name_limit} characters") as refused:
        create(actor=manager, name="m" * (name_limit + 1))
    assert refused.value.field == "name"
    with pytest.raises(InvalidInput, match="at least one letter or digit") as refused:
        create(actor=manager, name="Fine", slug="!!!")
    assert refused.value.field == "slug"
    assert model.objects.count() == 1


@pytest.mark.parametrize(
    ("create", "kind"), [(services.create_category, "category"), (services.create_tag, "tag")]
)
def test_category_and_tag_events_name_the_actor(manager, create, kind: str) -> None:
    record = create(actor=manager, name="Garden")
    event = Event.objects.get()
    assert (event.name, event.actor, event.aggregate_type, event.aggregate_id) == (
        f"{kind}_created",
        manager,
        kind,
        str(record.pk),
    )
    assert (event.aggregate_label, event.context) == ("Garden", "catalog")


def test_a_category_or_tag_whose_slug_was_taken_meanwhile_is_a_clear_error(
    manager, monkeypatch
) -> None:
    CategoryFactory(slug="garden")
    real_filter = Category.objects.filter

    def nothing_there_yet(**lookups: Any) -> Any:
        return real_filter(**lookups).none()

    monkeypatch.setattr(Category.objects, "filter", nothing_there_yet)
    with pytest.raises(InvalidInput, match="“garden” is already used by another category"):
        services.create_category(actor=manager, name="Garden")
    assert not Event.objects.exists()


def test_create_product_refuses_what_does_not_exist(manager) -> None:
    market, category, tag = MarketFactory(), CategoryFactory(), TagFactory()
    for overrides, field in [
        ({"market_id": 0, "category_id": category.pk}, "market"),
        ({"market_id": market.pk, "category_id": 0}, "category"),
        ({"market_id": market.pk, "category_id": category.pk, "tag_ids": [tag.pk, 0]}, "tags"),
        ({"market_id": market.pk, "name": "  "}, "name"),
        ({"market_id": market.pk, "sku": "  "}, "sku"),
        ({"market_id": market.pk, "name": "!!!"}, "slug"),
    ]:
        arguments = {"market_id": market.pk, "category_id": category.pk, **overrides}
        market_id, category_id = arguments.pop("market_id"), arguments.pop("category_id")
        with pytest.raises(InvalidInput) as refused:
            services.create_product(
                actor=manager,
                market_id=market_id,
                category_id=category_id,
                **{"name": "Oak", "sku": "O-1", "price": "1", "stock": 1, **arguments},
            )
        assert refused.value.field == field
    assert not Product.objects.exists()


def test_a_product_with_a_tag_given_twice_is_created_once_with_it(manager) -> None:
    tag = TagFactory()
    product = _create(manager, tag_ids=[tag.pk, tag.pk])
    assert list(product.tags.all()) == [tag]


def test_deactivating_records_where_each_product_came_from(manager) -> None:
    on = ProductFactory(name="On")
    services.set_products_active(actor=manager, product_ids=[on.pk], active=False)
    event = Event.objects.get()
    assert (event.name, event.from_state, event.to_state, event.actor) == (
        "product_deactivated",
        "active",
        "inactive",
        manager,
    )
    fresh = Product.objects.get(pk=on.pk)
    assert not fresh.active and fresh.updated_at > on.updated_at
    assert event.occurred_at == fresh.updated_at


def test_services_take_keyword_arguments_only() -> None:
    assert_keyword_only(services)


@pytest.mark.django_db(transaction=True)
def test_bulk_locks_its_rows_inside_its_transaction(role_groups, manager, locks) -> None:
    product = ProductFactory()
    services.set_products_active(actor=manager, product_ids=[product.pk], active=False)
    assert locks == [("Product", True)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "create",
    [
        lambda actor, category: services.create_category(actor=actor, name="Garden"),
        lambda actor, category: services.create_tag(actor=actor, name="Garden"),
        lambda actor, category: services.create_product(
            actor=actor, market_id=MarketFactory().pk, category_id=category.pk,
            name="Oak", sku="O-1", price="1", stock=1,
        ),
        lambda actor, category: services.set_products_active(
            actor=actor, product_ids=[ProductFactory(category=category).pk], active=False
        ),
    ],
    ids=["category", "tag", "product", "deactivate"],
)  # fmt: skip
def test_nothing_is_written_when_the_event_cannot_be_recorded(role_groups, manager, create) -> None:
    category = CategoryFactory(name="Shelf")

    @receiver(events_recorded, weak=False, dispatch_uid="test.explode")
    def explode(sender: type, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    try:
        with pytest.raises(RuntimeError):
            create(manager, category)
    finally:
        events_recorded.disconnect(dispatch_uid="test.explode")
    assert list(Category.objects.values_list("name", flat=True)) == ["Shelf"]
    assert not Tag.objects.exists()
    assert list(Product.objects.values_list("active", flat=True)) in ([], [True])


@pytest.mark.parametrize(
    ("create", "kind"), [(services.create_category, "category"), (services.create_tag, "tag")]
)
def test_category_and_tag_announce_their_own_signal_on_commit(
    manager, django_capture_on_commit_callbacks, create, kind: str
) -> None:
    heard: list[tuple[str, str]] = []

    def listener(name: str) -> Any:
        def listen(sender: type, event: Any, **kwargs: Any) -> None:
            heard.append((name, kwargs[kind].name))

        return listen

    category_listener, tag_listener = listener("category_created"), listener("tag_created")
    signals.category_created.connect(category_listener, dispatch_uid="test.category")
    signals.tag_created.connect(tag_listener, dispatch_uid="test.tag")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            create(actor=manager, name="Garden")
            assert heard == []  # not before commit
    finally:
        signals.category_created.disconnect(dispatch_uid="test.category")
        signals.tag_created.disconnect(dispatch_uid="test.tag")
    assert heard == [(f"{kind}_created", "Garden")]


def test_one_item_in_stock_is_in_stock() -> None:
    one, none = ProductFactory(stock=1), ProductFactory(stock=0)
    assert list(Product.objects.in_stock()) == [one]
    assert list(Product.objects.out_of_stock()) == [none]
    assert Product.objects.counts()["out_of_stock"] == 1
    assert (one.status, one.get_status_display()) == ("active", "Active")
    assert one.get_absolute_url() == f"/products/{one.pk}/"
