"""Domain events the catalog context announces.

Each is sent **after commit** by the service that made the change (see
``apps.core.events.announce`` and ``announce_many``), with ``sender=Product``.

``category_created`` and ``tag_created`` are sent with ``sender=Category`` or
``sender=Tag``, ``event`` and ``category`` or ``tag``.

Single-product events receive:

- ``event``: the :class:`apps.core.events.DomainEvent` as recorded in the audit trail;
- ``product``: the :class:`Product` as it was saved.

Bulk events receive:

- ``events``: one recorded :class:`~apps.core.events.DomainEvent` per changed product;
- ``products``: the changed :class:`Product` rows, in the same order.

Receivers may do side effects; the change has happened and is durable.
Stock is not announced here: it moves inside the orders context's
transaction, which calls ``apps.catalog.api.reserve_stock`` / ``return_stock``.
"""

from django.dispatch import Signal

product_created = Signal()
"""A product was added to a market's catalog (active or not)."""

products_activated = Signal()
"""Inactive → active, in bulk: the products are on sale again."""

products_deactivated = Signal()
"""Active → inactive, in bulk: the products can no longer be ordered."""

category_created = Signal()
"""A category was added (shared by every market)."""

tag_created = Signal()
"""A tag was added (shared by every market)."""
