"""Domain events the markets context announces.

Each is sent **after commit** by the service that made the change (see
``apps.core.events.announce``), with ``sender=Market`` and these arguments:

- ``event``: the :class:`apps.core.events.DomainEvent` as recorded in the audit trail;
- ``market``: the :class:`Market` as it was saved.

Receivers may do side effects; the change has happened and is durable.
"""

from django.dispatch import Signal

market_created = Signal()
"""A draft market was created."""

market_updated = Signal()
"""A market's details changed. ``event.payload["changed"]`` maps each changed
field to its ``{"old": …, "new": …}`` values."""

market_published = Signal()
"""Draft → Active: the market is open for business."""

market_suspended = Signal()
"""Active → Suspended. ``event.reason`` says why; its orders cannot be charged."""

market_reinstated = Signal()
"""Suspended → Active: business resumes."""

market_archived = Signal()
"""Draft or Suspended → Archived: retired for good."""
