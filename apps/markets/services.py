"""Use cases of the markets context: the only code that changes a Market.

Every service is keyword-only and atomic: it locks the row it changes,
checks the rule through the model, saves only the fields it touched,
records the domain event in the same transaction and announces it on commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.accounts.api import User
from apps.core.bulk import BulkOutcome, each_on_its_own
from apps.core.concurrency import field_changes, require_version, save_if_current
from apps.core.errors import DomainError, InvalidInput, invalid_input, require_permission
from apps.core.events import DomainEvent, announce
from apps.core.text import make_slug, require_length
from apps.core.transitions import transition_and_announce

from . import signals
from .models import CreatorEmail, Market

logger = logging.getLogger(__name__)

CONTEXT = "markets"


def _event(market: Market, name: str, actor: User, **details: Any) -> DomainEvent:
    return DomainEvent.of(market, context=CONTEXT, name=name, actor=actor, **details)


def _locked(market_id: int) -> Market:
    try:
        return Market.objects.select_for_update().get(pk=market_id)
    except Market.DoesNotExist:
        raise DomainError("That market does not exist (any more).") from None


def _check_slug(slug: str, *, exclude_id: int | None = None) -> None:
    if not slug:
        raise InvalidInput("A slug needs at least one letter or digit.", field="slug")
    if Market.objects.slug_taken(slug, exclude_id=exclude_id):
        raise InvalidInput(f"The slug “{slug}” is already used by another market.", field="slug")


@transaction.atomic
def create_market(
    *, actor: User, name: str, currency: str, description: str = "", slug: str = ""
) -> Market:
    """Create a Draft market. The slug defaults to one made from the name."""
    require_permission(actor, "markets.add_market", "creating markets")
    name = require_length(name.strip(), field="name", label="A name", max_length=120)
    if not name:
        raise InvalidInput("A market needs a name.", field="name")
    slug = make_slug(slug or name, max_length=80)
    _check_slug(slug)
    market = Market(
        name=name,
        slug=slug,
        currency=currency,
        description=description.strip(),
        created_by=actor,
    )
    try:
        # A savepoint, so a slug taken by a concurrent request leaves the
        # outer transaction usable for the error.
        with transaction.atomic():
            market.save()
    except IntegrityError as error:
        raise InvalidInput(
            f"The slug “{slug}” is already used by another market.", field="slug"
        ) from error
    announce(
        signals.market_created,
        sender=Market,
        event=_event(market, "market_created", actor, to_state=market.status),
        market=market,
    )
    return market


@transaction.atomic
def update_market(*, actor: User, market_id: int, version: int, **changes: Any) -> Market:
    """Change a market's name, description, and (while Draft) currency or slug.

    ``version`` is the market's version the caller read the values at (the
    edit form carries it): over a newer one nothing is saved (``StaleEdit``,
    409). Only the fields whose value differs are written, and the event
    records each one's old and new value.
    """
    require_permission(actor, "markets.change_market", "editing markets")
    market = _locked(market_id)
    require_version(market, version, noun="market")
    if "name" in changes:
        changes["name"] = require_length(
            changes["name"].strip(), field="name", label="A name", max_length=120
        )
        if not changes["name"]:
            raise InvalidInput("A market needs a name.", field="name")
    if "slug" in changes:
        changes["slug"] = make_slug(changes["slug"], max_length=80)
        _check_slug(changes["slug"], exclude_id=market.pk)
    before = {name: getattr(market, name) for name in Market.EDITABLE_FIELDS}
    try:
        changed = market.edit(**changes)
    except ValidationError as error:
        raise invalid_input(error) from error
    if not changed:
        return market
    # The row is locked on PostgreSQL; the conditional UPDATE makes the check
    # hold on SQLite too, and against any caller that did not lock.
    save_if_current(market, version=version, fields=changed, noun="market")
    announce(
        signals.market_updated,
        sender=Market,
        event=_event(
            market,
            "market_updated",
            actor,
            payload={"changed": field_changes(before, market, changed)},
        ),
        market=market,
    )
    return market


@transaction.atomic
def publish_market(*, actor: User, market_id: int) -> Market:
    """Draft → Active. The market needs a description."""
    return transition_and_announce(
        _locked(market_id),
        "publish",
        actor=actor,
        context=CONTEXT,
        event_name="market_published",
        signal=signals.market_published,
        update_fields=["published_at"],
    )


@transaction.atomic
def suspend_market(*, actor: User, market_id: int, reason: str) -> Market:
    """Active → Suspended, with a reason that staff will read in the timeline."""
    return transition_and_announce(
        _locked(market_id),
        "suspend",
        actor=actor,
        context=CONTEXT,
        event_name="market_suspended",
        signal=signals.market_suspended,
        update_fields=["suspension_reason", "suspended_at"],
        reason=reason.strip(),
        arguments={"reason": reason},
    )


@transaction.atomic
def reinstate_market(*, actor: User, market_id: int) -> Market:
    """Suspended → Active."""
    return transition_and_announce(
        _locked(market_id),
        "reinstate",
        actor=actor,
        context=CONTEXT,
        event_name="market_reinstated",
        signal=signals.market_reinstated,
        update_fields=["suspension_reason", "suspended_at"],
    )


@transaction.atomic
def archive_market(*, actor: User, market_id: int) -> Market:
    """Draft or Suspended → Archived."""
    return transition_and_announce(
        _locked(market_id),
        "archive",
        actor=actor,
        context=CONTEXT,
        event_name="market_archived",
        signal=signals.market_archived,
        update_fields=[],
    )


TRANSITION_SERVICES: dict[str, Callable[..., Market]] = {
    "publish": publish_market,
    "suspend": suspend_market,
    "reinstate": reinstate_market,
    "archive": archive_market,
}


# The transitions staff may run on many markets at once (labels: the model's).
BULK_ACTIONS = ("publish", "archive")


def bulk_transition_markets(
    *, actor: User, market_ids: list[int], action: str
) -> BulkOutcome[Market]:
    """Run ``action`` on each market on its own: one refusal skips that row only.

    Each row is its own transaction (a failure leaves the others done), and
    is reported as done or skipped with the reason.
    """
    if action not in BULK_ACTIONS:
        raise InvalidInput(f"Unknown bulk action {action!r}.")
    service = TRANSITION_SERVICES[action]
    markets = Market.objects.filter(pk__in=market_ids).order_by("name")
    return each_on_its_own(markets, lambda market: service(actor=actor, market_id=market.pk))


def record_creator_email(
    *, market_id: int, event_id: str, event_name: str, recipient: str, subject: str
) -> None:
    """Record that the creator was told about an event (``CreatorEmail``).

    Called by the email job right after the mail server accepted it. If
    another run recorded it meanwhile (two workers sent it at once), it stays
    recorded once: the email went, which is all the job is about. (The
    market's timeline already shows the event the email is about.)
    """
    try:
        with transaction.atomic():
            CreatorEmail.objects.create(
                event_id=event_id,
                market_id=market_id,
                event_name=event_name,
                recipient=recipient,
                subject=subject,
            )
    except IntegrityError:
        logger.warning("market %s: email of event %s recorded already", market_id, event_id)
