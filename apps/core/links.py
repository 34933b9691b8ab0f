"""A page's address by its key without a ``reverse()`` per row.

``reverse()`` walks the URLconf's patterns on every call (20 to 70 µs here); a
list links every row, some rows twice. ``page_url(name, key)`` reverses
``name`` once (per URLconf and script prefix) with a placeholder and puts the
key in its place, quoted as ``reverse()`` quotes it. For patterns with one
``int``, ``str`` or ``slug`` argument, whose converters write the key as
``str(key)``. Unlike ``reverse()`` it does not check the key against the
converter: the keys come from the rows themselves.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

# Digits: a valid value for an int, a str and a slug converter alike.
PLACEHOLDER = "9081726354"


@lru_cache(maxsize=64)
def _around(name: str, urlconf: str | None, prefix: str) -> tuple[str, str]:
    before, _, after = reverse(name, args=[PLACEHOLDER], urlconf=urlconf).partition(PLACEHOLDER)
    return before, after


def page_url(name: str, key: object) -> str:
    """``reverse(name, args=[key])`` for a one-argument pattern, from a cached template."""
    before, after = _around(name, get_urlconf(), get_script_prefix())
    return before + quote(str(key), safe=RFC3986_SUBDELIMS + "/~:@") + after
