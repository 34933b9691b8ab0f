"""The automation API's adapter for the catalog: products, read only."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, serializers

from apps.core.web.budgets import query_budget
from apps.core.web.rest import ConsoleViewSet

from . import selectors
from .filters import ProductFilter
from .models import Product


class ProductSerializer(serializers.ModelSerializer):
    market = serializers.CharField(source="market_info.slug", read_only=True)
    category = serializers.CharField(source="category.slug", read_only=True)
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id", "sku", "name", "slug", "market", "category", "tags", "price", "stock",
            "active", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_tags(self, product: Product) -> list[str]:
        return [tag.slug for tag in product.tags.all()]  # prefetched by the selector


# Budgets (console/tests/test_budgets.py walks each): the token and its user, a
# role user's two permission lookups, the page's count, the products, their tags
# (prefetched), a filter's market.
@query_budget(list=8, retrieve=6)
class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ConsoleViewSet):
    """Products with the list's filters (market, category and tag by slug, yes/no)."""

    queryset = selectors.products_for_list()
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> Any:
        return selectors.products_for_list().order_by("sku", "pk")
