from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject

from apps.accounts.api import role_label
from apps.core.cache import VERSION_TIMEOUT, cache_version
from apps.markets import selectors as markets
from apps.orders import selectors as orders

# (label, URL name, "g" shortcut key, icon in the Tabler sprite). A context that
# is not installed yet simply has no URL, and its entry is left out rather than linking to a 404.
NAVIGATION = [
    ("Dashboard", "dashboard", "d", "layout-dashboard"),
    ("Markets", "markets:list", "m", "building-store"),
    ("Orders", "orders:list", "o", "receipt"),
    ("Products", "catalog:products", "p", "package"),
    ("Carts", "orders:carts", "c", "shopping-cart"),
    ("Activity", "activity:list", "a", "activity"),
]


def navigation_items() -> list[dict[str, Any]]:
    """The sections of the console, each with its URL and "g" key."""
    # The same for every request of a URLconf and script prefix: reversed
    # once (six reverse() a render were a tenth of a list's chrome).
    # The URLconf by name: a request's own (request.urlconf), else the
    # setting's, which a test may change (override_settings, mark.urls).
    return _navigation_items(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=16)
def _navigation_items(prefix: str, urlconf: str) -> list[dict[str, Any]]:
    items = []
    for label, url_name, key, icon in NAVIGATION:
        try:
            url = reverse(url_name, urlconf=urlconf)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "key": key, "icon": icon})
    return items


def work_counts() -> dict[str, int]:
    """The side navigation's badges: orders awaiting payment or to ship, and
    suspended markets. Cached until the next domain event (the "activity"
    version every committed event bumps), so a page usually pays no query."""
    key = f"nav-work-counts:{cache_version('activity')}"
    counts: dict[str, int] | None = cache.get(key)
    if counts is None:
        by_status = orders.work_queue_counts()
        counts = {
            "Orders": by_status[orders.awaiting_payment_status()]
            + by_status[orders.to_ship_status()],
            "Markets": markets.suspended_count(),
        }
        cache.set(key, counts, VERSION_TIMEOUT)
    return counts


def console(request: HttpRequest) -> dict[str, object]:
    """Navigation and the user menu shared by every page of the shell."""
    user = getattr(request, "user", None)
    return {
        "nav_items": navigation_items(),
        # Lazy: read only by a page that shows the navigation.
        "nav_counts": SimpleLazyObject(work_counts),
        # Lazy: only a page that shows the user menu reads the permissions.
        "user_role": SimpleLazyObject(lambda: role_label(user) if user else ""),
    }
