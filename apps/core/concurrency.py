"""Optimistic concurrency for edits: no lost update, on every database.

A record that staff edit in a form carries an integer ``version``. The form
carries the version it was loaded at; the service saves only if the row is
still at that version, in one conditional ``UPDATE … WHERE version = n``
that also bumps it. That is atomic on SQLite (which has no row locks) as on
PostgreSQL, and it holds even when the caller forgot to lock the row. A save
over a newer version raises ``StaleEdit``: nothing is written, and the view
shows the fresh values beside the user's (``apps.core.web.forms``).

Only the fields the user changed are written, and the event of an edit
records each one's old and new value (``field_changes``), so an edit can
always be read back and undone by hand.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from .errors import ConcurrentChange


class StaleEdit(ConcurrentChange):
    """The record changed since the form was loaded; nothing was saved (409).

    ``current`` is the record as it is now, to show beside the user's input.
    """

    def __init__(self, message: str, *, current: models.Model) -> None:
        super().__init__(message)
        self.current = current


def require_version(instance: models.Model, version: int, *, noun: str) -> None:
    """``StaleEdit`` unless ``instance`` (read under lock) is still at ``version``."""
    if instance.version != version:  # type: ignore[attr-defined]
        raise StaleEdit(_stale_message(noun), current=instance)


def save_if_current(instance: models.Model, *, version: int, fields: list[str], noun: str) -> None:
    """Write ``fields`` of ``instance`` (and its ``auto_now`` fields) and bump its
    version, only if its row is still at ``version``; else ``StaleEdit`` with
    the row as it is now, and nothing written."""
    model = type(instance)
    values = {name: getattr(instance, name) for name in fields}
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            values[field.attname] = field.pre_save(instance, add=False)
    written = model._default_manager.filter(pk=instance.pk, version=version).update(
        **values, version=version + 1
    )
    if written != 1:
        instance.refresh_from_db()
        raise StaleEdit(_stale_message(noun), current=instance)
    instance.version = version + 1  # type: ignore[attr-defined]


def field_changes(before: dict[str, Any], instance: models.Model, fields: list[str]) -> dict:
    """``{field: {"old": …, "new": …}}`` for an edit's event payload."""
    return {name: {"old": before[name], "new": getattr(instance, name)} for name in fields}


def _stale_message(noun: str) -> str:
    return (
        f"Someone else changed this {noun} after you opened the form, so nothing was saved. "
        "Their values are shown beside yours: check them and save again."
    )
