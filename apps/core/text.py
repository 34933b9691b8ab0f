"""Input rules every context applies the same way.

PostgreSQL refuses a value longer than its column (a DataError, a 500);
SQLite stores it silently. Services check lengths here first and say which
field is too long, so bad input gets a message on every database.
"""

from __future__ import annotations

from django.utils.text import slugify

from .errors import InvalidInput


def make_slug(value: str, *, max_length: int) -> str:
    """A slug from ``value`` that fits its column (cut at a word boundary when possible)."""
    slug = slugify(value)
    if len(slug) <= max_length:
        return slug
    cut = slug[:max_length]
    if "-" in cut and slug[max_length] != "-":
        cut = cut.rsplit("-", 1)[0]
    return cut.strip("-")


def require_length(value: str, *, field: str, label: str, max_length: int) -> str:
    """``value`` unchanged, or ``InvalidInput`` naming the field when it is too long."""
    if len(value) > max_length:
        raise InvalidInput(f"{label} has at most {max_length} characters.", field=field)
    return value
