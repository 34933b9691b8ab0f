from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.dispatch import receiver
from django.test.utils import CaptureQueriesContext

from apps.activity.models import Event
from apps.catalog import services, signals
from apps.catalog.models import Product, Tag
from apps.core.cache import cache_version
from apps.core.errors import InvalidInput, NotPermitted
from apps.core.events import events_recorded
from apps.markets.tests.factories import MarketFactory

from .factories import CategoryFactory, ProductFactory, TagFactory

pytestmark = pytest.mark.django_db


def _arguments(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "name": "Oak Table",
        "sku": "OAK-1",
        "price": Decimal("120.00"),
        "stock": 4,
    }
    return {**arguments, **overrides}


def test_create_product_saves_it_with_its_tags_and_event(
    manager, django_capture_on_commit_callbacks
) -> None:
    market = MarketFactory(currency="SEK")
    category = CategoryFactory()
    tags = TagFactory.create_batch(2)
    with django_capture_on_commit_callbacks(execute=True):
        product = services.create_product(
            actor=manager,
            market_id=market.pk,
            category_id=category.pk,
            tag_ids=[tag.pk for tag in tags],
            **_arguments(name="  Oak Table ", sku=" OAK-1 ", price="120.5"),
        )
    product.refresh_from_db()
    assert (product.name, product.slug, product.sku, product.price, product.stock) == (
        "Oak Table",
        "oak-table",
        "OAK-1",
        Decimal("120.50"),
        4,
    )
    assert product.active
    assert set(product.tags.all()) == set(tags)
    event = Event.objects.get()
    assert (event.name, event.actor, event.aggregate_id, event.to_state) == (
        "product_created",
        manager,
        str(product.pk),
        "active",
    )
    assert event.payload == {"market_id": market.pk, "sku": "OAK-1", "price": "120.50", "stock": 4}


def test_create_product_takes_any_number_of_tags_beyond_small_integers(manager) -> None:
    # 300 tags, so the count of those found and of those chosen are distinct
    # int objects: they must be compared by value.
    tags = Tag.objects.bulk_create(Tag(name=f"Tag {n}", slug=f"tag-x{n}") for n in range(300))
    product = services.create_product(
        actor=manager,
        market_id=MarketFactory().pk,
        category_id=CategoryFactory().pk,
        tag_ids=[tag.pk for tag in tags] + [tags[0].pk],  # a tag chosen twice counts once
        **_arguments(),
    )
    assert Product.objects.get(pk=product.pk).tags.count() == 300


def test_create_product_may_be_inactive_with_its_own_slug(manager) -> None:
    product = services.create_product(
        actor=manager,
        market_id=MarketFactory().pk,
        category_id=CategoryFactory().pk,
        slug="My Table",
        active=False,
        **_arguments(),
    )
    assert (product.slug, product.active) == ("my-table", False)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "  "}, "name", "needs a name"),
        ({"sku": " "}, "sku", "needs a SKU"),
        ({"price": Decimal("-1")}, "price", "cannot be negative"),
        ({"price": "ten"}, "price", "is not a price"),
        ({"price": "NaN"}, "price", "is not a price"),
        ({"price": Decimal("1.999")}, "price", "at most two decimals"),
        ({"price": Decimal("10000000000")}, "price", "too large"),
        ({"stock": -1}, "stock", "cannot be negative"),
        ({"stock": 1.5}, "stock", "whole number"),
        ({"sku": "TAKEN"}, "sku", "SKU “TAKEN” is already used"),
        ({"name": "Taken Name"}, "slug", "slug “taken-name” is already used"),
        ({"name": "!!!"}, "slug", "at least one letter"),
        ({"market_id": 0}, "market", "market does not exist"),
        ({"category_id": 0}, "category", "category does not exist"),
        ({"tag_ids": [0]}, "tags", "tag does not exist"),
    ],
)
def test_create_product_refuses_bad_input_and_changes_nothing(
    manager, overrides: dict[str, Any], field: str, message: str
) -> None:
    existing = ProductFactory(sku="TAKEN", slug="taken-name")
    arguments = {
        "market_id": existing.market_id,
        "category_id": existing.category_id,
        **_arguments(**overrides),
    }
    with pytest.raises(InvalidInput, match=message) as raised:
        services.create_product(actor=manager, **arguments)
    assert raised.value.field == field
    assert Product.objects.count() == 1
    assert not Event.objects.exists()


def test_a_sku_taken_in_another_market_is_fine(manager) -> None:
    existing = ProductFactory(sku="SAME", slug="same")
    product = services.create_product(
        actor=manager,
        market_id=MarketFactory().pk,
        category_id=existing.category_id,
        **_arguments(name="Same", sku="SAME"),
    )
    assert product.pk != existing.pk


def test_a_duplicate_the_checks_missed_is_still_a_clear_error(manager, monkeypatch) -> None:
    # A concurrent request took the SKU between our check and our INSERT.
    existing = ProductFactory(sku="RACE")
    real = services._duplicate_error
    calls: list[object] = []

    def misses_the_first_time(**arguments: Any) -> InvalidInput | None:
        calls.append(arguments)
        return None if len(calls) == 1 else real(**arguments)

    monkeypatch.setattr(services, "_duplicate_error", misses_the_first_time)
    with pytest.raises(InvalidInput, match="SKU “RACE” is already used") as raised:
        services.create_product(
            actor=manager,
            market_id=existing.market_id,
            category_id=existing.category_id,
            **_arguments(sku="RACE"),
        )
    assert raised.value.field == "sku"
    assert Product.objects.count() == 1
    assert not Event.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "agent", "finance"])
def test_roles_without_the_permission_are_refused(role: str, request) -> None:
    user = request.getfixturevalue(role)
    product = ProductFactory(active=False)
    with pytest.raises(NotPermitted):
        services.create_product(
            actor=user,
            market_id=product.market_id,
            category_id=product.category_id,
            **_arguments(),
        )
    with pytest.raises(NotPermitted):
        services.set_products_active(actor=user, product_ids=[product.pk], active=True)
    product.refresh_from_db()
    assert not product.active
    assert Product.objects.count() == 1
    assert not Event.objects.exists()


def test_superusers_may_do_everything(superuser) -> None:
    product = ProductFactory(active=False)
    outcome = services.set_products_active(actor=superuser, product_ids=[product.pk], active=True)
    assert outcome.done == [product]


def test_bulk_activate_reports_each_row(manager) -> None:
    off_a = ProductFactory(name="A off", active=False)
    on_b = ProductFactory(name="B on")
    off_c = ProductFactory(name="C off", active=False)
    outcome = services.set_products_active(
        actor=manager, product_ids=[off_c.pk, on_b.pk, off_a.pk, 0], active=True
    )
    assert [p.pk for p in outcome.done] == [off_a.pk, off_c.pk]
    assert [(p.pk, reason) for p, reason in outcome.skipped] == [(on_b.pk, "already active")]
    assert set(Product.objects.active()) == {off_a, on_b, off_c}
    events = Event.objects.order_by("aggregate_label")
    assert [(e.name, e.aggregate_id, e.from_state, e.to_state, e.actor) for e in events] == [
        ("product_activated", str(off_a.pk), "inactive", "active", manager),
        ("product_activated", str(off_c.pk), "inactive", "active", manager),
    ]


def test_bulk_deactivate_skips_what_is_already_inactive(manager) -> None:
    on = ProductFactory(name="On")
    off = ProductFactory(name="Off", active=False)
    outcome = services.set_products_active(actor=manager, product_ids=[on.pk, off.pk], active=False)
    assert outcome.done == [on]
    assert outcome.skipped == [(off, "already inactive")]
    assert not Product.objects.active().exists()
    assert Event.objects.get().name == "product_deactivated"


def test_bulk_with_nothing_to_change_writes_nothing(manager) -> None:
    on = ProductFactory()
    with CaptureQueriesContext(connection) as captured:
        outcome = services.set_products_active(actor=manager, product_ids=[on.pk], active=True)
    assert outcome.done == []
    assert not [q for q in captured if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert not Event.objects.exists()


@pytest.mark.parametrize("rows", [3, 60])
def test_bulk_changes_the_rows_with_one_update_and_one_insert(manager, rows: int) -> None:
    products = ProductFactory.create_batch(rows, active=False)
    manager.has_perm("catalog.change_product")  # warm the permission cache
    with CaptureQueriesContext(connection) as captured:
        outcome = services.set_products_active(
            actor=manager, product_ids=[p.pk for p in products], active=True
        )
    assert len(outcome.done) == rows
    statements = [q["sql"] for q in captured]
    # Savepoint bookkeeping aside: read the rows, one UPDATE, one INSERT of the events.
    writes = [sql for sql in statements if not sql.startswith(("SAVEPOINT", "RELEASE"))]
    assert len(writes) == 3, writes
    assert writes[0].startswith("SELECT")
    assert writes[1].startswith('UPDATE "catalog_product"')
    assert writes[2].startswith('INSERT INTO "activity_event"')
    assert Event.objects.filter(name="product_activated").count() == rows
    assert Product.objects.active().count() == rows


def test_bulk_records_the_events_inside_the_transaction_and_announces_on_commit(
    manager, django_capture_on_commit_callbacks
) -> None:
    products = ProductFactory.create_batch(2, active=False)
    heard: list[Any] = []

    @receiver(signals.products_activated, weak=False, dispatch_uid="test.heard")
    def listen(sender: type, events: list[Any], products: list[Product], **kwargs: Any) -> None:
        heard.append(([e.name for e in events], sorted(p.pk for p in products)))

    before = cache_version("catalog")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.set_products_active(
                actor=manager, product_ids=[p.pk for p in products], active=True
            )
            # Recorded inside the transaction, not yet announced.
            assert Event.objects.filter(name="product_activated").count() == 2
            assert heard == []
            assert cache_version("catalog") == before
        for callback in callbacks:
            callback()
    finally:
        signals.products_activated.disconnect(dispatch_uid="test.heard")
    assert heard == [(["product_activated"] * 2, sorted(p.pk for p in products))]
    assert cache_version("catalog") != before


def test_create_announces_only_on_commit(manager, django_capture_on_commit_callbacks) -> None:
    market, category = MarketFactory(), CategoryFactory()
    heard: list[str] = []

    @receiver(signals.product_created, weak=False, dispatch_uid="test.heard")
    def listen(sender: type, event: Any, product: Product, **kwargs: Any) -> None:
        heard.append(product.name)

    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.create_product(
                actor=manager, market_id=market.pk, category_id=category.pk, **_arguments()
            )
            assert heard == []
        for callback in callbacks:
            callback()
    finally:
        signals.product_created.disconnect(dispatch_uid="test.heard")
    assert heard == ["Oak Table"]


def test_a_failure_while_recording_leaves_no_change_and_no_event(manager) -> None:
    products = ProductFactory.create_batch(2, active=False)

    @receiver(events_recorded, weak=False, dispatch_uid="test.explode")
    def explode(sender: type, **kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    try:
        with pytest.raises(RuntimeError):
            services.set_products_active(
                actor=manager, product_ids=[p.pk for p in products], active=True
            )
        with pytest.raises(RuntimeError):
            services.create_product(
                actor=manager,
                market_id=products[0].market_id,
                category_id=products[0].category_id,
                **_arguments(),
            )
    finally:
        events_recorded.disconnect(dispatch_uid="test.explode")
    assert not Product.objects.active().exists()
    assert Product.objects.count() == 2
    assert not Event.objects.exists()


def test_create_category_and_tag_with_their_events(manager) -> None:
    category = services.create_category(actor=manager, name=" Home & kitchen ")
    tag = services.create_tag(actor=manager, name="Gift idea", slug="gift")
    assert (category.name, category.slug) == ("Home & kitchen", "home-kitchen")
    assert (tag.name, tag.slug) == ("Gift idea", "gift")
    assert sorted(Event.objects.values_list("name", "aggregate_url")) == [
        ("category_created", "/products/?category=home-kitchen"),
        ("tag_created", "/products/?tag=gift"),
    ]


@pytest.mark.parametrize("create", [services.create_category, services.create_tag])
def test_create_category_or_tag_refuses_bad_input(manager, viewer, create) -> None:
    create(actor=manager, name="Taken")
    with pytest.raises(InvalidInput, match="needs a name"):
        create(actor=manager, name=" ")
    with pytest.raises(InvalidInput, match="“taken” is already used") as raised:
        create(actor=manager, name="Taken")
    assert raised.value.field == "slug"
    with pytest.raises(NotPermitted):
        create(actor=viewer, name="Other")
    assert Event.objects.count() == 1
