from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, URL name, "g" shortcut key). A context that is not installed yet
# simply has no URL, and its entry is left out rather than linking to a 404.
NAVIGATION = [
    ("Dashboard", "dashboard", "d"),
    ("Markets", "markets:list", "m"),
    ("Orders", "orders:list", "o"),
    ("Products", "catalog:products", "p"),
    ("Carts", "orders:carts", "c"),
    ("Activity", "activity:list", "a"),
]


def navigation_items() -> list[dict[str, Any]]:
    """The sections of the console, each with its URL and "g" key."""
    items = []
    for label, url_name, key in NAVIGATION:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "key": key})
    return items


def console(request: HttpRequest) -> dict[str, object]:
    """Navigation shared by every page of the shell."""
    return {"nav_items": navigation_items()}
