"""One rate limit per host for a whole fleet of workers, kept in Redis.

A single process limits itself (:class:`refcheck.net.http.HttpClient` holds a
concurrency slot per host and spaces requests by the ``X-Rate-Limit-*`` headers
it has seen).  When many processes on many machines check one corpus, each of
them doing so would multiply what a registry or web host receives by the number
of workers.  :class:`RedisLimiter` keeps the state in Redis instead, so that N
workers *together* stay within a host's limits:

- a **token bucket** per host whose rate is what the host published
  (``X-Rate-Limit-Limit`` / ``X-Rate-Limit-Interval``, learnt by any worker and
  seen by all) or what the configuration sets; the bucket holds one token, so
  requests are spaced evenly and no window of ``interval`` seconds ever sees more
  than ``limit`` of them, whatever window the host counts in;
- a **concurrency lease** per host (a sorted set of lease expiry times): never
  more requests in flight than the host allows, across the fleet; a lease of a
  worker that died expires by itself;
- a **first answer** per host: until some worker has heard from a host, requests to
  it go one at a time (the limit it publishes is not known yet);
- a **pause** per host: a ``Retry-After`` (or 429) seen by one worker stops every
  worker's requests to that host until it has passed.

Every decision is one Lua script run atomically by Redis on Redis's own clock
(``TIME``), so workers on machines whose clocks disagree share one timeline.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any, Protocol

__all__ = ["RedisLimiter", "SharedLimiter", "redis_limiter"]

_PREFIX = "refcheck:limit:"

# KEYS[1] bucket hash, KEYS[2] lease zset, KEYS[3] pause key.
# ARGV: lease id, default rate (req/s, 0 = none), concurrency, lease ms.
# Returns 0 when a token and a lease were taken, else milliseconds to wait.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
if paused > now then return paused - now end
local conc = tonumber(ARGV[3])
-- Until a host has answered once, nobody knows the limit it publishes: one request at a time.
if redis.call('HEXISTS', KEYS[1], 'seen') == 0 then conc = 1 end
if conc > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= conc then
    local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    local soonest = tonumber(first[2]) - now
    return math.max(1, math.min(soonest, 50))
  end
end
local rate = tonumber(redis.call('HGET', KEYS[1], 'rate') or ARGV[2])
if rate > 0 then
  -- Spaced from the last request granted, also the ones sent before the rate was known.
  local nxt = tonumber(redis.call('HGET', KEYS[1], 'last') or '0') + math.ceil(1000 / rate)
  if nxt > now then return math.max(1, nxt - now) end
end
redis.call('HSET', KEYS[1], 'last', now)
redis.call('PEXPIRE', KEYS[1], 86400000)
if conc > 0 then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[1])
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]) * 2)
end
return 0
"""

# KEYS[1] pause key; ARGV[1] milliseconds.  A longer pause already set is kept.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untl = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if untl > cur then redis.call('SET', KEYS[1], untl, 'PX', tonumber(ARGV[1]) + 1000) end
return 0
"""


class SharedLimiter(Protocol):
    """What :class:`~refcheck.net.http.HttpClient` asks before and after each request."""

    def hold(self, host: str) -> contextlib.AbstractContextManager[None]: ...

    def seen(self, host: str) -> None: ...

    def learn(self, host: str, limit: float, interval: float) -> None: ...

    def pause(self, host: str, seconds: float) -> None: ...


class RedisLimiter:
    """Fleet-wide limits per host in one Redis database (see the module docstring).

    ``rates`` (requests per second) and ``concurrency`` set limits for hosts
    before any of them publishes its own; ``default_concurrency`` applies to every
    other host.  ``margin`` keeps learnt rates a little under the published ones,
    so that clock jitter between the host's counter and ours never crosses them.
    """

    def __init__(
        self,
        client: Any,
        *,
        rates: dict[str, float] | None = None,
        concurrency: dict[str, int] | None = None,
        default_concurrency: int = 8,
        lease_seconds: float = 120.0,
        margin: float = 0.9,
    ) -> None:
        self.redis = client
        self.rates = {k.lower(): v for k, v in (rates or {}).items()}
        self.concurrency = {k.lower(): v for k, v in (concurrency or {}).items()}
        self.default_concurrency = default_concurrency
        self.lease_ms = int(lease_seconds * 1000)
        self.margin = margin
        self._acquire = client.register_script(_ACQUIRE)
        self._pause = client.register_script(_PAUSE)
        self._learnt: dict[str, float] = {}
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds this process spent waiting for the fleet's limits

    def _keys(self, host: str) -> list[str]:
        return [f"{_PREFIX}{host}:bucket", f"{_PREFIX}{host}:leases", f"{_PREFIX}{host}:pause"]

    @contextlib.contextmanager
    def hold(self, host: str) -> Iterator[None]:
        """Wait until the fleet may send one more request to ``host``, then hold a lease."""
        host = host.lower()
        lease = uuid.uuid4().hex
        keys = self._keys(host)
        args = [lease, self.rates.get(host, 0.0),
                self.concurrency.get(host, self.default_concurrency), self.lease_ms]
        while True:
            wait_ms = int(self._acquire(keys=keys, args=args))
            if wait_ms <= 0:
                break
            pause = min(wait_ms, 5000) / 1000
            self.waited += pause
            time.sleep(pause)
        try:
            yield
        finally:
            # A lost connection must not fail the request: the lease expires by itself.
            with contextlib.suppress(Exception):
                self.redis.zrem(keys[1], lease)

    def seen(self, host: str) -> None:
        """A host answered: what it publishes (or nothing) is known from now on."""
        host = host.lower()
        if host in self._seen:
            return
        with contextlib.suppress(Exception):
            self.redis.hset(self._keys(host)[0], "seen", 1)
            self._seen.add(host)

    def learn(self, host: str, limit: float, interval: float) -> None:
        """A host published its limit: every worker spaces its requests by it from now on."""
        if limit <= 0 or interval <= 0:
            return
        rate = limit / interval * self.margin
        host = host.lower()
        with self._lock:
            if self._learnt.get(host) == rate:
                return
            self._learnt[host] = rate
        configured = self.rates.get(host)
        if configured is not None:
            rate = min(rate, configured)
        with contextlib.suppress(Exception):
            self.redis.hset(self._keys(host)[0], "rate", rate)

    def pause(self, host: str, seconds: float) -> None:
        """A host said Retry-After: nobody in the fleet asks it again before then."""
        if seconds > 0:
            with contextlib.suppress(Exception):
                self._pause(keys=[self._keys(host.lower())[2]], args=[int(seconds * 1000)])


def redis_limiter(url: str, **kwargs: Any) -> RedisLimiter:
    """A :class:`RedisLimiter` on the Redis server at ``url`` (``redis://host:port/db``)."""
    try:
        from redis import Redis  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise RuntimeError(
            "a shared rate limit needs the redis package: pip install 'refcheck[cluster]'"
        ) from exc
    return RedisLimiter(Redis.from_url(url), **kwargs)
