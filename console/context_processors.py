from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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


ICONS = "vendor/tabler-icons-3.52.0/sprite.svg"


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


def queue_counts() -> dict[str, int]:
    """Orders awaiting payment, orders to ship and suspended markets: the side
    navigation's badges and three of the dashboard's work queues, counted
    once for both (two queries) and cached until the next domain event (the
    "activity" version every committed event bumps), so a page usually pays
    no query."""
    key = f"work-counts:{cache_version('activity')}"
    counts: dict[str, int] | None = cache.get(key)
    if counts is None:
        by_status = orders.work_queue_counts()
        counts = {
            "awaiting_payment": by_status[orders.awaiting_payment_status()],
            "to_ship": by_status[orders.to_ship_status()],
            "suspended_markets": markets.suspended_count(),
        }
        cache.set(key, counts, VERSION_TIMEOUT)
    return counts


# What a badge's number counts, per section.
BADGE_TITLES = {"Orders": "Awaiting payment or to ship", "Markets": "Suspended"}


def navigation_links(path: str, icons: str, counts: dict[str, int]) -> SafeString:
    """The side navigation's links: the section of ``path`` marked, a badge
    where ``counts`` has work. Built here, not by a template loop: the loop's
    ~80 variable lookups a page were a third of rendering the page's shell."""
    links = []
    for item in navigation_items():
        url, label, key = item["url"], item["label"], item["key"]
        active = path == url or (url != "/" and url in path)
        current = ' aria-current="page"' if path == url else ""
        hotkey = (
            f' data-hotkey="g {escape(key)}" data-hotkey-label="Go to {escape(label)}"'
            if key
            else ""
        )
        badge = ""
        count = counts.get(label)
        if count:
            title = BADGE_TITLES.get(label, "Suspended")
            badge = (
                '<span class="badge bg-primary-lt ms-auto"'
                f' data-nav-count="{escape(label.lower())}" title="{title}">'
                f'<span class="visually-hidden">(</span>{count}'
                f'<span class="visually-hidden"> {title.lower()})</span></span>'
            )
        links.append(
            f'<li class="nav-item"><a class="nav-link{" active" if active else ""}"{current}'
            f' href="{escape(url)}"{hotkey}>'
            f'<span class="nav-link-icon" aria-hidden="true"><svg class="icon"><use href="'
            f'{escape(icons)}#{escape(item["icon"])}"></use></svg></span>'
            f'<span class="nav-link-title">{escape(label)}</span>{badge}</a></li>'
        )
    return mark_safe("".join(links))  # noqa: S308  # every part is escaped


def work_counts() -> dict[str, int]:
    """The side navigation's badges: orders awaiting payment or to ship, and
    suspended markets (``queue_counts``)."""
    counts = queue_counts()
    return {
        "Orders": counts["awaiting_payment"] + counts["to_ship"],
        "Markets": counts["suspended_markets"],
    }


def console(request: HttpRequest) -> dict[str, object]:
    """Navigation and the user menu shared by every page of the shell."""
    user = getattr(request, "user", None)
    return {
        # Lazy: read only by a page that shows the navigation.
        "nav_links": SimpleLazyObject(
            lambda: navigation_links(request.path, static(ICONS), work_counts())
        ),
        # Lazy: only a page that shows the user menu reads the permissions.
        "user_role": SimpleLazyObject(lambda: role_label(user) if user else ""),
    }
