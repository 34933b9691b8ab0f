"""What the command palette (Ctrl+K) finds: pages, lists by status, markets,
orders and products, each only for users who may see it.

Actions of the current page are added by console.js from the page's own
enabled buttons, after these results, so the palette never offers what the
server would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.http import urlencode

from apps.catalog import selectors as catalog
from apps.markets import selectors as markets
from apps.markets.models import MarketStatus
from apps.orders import selectors as orders
from apps.orders.models import OrderStatus

PER_KIND = 5
# The box holds at most this much; a longer query is cut, never an error.
MAX_QUERY_LENGTH = 100
# A status word must be this long to offer a list ("pe" is too little to mean "pending").
MIN_STATUS_PREFIX = 3


@dataclass(frozen=True)
class Hit:
    label: str
    kind: str
    url: str
    status: str = ""
    status_label: str = ""
    detail: str = ""


# (permission, list name, URL name, query parameter, statuses as (value, label))
STATUS_LISTS: list[tuple[str, str, str, str, list[tuple[str, str]]]] = [
    ("orders.view_order", "Orders", "orders:list", "status", OrderStatus.choices),
    ("markets.view_market", "Markets", "markets:list", "status", MarketStatus.choices),
    ("catalog.view_product", "Products", "catalog:products", "active",
     [("yes", "Active"), ("no", "Inactive")]),
]  # fmt: skip


def _status_lists(words: list[str], user: Any) -> list[Hit]:
    hits = []
    for permission, name, url_name, parameter, statuses in STATUS_LISTS:
        if not user.has_perm(permission):
            continue
        for value, label in statuses:
            if any(len(w) >= MIN_STATUS_PREFIX and label.lower().startswith(w) for w in words):
                url = f"{reverse(url_name)}?{urlencode({parameter: value})}"
                hits.append(Hit(f"{name}: {label}", "List", url))
    return hits


def _status(record: models.Model) -> tuple[str, str]:
    return record.status, record.get_status_display()  # type: ignore[attr-defined]


def search(query: str, *, navigation: list[dict[str, Any]], user: Any) -> list[Hit]:
    query = query.strip()[:MAX_QUERY_LENGTH]
    words = query.lower().split()
    hits = [
        Hit(item["label"], "Page", item["url"])
        for item in navigation
        if all(word in item["label"].lower() for word in words)
    ]
    if not query:
        return hits
    hits += _status_lists(words, user)
    if user.has_perm("markets.view_market"):
        for market in markets.search_markets(query, limit=PER_KIND):
            status, label = _status(market)
            hits.append(Hit(market.name, "Market", market.get_absolute_url(), status, label))
    if user.has_perm("orders.view_order"):
        for order in orders.search_orders(query, limit=PER_KIND):
            status, label = _status(order)
            detail = f"{order.customer_name} · {order.customer_email}"
            hits.append(Hit(order.number, "Order", order.get_absolute_url(), status, label, detail))
    if user.has_perm("catalog.view_product"):
        for product in catalog.search_products(query, limit=PER_KIND):
            status, label = _status(product)
            detail = f"{product.name} · {product.market_info.name}"
            hits.append(
                Hit(product.sku, "Product", product.get_absolute_url(), status, label, detail)
            )
    return hits
