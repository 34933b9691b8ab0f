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


# Where ``RoleAwareModelBackend`` (apps/accounts/backends.py) leaves the names
# of the groups a user is in, read with their group permissions.
ROLE_GROUPS_CACHE = "_console_group_names"


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
    """Whether the console has anything to show ``user``: a superuser, or a
    member of one of the role groups (``ROLE_PERMISSIONS``).

    Not "has any permission": a permission granted for something else (say
    ``axes.view_accessattempt``) is no role. The group names come with the
    user's group permissions (``RoleAwareModelBackend``), which the views'
    own permission checks reuse, so the check costs no query of its own;
    without that backend it asks the database.
    """
    if user.is_superuser:
        return True
    user.get_all_permissions()  # fills the permission caches, and the group names
    groups = getattr(user, ROLE_GROUPS_CACHE, None)
    if groups is None:
        return bool(user.is_active and user.groups.filter(name__in=ROLE_PERMISSIONS).exists())
    return bool(groups & ROLE_PERMISSIONS.keys())
