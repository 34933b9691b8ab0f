"""A Redis cache that degrades to a miss when Redis is down.

Fragment caches and throttles are optimisations: if Redis is unreachable the
page must still render (recomputed) rather than fail with a 500. Reads
become misses and writes are dropped, each logged.

A Redis that accepts connections and never answers costs each call the
socket timeout (``OPTIONS`` in settings); after one such failure this cache
does not try Redis again for ``PAUSE_SECONDS``, so a request pays for at
most one timeout rather than one per cache call. A write dropped meanwhile
is bounded like any outage: cache versions expire (``apps.core.cache``).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
PAUSE_SECONDS = 5.0


class ResilientRedisCache(RedisCache):
    # Monotonic time before which Redis is not tried (per cache object: one per thread).
    _paused_until = 0.0

    def _paused(self) -> bool:
        return time.monotonic() < self._paused_until

    def _failed(self, what: str) -> None:
        self._paused_until = time.monotonic() + PAUSE_SECONDS
        logger.warning("cache unavailable: %s; Redis not tried for %.0f s", what, PAUSE_SECONDS)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        if self._paused():
            return default
        try:
            return super().get(key, default, version)
        except OUTAGE_ERRORS:
            self._failed(f"get {key} treated as a miss")
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        if self._paused():
            return {}
        try:
            return super().get_many(keys, version)
        except OUTAGE_ERRORS:
            self._failed("get_many treated as misses")
            return {}

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        if self._paused():
            return
        try:
            super().set(key, value, timeout, version)
        except OUTAGE_ERRORS:
            self._failed(f"set {key} dropped")

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        # "Added" makes callers that use add() as a throttle do their work,
        # which is the safe side: the work itself is idempotent.
        if self._paused():
            return True
        try:
            return bool(super().add(key, value, timeout, version))
        except OUTAGE_ERRORS:
            self._failed(f"add {key} treated as added")
            return True

    def delete(self, key: Any, version: int | None = None) -> bool:
        if self._paused():
            return False
        try:
            return bool(super().delete(key, version))
        except OUTAGE_ERRORS:
            self._failed(f"delete {key} dropped")
            return False
