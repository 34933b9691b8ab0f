"""Fetch modes (Django 6.1) for the querysets that feed pages.

A list row or a detail object that reads a field its queryset did not load
(a deferred column, a foreign key neither selected nor annotated) makes
Django fetch it: one query per row, the N+1 the budgets forbid. On the
querysets of lists and details (the selectors) ``strict()`` turns that
fetch into an error in development and tests — ``FieldFetchBlocked``,
naming the model and field — so it fails loudly where it is written, not
as a slow page at scale. Production cannot afford an error page for it:
there the same querysets fetch for all the rows at once (``FETCH_PEERS``:
one query for the page, not one per row).

"Loudly": a blocked fetch raises where it happens, but not every caller
lets the error through — django-tables2 renders a cell whose value raised
as empty ("—"), which would hide the N+1 *and* the data. So each blocked
fetch is also written down, and ``RequestLogMiddleware`` fails the request
after the view if any was (``watch_blocked_fetches``).

``peers()`` is for reads where a lazy load is harmless and not worth a
failure: a handful of rows (the palette's results), where one query for
all of them is the right answer anyway.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.fetch_modes import FetchMode

# The blocked fetches of the current request; None outside one.
_blocked: ContextVar[list[str] | None] = ContextVar("blocked_fetches", default=None)


class RaiseLoudly(FetchMode):
    """``FETCH_RAISE`` that also records what it blocked, for callers that swallow errors."""

    __slots__ = ()

    def fetch(self, fetcher: Any, instance: models.Model) -> None:
        blocked = _blocked.get()
        if blocked is not None:
            blocked.append(f"{type(instance).__qualname__}.{fetcher.field.name}")
        models.FETCH_RAISE.fetch(fetcher, instance)

    def __reduce__(self) -> str:
        # Pickled rows (a cached queryset) come back with the same mode.
        return "RAISE_LOUDLY"


RAISE_LOUDLY = RaiseLoudly()

MODES: dict[str, FetchMode] = {
    "raise": RAISE_LOUDLY,
    "peers": models.FETCH_PEERS,
    "one": models.FETCH_ONE,
}


def strict[Q: models.QuerySet[Any]](queryset: Q) -> Q:
    """``queryset`` in ``settings.CONSOLE_FETCH_MODE``: raise in dev and test, peers in prod."""
    return queryset.fetch_mode(MODES[settings.CONSOLE_FETCH_MODE])


def peers[Q: models.QuerySet[Any]](queryset: Q) -> Q:
    """``queryset`` fetching what a row lacks for all its peers in one query."""
    return queryset.fetch_mode(models.FETCH_PEERS)


@contextmanager
def watch_blocked_fetches() -> Iterator[list[str]]:
    """Collect the fetches blocked while the block runs ("Model.field", in order)."""
    blocked: list[str] = []
    token = _blocked.set(blocked)
    try:
        yield blocked
    finally:
        _blocked.reset(token)
