"""Bulk actions, the same way in every list (UI.md: report per row what was
done and what was skipped and why). The report is built here; the web layer
(``apps.core.web.bulk``) turns it into a response."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .errors import DomainError


@dataclass
class BulkOutcome[Row]:
    """What a bulk action did, row by row, for the report staff read."""

    done: list[Row] = field(default_factory=list)
    skipped: list[tuple[Row, str]] = field(default_factory=list)


def each_on_its_own[Row](rows: Iterable[Row], act: Callable[[Row], Row]) -> BulkOutcome[Row]:
    """Call ``act`` on each row, each its own use case (its own transaction):
    a refusal skips that row only, with its message for the report."""
    outcome: BulkOutcome[Row] = BulkOutcome()
    for row in rows:
        try:
            outcome.done.append(act(row))
        except DomainError as error:
            outcome.skipped.append((row, error.message))
    return outcome
