"""The shared cache on Redis, degrading instead of failing while Redis is down.

Everything this project keeps in the cache can be recomputed or is a limit that may lapse for a moment: the
risk list's counts and the data version in their keys (``risks.signals``), the dashboard's fingerprint, the
pages' and the API's rate-limit counters. Sessions and sign-in throttling live in the database. So when Redis
cannot be reached a read is a miss, a write is dropped and a counter counts from its step — the page answers
(as django-redis's ``IGNORE_EXCEPTIONS`` would) — and after one failure this process leaves Redis alone for
``RETRY_AFTER`` seconds, so that each request does not wait for another connection attempt. Each outage is
logged once per process, at WARNING.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds without trying Redis again after a failure (per process)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0, **params.get("OPTIONS", {})}
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._down_until = 0.0

    def _guard(self, call, fallback):
        if time.monotonic() < self._down_until:
            return fallback
        try:
            result = call()
        except (RedisError, OSError) as exc:
            if not self._down_until:
                log.warning("cache unavailable (%s): serving without it", exc.__class__.__name__)
            self._down_until = time.monotonic() + RETRY_AFTER
            return fallback
        if self._down_until:
            log.warning("cache available again")
            self._down_until = 0.0
        return result

    def get(self, key, default=None, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).get(key, default, version), default)

    def get_many(self, keys, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), list(data))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def delete_many(self, keys, version=None):
        return self._guard(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def incr(self, key, delta=1, version=None):
        # a missing key still raises ValueError (callers then set it); an unreachable Redis counts from ``delta``
        return self._guard(lambda: super(ResilientRedisCache, self).incr(key, delta, version), delta)

    def clear(self):
        return self._guard(lambda: super(ResilientRedisCache, self).clear(), False)
