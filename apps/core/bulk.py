"""Bulk actions, the same way in every list (UI.md: report per row what was
done and what was skipped and why). The report is built here; the web layer
(``apps.core.web.bulk``) turns it into a response."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class BulkOutcome[Row]:
    """What a bulk action did, row by row, for the report staff read."""

    done: list[Row] = field(default_factory=list)
    skipped: list[tuple[Row, str]] = field(default_factory=list)
