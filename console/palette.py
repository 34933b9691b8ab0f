"""What the command palette (Ctrl+K) finds: pages, markets and orders.

Actions of the current page are added by console.js from the page's own
enabled buttons, so the palette never offers what the server would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.markets.models import Market
from apps.orders.models import Order

PER_KIND = 5


@dataclass(frozen=True)
class Hit:
    label: str
    detail: str
    url: str
    kind: str


def search(query: str, *, navigation: list[dict[str, Any]], user: Any) -> list[Hit]:
    query = query.strip()
    words = query.lower().split()
    pages = [
        Hit(item["label"], "Page", item["url"], "page")
        for item in navigation
        if all(word in item["label"].lower() for word in words)
    ]
    if not query:
        return pages
    hits = list(pages)
    if user.has_perm("markets.view_market"):
        for market in Market.objects.search(query).order_by("name")[:PER_KIND]:
            hits.append(
                Hit(
                    market.name,
                    f"Market · {market.get_status_display()}",
                    market.get_absolute_url(),
                    "market",
                )
            )
    if user.has_perm("orders.view_order"):
        for order in Order.objects.search(query).order_by("-placed_at")[:PER_KIND]:
            detail = f"Order · {order.get_status_display()} · {order.customer_email}"
            hits.append(Hit(order.number, detail, order.get_absolute_url(), "order"))
    return hits
