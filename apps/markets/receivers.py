"""How the markets context reacts to its own events: fresh sidebars, and its
creator told by email (a retried background job) when a market is created,
published, suspended or reinstated."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from apps.core.cache import bump_cache_version
from apps.core.events import DomainEvent, in_transaction
from apps.core.work import schedule

from . import selectors, signals, tasks

logger = logging.getLogger(__name__)

CACHE_NAMESPACE = "markets"


@receiver(signals.market_created, dispatch_uid="markets.cache.created")
@receiver(signals.market_updated, dispatch_uid="markets.cache.updated")
@receiver(signals.market_published, dispatch_uid="markets.cache.published")
@receiver(signals.market_suspended, dispatch_uid="markets.cache.suspended")
@receiver(signals.market_reinstated, dispatch_uid="markets.cache.reinstated")
@receiver(signals.market_archived, dispatch_uid="markets.cache.archived")
def invalidate_market_fragments(sender: type, **kwargs: Any) -> None:
    # These signals are sent on commit, so the next render sees the new state.
    bump_cache_version(CACHE_NAMESPACE)


@in_transaction(signals.market_created)
@in_transaction(signals.market_published)
@in_transaction(signals.market_suspended)
@in_transaction(signals.market_reinstated)
def tell_the_creator(event: DomainEvent) -> None:
    # No job when there is no one to tell (a market made by a command, a
    # creator without an address): nothing failed, nothing to retry.
    if not selectors.has_creator_with_email(int(event.aggregate_id)):
        logger.info("market %s: no creator with an email to tell", event.aggregate_id)
        return
    # The outbox: the job is recorded in the market's own transaction (it
    # commits or rolls back with the change) and runs after the commit.
    schedule(
        tasks.send_creator_email,
        context="markets",
        name="creator_email",
        about=event,
        market_id=int(event.aggregate_id),
        event_name=event.name,
        event_id=str(event.id),
        reason=event.reason,
    )
