"""The catalog: categories, tags and the products each market sells, with their stock."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from apps.core.errors import RuleViolation
from apps.core.links import page_url
from apps.core.text import every_word_in_any
from apps.markets import api as markets_api


class Category(models.Model):
    """A shelf a product sits on; shared by every market."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="category_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A free label on products ("gift", "handmade"), shared by every market."""

    name = models.CharField(max_length=40)
    slug = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="tag_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


class ProductQuerySet(models.QuerySet["Product"]):
    def active(self) -> ProductQuerySet:
        return self.filter(active=True)

    def inactive(self) -> ProductQuerySet:
        return self.filter(active=False)

    def in_stock(self) -> ProductQuerySet:
        return self.filter(stock__gt=0)

    def out_of_stock(self) -> ProductQuerySet:
        return self.filter(stock=0)

    def for_market(self, market_id: int) -> ProductQuerySet:
        return self.filter(market_id=market_id)

    def search(self, query: str) -> ProductQuerySet:
        """Products whose name or SKU contains every word of ``query`` (``search_words``)."""
        return self.filter(every_word_in_any(query, "name__icontains", "sku__icontains"))

    def with_relations(self) -> ProductQuerySet:
        """Everything a list row shows, in three queries whatever the page size."""
        return markets_api.with_market_details(
            self.select_related("category").prefetch_related("tags")
        )

    def sku_taken(self, *, market_id: int, sku: str, exclude_id: int | None = None) -> bool:
        matches = self.filter(market_id=market_id, sku=sku)
        if exclude_id is not None:
            matches = matches.exclude(pk=exclude_id)
        return matches.exists()

    def slug_taken(self, *, market_id: int, slug: str, exclude_id: int | None = None) -> bool:
        matches = self.filter(market_id=market_id, slug=slug)
        if exclude_id is not None:
            matches = matches.exclude(pk=exclude_id)
        return matches.exists()

    def counts(self) -> dict[str, int]:
        """The sidebar's numbers, in one query: all, active, inactive, out of stock."""
        # Aliases must not shadow the fields the filters refer to.
        row = self.order_by().aggregate(
            count_all=Count("pk"),
            count_active=Count("pk", filter=Q(active=True)),
            count_inactive=Count("pk", filter=Q(active=False)),
            count_out_of_stock=Count("pk", filter=Q(stock=0)),
        )
        return {key.removeprefix("count_"): value for key, value in row.items()}


class Product(markets_api.InAMarket, models.Model):
    """Something a market sells, at a price in the market's currency, with its stock.

    Stock changes only through ``api.reserve_stock`` and ``api.return_stock``,
    which the orders context calls inside its own transaction, with conditional
    updates that never take it below zero; the database refuses a negative
    stock anyway.
    """

    market = models.ForeignKey("markets.Market", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    sku = models.CharField("SKU", max_length=40)
    price = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="In the market's currency."
    )
    stock = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    tags = models.ManyToManyField(Tag, blank=True, related_name="products")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            # The list filters by market and active, sorts by name.
            models.Index(fields=["market", "active", "name"], name="product_market_active_name"),
            # "Active" / "in stock" filters and the sidebar's out-of-stock count.
            models.Index(fields=["active", "stock"], name="product_active_stock"),
            models.Index(fields=["category", "name"], name="product_category_name"),
            models.Index(fields=["name"], name="product_name"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["market", "slug"], name="product_slug_unique_in_market"
            ),
            models.UniqueConstraint(fields=["market", "sku"], name="product_sku_unique_in_market"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
            models.CheckConstraint(condition=~Q(name=""), name="product_name_not_blank"),
            models.CheckConstraint(condition=~Q(sku=""), name="product_sku_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """The product's page, by id: a SKU is unique only within its market,
        and the id needs no join to build (bulk events link here for free)."""
        return page_url("catalog:product", self.pk)

    @property
    def status(self) -> str:
        """``active`` or ``inactive``: what ``data-status`` and the timeline show."""
        return "active" if self.active else "inactive"

    def get_status_display(self) -> str:
        """``Active`` or ``Inactive``, as staff read it."""
        return "Active" if self.active else "Inactive"

    def activate(self) -> None:
        """Put the product on sale; refuses (``RuleViolation``) one already on sale."""
        self._set_active(True)

    def deactivate(self) -> None:
        """Take the product off sale; refuses (``RuleViolation``) one already off sale."""
        self._set_active(False)

    def _set_active(self, active: bool) -> None:
        if self.active == active:
            raise RuleViolation(f"already {'active' if active else 'inactive'}")
        self.active = active
        self.updated_at = timezone.now()
