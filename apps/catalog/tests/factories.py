from __future__ import annotations

from decimal import Decimal

import factory

from apps.catalog.models import Category, Product, Tag
from apps.markets.tests.factories import MarketFactory


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n:04d}")
    slug = factory.Sequence(lambda n: f"category-{n:04d}")


class TagFactory(factory.django.DjangoModelFactory[Tag]):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Tag {n:04d}")
    slug = factory.Sequence(lambda n: f"tag-{n:04d}")


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    """An active product with stock, in a new Draft market unless one is given.

    ``tags=[tag, ...]`` attaches tags after creation.
    """

    class Meta:
        model = Product
        skip_postgeneration_save = True

    market = factory.SubFactory(MarketFactory)
    name = factory.Sequence(lambda n: f"Product {n:04d}")
    slug = factory.Sequence(lambda n: f"product-{n:04d}")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    price = Decimal("9.99")
    stock = 10
    active = True
    category = factory.SubFactory(CategoryFactory)

    @factory.post_generation
    def tags(obj: Product, create: bool, extracted: list[Tag] | None, **kwargs: object) -> None:
        if create and extracted:
            obj.tags.add(*extracted)
