"""The Market aggregate: its states, its rules and its reads."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from apps.core.errors import RuleViolation
from apps.core.links import page_url
from apps.core.text import every_word_in_any
from apps.core.transitions import condition


class MarketStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    ARCHIVED = "archived", "Archived"


class Currency(models.TextChoices):
    EUR = "EUR", "Euro"
    USD = "USD", "US dollar"
    GBP = "GBP", "Pound sterling"
    SEK = "SEK", "Swedish krona"
    JPY = "JPY", "Japanese yen"


def takes_orders(status: str) -> bool:
    """Whether a market in ``status`` takes orders and charges: the one definition.

    ``Market.accepts_orders``, ``MarketQuerySet.accepting_orders`` and the
    markets API (``market_is_open``, ``MarketSummary.is_open``) all say this.
    """
    return status == MarketStatus.ACTIVE


class MarketQuerySet(models.QuerySet["Market"]):
    def accepting_orders(self) -> MarketQuerySet:
        return self.filter(status__in=[s for s in MarketStatus if takes_orders(s)])

    def draft(self) -> MarketQuerySet:
        return self.filter(status=MarketStatus.DRAFT)

    def active(self) -> MarketQuerySet:
        return self.filter(status=MarketStatus.ACTIVE)

    def suspended(self) -> MarketQuerySet:
        return self.filter(status=MarketStatus.SUSPENDED)

    def archived(self) -> MarketQuerySet:
        return self.filter(status=MarketStatus.ARCHIVED)

    def by_slug(self, slug: str) -> MarketQuerySet:
        return self.filter(slug=slug)

    def search(self, query: str) -> MarketQuerySet:
        """Markets whose name or slug contains every word of ``query`` (``search_words``)."""
        return self.filter(every_word_in_any(query, "name__icontains", "slug__icontains"))

    def slug_taken(self, slug: str, *, exclude_id: int | None = None) -> bool:
        matches = self.by_slug(slug)
        if exclude_id is not None:
            matches = matches.exclude(pk=exclude_id)
        return matches.exists()

    def counts_by_status(self) -> dict[str, int]:
        """Every status with its count (zeros included), in one query."""
        counts = dict.fromkeys(MarketStatus.values, 0)
        for row in self.order_by().values("status").annotate(count=Count("pk")):
            counts[row["status"]] = row["count"]
        return counts


def confirm_archive(market: Market) -> str:
    return f"Archive {market.name}? An archived market can never be published again."


@condition("A market needs a description before it is published.")
def has_description(market: Market) -> bool:
    return bool(market.description.strip())


class Market(ConcurrentTransitionMixin, models.Model):
    """A marketplace that sells in one currency, from draft to archive.

    ``status`` is protected: it changes only through the transitions below,
    which the services in ``services.py`` call inside a transaction.
    """

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.EUR)
    status = FSMField(default=MarketStatus.DRAFT, choices=MarketStatus.choices, protected=True)
    suspension_reason = models.TextField(blank=True)
    # Who created it: told by email when it is created, published, suspended or reinstated.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped by every edit of the details and every transition (which changes
    # what may be edited): an edit form carries the version it was loaded at,
    # and a save over a newer one is refused (apps.core.concurrency).
    version = models.PositiveIntegerField(default=1, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)

    objects = MarketQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [
            ("publish_market", "Can publish a market"),
            ("suspend_market", "Can suspend a market"),
            ("reinstate_market", "Can reinstate a market"),
            ("archive_market", "Can archive a market"),
        ]
        indexes = [
            # The list filters by status and sorts by name or last change.
            models.Index(fields=["status", "name"], name="market_status_name"),
            models.Index(fields=["status", "-updated_at"], name="market_status_updated"),
            models.Index(fields=["-updated_at"], name="market_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MarketStatus.values), name="market_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(currency__in=Currency.values), name="market_currency_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="market_name_not_blank"),
            models.CheckConstraint(
                condition=~Q(status=MarketStatus.SUSPENDED) | ~Q(suspension_reason=""),
                name="market_suspended_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status=MarketStatus.DRAFT)
                | Q(status=MarketStatus.ARCHIVED)
                | Q(published_at__isnull=False),
                name="market_live_was_published",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return page_url("markets:detail", self.slug)

    @property
    def accepts_orders(self) -> bool:
        """Whether orders may be placed and charged in this market now.

        Other contexts ask the markets API (``market_is_open``,
        ``MarketSummary.is_open``), which says the same.
        """
        return takes_orders(self.status)

    @transition(
        field=status,
        source=MarketStatus.DRAFT,
        target=MarketStatus.ACTIVE,
        permission="markets.publish_market",
        conditions=[has_description],
        custom={"label": "Publish", "hotkey": "p", "style": "primary"},
    )
    def publish(self) -> None:
        self.published_at = timezone.now()
        self._bump_version()

    @transition(
        field=status,
        source=MarketStatus.ACTIVE,
        target=MarketStatus.SUSPENDED,
        permission="markets.suspend_market",
        custom={
            "label": "Suspend",
            "hotkey": "s",
            "style": "warning",
            "input": "reason",
            "input_label": "Reason for suspending",
        },
    )
    def suspend(self, *, reason: str) -> None:
        reason = reason.strip()
        if not reason:
            raise RuleViolation("A reason is required to suspend a market.")
        self.suspension_reason = reason
        self.suspended_at = timezone.now()
        self._bump_version()

    @transition(
        field=status,
        source=MarketStatus.SUSPENDED,
        target=MarketStatus.ACTIVE,
        permission="markets.reinstate_market",
        custom={"label": "Reinstate", "hotkey": "r", "style": "success"},
    )
    def reinstate(self) -> None:
        # The reason stays as history in the timeline; the market is no longer suspended.
        self.suspension_reason = ""
        self.suspended_at = None
        self._bump_version()

    @transition(
        field=status,
        source=[MarketStatus.DRAFT, MarketStatus.SUSPENDED],
        target=MarketStatus.ARCHIVED,
        permission="markets.archive_market",
        custom={
            "label": "Archive",
            "hotkey": "a",
            "style": "outline-danger",
            "confirm": confirm_archive,
        },
    )
    def archive(self) -> None:
        """Retire the market for good. A suspended market keeps its last reason on record."""
        self._bump_version()

    def _bump_version(self) -> None:
        """A transition changes which fields may be edited: an edit form opened
        before it is stale (409 with the fresh form), not silently trimmed.
        Saved with the transition (the services' ``update_fields``), on the
        row the service locked."""
        self.version += 1

    EDITABLE_FIELDS = frozenset({"name", "slug", "currency", "description"})

    def editable_fields(self) -> set[str]:
        """Fields staff may change now: prices and links in the wild depend on
        the currency and the slug once a market has gone live."""
        if self.status == MarketStatus.DRAFT:
            return set(self.EDITABLE_FIELDS)
        if self.status == MarketStatus.ARCHIVED:
            return set()  # retired for good: the record stays as it was
        return set(self.EDITABLE_FIELDS) - {"currency", "slug"}

    def edit(self, **changes: Any) -> list[str]:
        """Apply editable field changes; return the names of the fields that changed.

        Raises ``RuleViolation`` (a ``ValidationError`` with the sentence to
        show) for a change not allowed.
        """
        unknown = set(changes) - self.EDITABLE_FIELDS
        if unknown:
            raise RuleViolation(f"Not editable: {', '.join(sorted(unknown))}")
        changed = [name for name, value in changes.items() if getattr(self, name) != value]
        if changed and self.status == MarketStatus.ARCHIVED:
            raise RuleViolation("An archived market cannot be changed.")
        for frozen in sorted(set(changed) - self.editable_fields()):
            raise RuleViolation(f"The {frozen} of a market can change only while it is a Draft.")
        for name in changed:
            setattr(self, name, changes[name])
        return changed


class CreatorEmail(models.Model):
    """An email to a market's creator that went out: at most one per event.

    What makes the creator emails idempotent: a retried or repeated job finds
    the row for its event and sends nothing. (A market may be suspended twice,
    so the event's id names the occasion, not the market and the event name.)
    """

    event_id = models.UUIDField(unique=True)
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+")
    event_name = models.CharField(max_length=40)
    recipient = models.CharField(max_length=320)
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.event_name} email of market {self.market_id}"
