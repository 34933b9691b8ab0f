"""Use cases of the catalog context: the only code that creates or changes a Product.

Every service is keyword-only and atomic: it checks the actor's role and the
input, writes, records the domain event(s) in the same transaction and
announces them on commit. Stock is the exception: it moves with orders,
through ``api.reserve_stock`` and ``api.return_stock``, which the orders
context calls inside its own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from apps.accounts.api import User
from apps.core.bulk import BulkOutcome
from apps.core.errors import InvalidInput, invalid_input, require_permission
from apps.core.events import DomainEvent, announce, announce_many
from apps.core.text import make_slug, require_length
from apps.markets import api as markets_api

from . import signals
from .models import Category, Product, Tag

CONTEXT = "catalog"

# DecimalField(max_digits=12, decimal_places=2): ten digits before the point.
MAX_PRICE = Decimal("9999999999.99")


def _event(product: Product, name: str, actor: User, **details: Any) -> DomainEvent:
    return DomainEvent.of(product, context=CONTEXT, name=name, actor=actor, **details)


def _clean_price(price: Any) -> Decimal:
    try:
        value = Decimal(str(price).strip())
    except InvalidOperation:
        raise InvalidInput(f"“{price}” is not a price.", field="price") from None
    if not value.is_finite():
        raise InvalidInput(f"“{price}” is not a price.", field="price")
    if value < 0:
        raise InvalidInput("A price cannot be negative.", field="price")
    if value != value.quantize(Decimal("0.01")):
        raise InvalidInput("A price has at most two decimals.", field="price")
    if value > MAX_PRICE:
        raise InvalidInput("That price is too large.", field="price")
    return value.quantize(Decimal("0.01"))


def _clean_stock(stock: Any) -> int:
    if isinstance(stock, bool) or not isinstance(stock, int):
        raise InvalidInput("Stock is a whole number.", field="stock")
    if stock < 0:
        raise InvalidInput("Stock cannot be negative.", field="stock")
    return stock


def _duplicate_error(*, market_id: int, sku: str, slug: str) -> InvalidInput | None:
    if Product.objects.sku_taken(market_id=market_id, sku=sku):
        return InvalidInput(
            f"The SKU “{sku}” is already used by another product in this market.", field="sku"
        )
    if Product.objects.slug_taken(market_id=market_id, slug=slug):
        return InvalidInput(
            f"The slug “{slug}” is already used by another product in this market.", field="slug"
        )
    return None


def _reference_event(record: Category | Tag, kind: str, actor: User) -> DomainEvent:
    return DomainEvent(
        context=CONTEXT,
        name=f"{kind}_created",
        aggregate_type=kind,
        aggregate_id=str(record.pk),
        aggregate_label=record.name,
        aggregate_url=f"{reverse('catalog:products')}?{urlencode({kind: record.slug})}",
        actor_id=actor.pk if actor is not None else None,
        actor_name=actor.display_name if actor is not None else "",
    )


def _create_reference(
    model: type[Category] | type[Tag], *, actor: User, kind: str, name: str, slug: str
) -> Category | Tag:
    # Whoever may add products may add the shelves and labels they need.
    require_permission(actor, "catalog.add_product", f"adding a {kind}")
    name_length = model._meta.get_field("name").max_length or 0
    name = require_length(name.strip(), field="name", label="A name", max_length=name_length)
    if not name:
        raise InvalidInput(f"A {kind} needs a name.", field="name")
    slug = make_slug(slug or name, max_length=model._meta.get_field("slug").max_length or 0)
    if not slug:
        raise InvalidInput("A slug needs at least one letter or digit.", field="slug")
    taken = InvalidInput(f"The slug “{slug}” is already used by another {kind}.", field="slug")
    if model.objects.filter(slug=slug).exists():
        raise taken
    record = model(name=name, slug=slug)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as error:
        raise taken from error
    announce(
        signals.category_created if kind == "category" else signals.tag_created,
        sender=model,
        event=_reference_event(record, kind, actor),
        **{kind: record},
    )
    return record


@transaction.atomic
def create_category(*, actor: User, name: str, slug: str = "") -> Category:
    """Add a category (shared by every market). The slug defaults to one made from the name."""
    category = _create_reference(Category, actor=actor, kind="category", name=name, slug=slug)
    assert isinstance(category, Category)
    return category


@transaction.atomic
def create_tag(*, actor: User, name: str, slug: str = "") -> Tag:
    """Add a tag (shared by every market). The slug defaults to one made from the name."""
    tag = _create_reference(Tag, actor=actor, kind="tag", name=name, slug=slug)
    assert isinstance(tag, Tag)
    return tag


@transaction.atomic
def create_product(
    *,
    actor: User,
    market_id: int,
    name: str,
    sku: str,
    price: Decimal,
    stock: int,
    category_id: int,
    tag_ids: Iterable[int] = (),
    slug: str = "",
    active: bool = True,
) -> Product:
    """Add a product to a market's catalog. The slug defaults to one made from the name.

    Refuses (``InvalidInput`` with the field) a blank name or SKU, a negative
    price or stock, a SKU or slug already used in the market, and a market,
    category or tag that does not exist. Nothing is written when it refuses.
    """
    require_permission(actor, "catalog.add_product", "adding products")
    name = require_length(name.strip(), field="name", label="A name", max_length=200)
    if not name:
        raise InvalidInput("A product needs a name.", field="name")
    sku = require_length(sku.strip(), field="sku", label="A SKU", max_length=40)
    if not sku:
        raise InvalidInput("A product needs a SKU.", field="sku")
    price = _clean_price(price)
    stock = _clean_stock(stock)
    slug = make_slug(slug or name, max_length=80)
    if not slug:
        raise InvalidInput("A slug needs at least one letter or digit.", field="slug")
    if not markets_api.market_exists(market_id):
        raise InvalidInput("That market does not exist (any more).", field="market")
    if not Category.objects.filter(pk=category_id).exists():
        raise InvalidInput("That category does not exist (any more).", field="category")
    tag_ids = sorted(set(tag_ids))
    if Tag.objects.filter(pk__in=tag_ids).count() != len(tag_ids):
        raise InvalidInput("A chosen tag does not exist (any more).", field="tags")
    duplicate = _duplicate_error(market_id=market_id, sku=sku, slug=slug)
    if duplicate is not None:
        raise duplicate
    product = Product(
        market_id=market_id,
        name=name,
        slug=slug,
        sku=sku,
        price=price,
        stock=stock,
        active=active,
        category_id=category_id,
    )
    try:
        # A savepoint, so a SKU or slug taken by a concurrent request leaves
        # the outer transaction usable for the error.
        with transaction.atomic():
            product.save()
    except IntegrityError as error:
        duplicate = _duplicate_error(market_id=market_id, sku=sku, slug=slug)
        raise (duplicate or InvalidInput("The product could not be saved.")) from error
    if tag_ids:
        product.tags.add(*tag_ids)
    announce(
        signals.product_created,
        sender=Product,
        event=_event(
            product,
            "product_created",
            actor,
            to_state=product.status,
            payload={"market_id": market_id, "sku": sku, "price": str(price), "stock": stock},
        ),
        product=product,
    )
    return product


BULK_ACTIONS = {"activate": "Activate", "deactivate": "Deactivate"}


@transaction.atomic
def set_products_active(
    *, actor: User, product_ids: Iterable[int], active: bool
) -> BulkOutcome[Product]:
    """Put products on sale (``active=True``) or take them off, in bulk.

    One query reads the rows (locked), one UPDATE changes those not yet in
    that state, one INSERT records an event per changed product; a product
    already in that state is skipped with the reason. Ids that match no
    product are ignored (they were deleted meanwhile or never existed).
    """
    require_permission(actor, "catalog.change_product", "activating or deactivating products")
    state = "active" if active else "inactive"
    products = list(
        Product.objects.select_for_update().filter(pk__in=set(product_ids)).order_by("name", "pk")
    )
    outcome: BulkOutcome[Product] = BulkOutcome()
    for product in products:
        try:
            product.activate() if active else product.deactivate()
        except ValidationError as error:
            outcome.skipped.append((product, invalid_input(error).message))
            continue
        outcome.done.append(product)
    if not outcome.done:
        return outcome
    Product.objects.bulk_update(outcome.done, ["active", "updated_at"])
    name = "product_activated" if active else "product_deactivated"
    previous = "inactive" if active else "active"
    announce_many(
        signals.products_activated if active else signals.products_deactivated,
        sender=Product,
        events=[
            _event(
                product,
                name,
                actor,
                from_state=previous,
                to_state=state,
                occurred_at=product.updated_at,
            )
            for product in outcome.done
        ],
        products=list(outcome.done),
    )
    return outcome
