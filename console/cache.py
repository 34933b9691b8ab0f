"""A Redis cache that degrades to a miss when Redis is down.

Fragment caches and throttles are optimisations: if Redis is unreachable the
page must still render (recomputed) rather than fail with a 500. Reads
become misses and writes are dropped, each logged.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except OUTAGE_ERRORS:
            logger.warning("cache unavailable: get %s treated as a miss", key)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except OUTAGE_ERRORS:
            logger.warning("cache unavailable: get_many treated as misses")
            return {}

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except OUTAGE_ERRORS:
            logger.warning("cache unavailable: set %s dropped", key)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        try:
            return bool(super().add(key, value, timeout, version))
        except OUTAGE_ERRORS:
            # "Added" makes callers that use add() as a throttle do their work,
            # which is the safe side: the work itself is idempotent.
            logger.warning("cache unavailable: add %s treated as added", key)
            return True

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return bool(super().delete(key, version))
        except OUTAGE_ERRORS:
            logger.warning("cache unavailable: delete %s dropped", key)
            return False
