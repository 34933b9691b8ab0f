"""Version keys for fragment caches that are never stale.

A cached fragment includes its namespace's version in its key. Whatever
changes what the fragment shows bumps the version on commit; the next render
misses and recomputes. Old entries are never read again and expire.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache

# A bump lost while the cache was unreachable must not leave fragments stale
# for long: versions also expire, which makes everything recompute at most
# every few minutes.
VERSION_TIMEOUT = 300


def _key(namespace: str) -> str:
    return f"version:{namespace}"


def cache_version(namespace: str) -> str:
    """The current version of ``namespace``, created on first use."""
    version = cache.get(_key(namespace))
    if version is None:
        candidate = uuid.uuid4().hex
        # add() so that two processes starting at once agree on one version.
        cache.add(_key(namespace), candidate, VERSION_TIMEOUT)
        version = cache.get(_key(namespace)) or candidate
    return str(version)


def bump_cache_version(namespace: str) -> None:
    """Make every fragment cached under ``namespace`` stale."""
    cache.set(_key(namespace), uuid.uuid4().hex, VERSION_TIMEOUT)


def get_with_versions(key: str, namespaces: tuple[str, ...]) -> tuple[dict[str, str | None], Any]:
    """The value under ``key`` and the current versions of ``namespaces``, in one
    cache read (``get_many``). A version not set yet (or expired) is None:
    nothing cached before can match it, so the caller computes, reading the
    versions with ``cache_version`` first."""
    found = cache.get_many([key, *(_key(namespace) for namespace in namespaces)])
    versions = {namespace: found.get(_key(namespace)) for namespace in namespaces}
    return versions, found.get(key)
