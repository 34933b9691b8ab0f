"""The staff roles of UI.md as Django groups with model permissions.

Every role may view everything in the console's contexts; each adds the
permissions for the changes it may make. ``sync_roles`` is idempotent: the
data migration runs it, and so does ``post_migrate`` so that contexts added
later (and test-database flushes) get their permissions attached.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.core.cache import cache

from apps.core.cache import VERSION_TIMEOUT, cache_version

# Contexts whose ``view_*`` permissions every role receives.
CONSOLE_CONTEXTS = ("accounts", "markets", "catalog", "orders", "activity")

MARKET_MANAGERS = "Market managers"
ORDER_AGENTS = "Order agents"
FINANCE = "Finance"
VIEWERS = "Viewers"

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    MARKET_MANAGERS: (
        "markets.add_market",
        "markets.change_market",
        "markets.publish_market",
        "markets.suspend_market",
        "markets.reinstate_market",
        "markets.archive_market",
        # Market managers run what their markets sell.
        "catalog.add_product",
        "catalog.change_product",
    ),
    ORDER_AGENTS: (
        "orders.add_order",
        "orders.charge_order",
        "orders.ship_order",
        "orders.deliver_order",
        "orders.cancel_order",
    ),
    FINANCE: ("orders.refund_order",),
    VIEWERS: (),
}


def sync_roles(apps: Any = global_apps) -> None:
    """Create the role groups and give each exactly its permissions.

    Permissions of a context that is not installed (or not migrated yet) are
    skipped; they are attached when that context's ``post_migrate`` runs.
    """
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    view_permissions = list(
        permission_model.objects.filter(
            content_type__app_label__in=CONSOLE_CONTEXTS, codename__startswith="view_"
        )
    )
    for role, extra in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = list(view_permissions)
        for dotted in extra:
            app_label, codename = dotted.split(".")
            wanted.extend(
                permission_model.objects.filter(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.set(wanted)


# How the shell names one person's role (the groups are named for many).
ROLE_TITLES = {
    MARKET_MANAGERS: "Market manager",
    ORDER_AGENTS: "Order agent",
    FINANCE: "Finance",
}


ROLES_CACHE = "roles"


def role_label(user: Any) -> str:
    """The user's role(s) for the user menu, read from their permissions.

    Cached per user under the ``roles`` version (bumped when any membership or
    permission changes: receivers.py), so a page that checks no permission —
    the cached dashboard — pays no query for the label.
    """
    if user.is_superuser:
        return "Superuser"
    key = f"role-label:{user.pk}:{cache_version(ROLES_CACHE)}"
    label = cache.get(key)
    if label is None:
        label = _role_label(user.get_all_permissions())
        cache.set(key, label, VERSION_TIMEOUT)
    return str(label)


def _role_label(granted: set[str]) -> str:
    titles = [
        title
        for role, title in ROLE_TITLES.items()
        if all(permission in granted for permission in ROLE_PERMISSIONS[role])
    ]
    return " · ".join(titles) or "Viewer"


def has_role(user: Any) -> bool:
    """Whether the console has anything to show ``user``: a superuser, or any permission.

    Every role grants at least the ``view_*`` permissions, so a staff user
    with no role (no group, nothing granted directly) has none. Reads the
    user's permission cache, which the views' own permission checks reuse.
    """
    return bool(user.is_superuser or user.get_all_permissions())
