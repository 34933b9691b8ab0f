"""Input rules every context applies the same way: lengths, slugs, searches.

PostgreSQL refuses a value longer than its column (a DataError, a 500);
SQLite stores it silently. Services check lengths here first and say which
field is too long, so bad input gets a message on every database.
"""

from __future__ import annotations

from django.db.models import Q
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


# A search is a few words typed by a person. Longer input (a pasted page, a
# script) is cut here rather than turned into a query with thousands of terms:
# one LIKE per word made a 5,000-word search run for half a minute and then
# fail on SQLite ("Expression tree is too large").
MAX_SEARCH_LENGTH = 200
MAX_SEARCH_WORDS = 10


def search_text(query: str) -> str:
    """``query`` stripped and cut to ``MAX_SEARCH_LENGTH`` characters."""
    return query.strip()[:MAX_SEARCH_LENGTH].strip()


def search_words(query: str) -> list[str]:
    """The words of a search: at most ``MAX_SEARCH_WORDS`` of the first
    ``MAX_SEARCH_LENGTH`` characters."""
    return search_text(query).split()[:MAX_SEARCH_WORDS]


def every_word_in_any(query: str, *lookups: str) -> Q:
    """One ``Q``: each word of ``query`` (bounded by ``search_words``) matches
    at least one of ``lookups`` (e.g. ``"name__icontains"``). No words: ``Q()``."""
    condition = Q()
    for word in search_words(query):
        any_field = Q()
        for lookup in lookups:
            any_field |= Q(**{lookup: word})
        condition &= any_field
    return condition


# Trigram indexes (pg_trgm, SQLite FTS5's trigram tokenizer) find a substring
# of at least this many characters; a shorter one has no trigram to look up.
INDEXED_SEARCH_LENGTH = 3


def fts5_phrase(text: str) -> str:
    """``text`` as one SQLite FTS5 phrase: quoted, its own quotes doubled, so
    nothing a user types is read as FTS5 query syntax (``OR``, ``*``, ``:``)."""
    return '"' + text.replace('"', '""') + '"'
