"""One rate limit per host for a whole fleet of workers, kept in Redis.

A single process limits itself (:class:`refcheck.net.http.HttpClient` holds a
concurrency slot per host and spaces requests by the ``X-Rate-Limit-*`` headers
it has seen).  When many processes on many machines check one corpus, each of
them doing so would multiply what a registry or web host receives by the number
of workers.  :class:`RedisLimiter` keeps the state in Redis instead, so that N
workers *together* stay within a host's limits:

- a **sliding window** per host: the times of its latest grants (a sorted set),
  against the limit the host published (``X-Rate-Limit-Limit`` /
  ``X-Rate-Limit-Interval``, learnt by any worker and seen by all) or the rate the
  configuration sets.  A request counts from its grant until one ``interval`` after
  its answer began to arrive (or it ended): a busy worker's thread may wait for the
  interpreter a good while between its grant and sending (400 ms measured under
  load), and counted from the grant, requests sent late would share a window with
  the next ones.  So no window of ``interval`` seconds ever holds more than
  ``limit`` arrivals, whatever window the host counts in, and up to ``limit``
  requests may leave together: N requests take about ``N / limit - 1`` intervals
  (plus their latency), where an even spacing would take ``N / limit``.  Requests
  granted before the limit was known count against it;
- a **concurrency lease** per host (a sorted set of lease expiry times): never
  more requests in flight than the host allows, across the fleet; leases are short
  and renewed while their request is on its way (:mod:`refcheck.net.renewal`), so a
  worker that died frees its places within seconds;
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
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from refcheck.net.renewal import LEASE, Renewal

__all__ = ["FleetGrant", "RedisLimiter", "SharedLimiter", "redis_limiter"]

_PREFIX = "refcheck:limit:"

# KEYS[1] limit hash, KEYS[2] lease zset, KEYS[3] pause key, KEYS[4] grant zset.
# ARGV: lease id, default rate (req/s, 0 = none), concurrency, lease ms, slack.
# Returns 0 when a grant and a lease were taken, else milliseconds to wait.
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
local limit = tonumber(redis.call('HGET', KEYS[1], 'limit') or '0')
local window = tonumber(redis.call('HGET', KEYS[1], 'window') or '0')
local rate = tonumber(ARGV[2])
if limit <= 0 and rate > 0 then
  -- A configured rate of r a second: floor(r) requests (at least one) per floor(r) / r s.
  limit = math.max(1, math.floor(rate))
  window = math.ceil(1000 * limit / rate * tonumber(ARGV[5]))
end
if limit > 0 and window > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - window)
  local held = redis.call('ZCARD', KEYS[4])
  if held >= limit then
    -- Wait until the oldest request that keeps the window full has left it; one still
    -- on its way (scored in the future) may end any moment: ask again soon.
    local oldest = redis.call('ZRANGE', KEYS[4], held - limit, held - limit, 'WITHSCORES')
    local score = tonumber(oldest[2])
    if score > now then return 50 end
    return math.max(1, score + window - now)
  end
else
  -- No limit known yet: keep the last minute's requests, to count once it is learnt.
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - 60000)
end
-- Scored in the future while on its way (counted in every window until it ends), then
-- at the time it ended (_RELEASE).
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[4]), ARGV[1])
redis.call('PEXPIRE', KEYS[4], math.max(window, 60000) * 2)
redis.call('PEXPIRE', KEYS[1], 86400000)
if conc > 0 then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[1])
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]) * 2)
end
return 0
"""

# KEYS[1] lease zset, KEYS[2] grant zset; ARGV[1] lease id, ARGV[2] 1 to give the lease
# back too.  A request's answer has begun to arrive (or it has ended): it counts in the
# window from now, when it has certainly reached the host (however long its thread waited
# to send it after the grant), unless it counts from its arrival already.  At its end its
# lease is given back.
_RELEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[2] == '1' then redis.call('ZREM', KEYS[1], ARGV[1]) end
local score = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[1]) or '0')
if score > now then redis.call('ZADD', KEYS[2], 'XX', now, ARGV[1]) end
return 0
"""

# KEYS[1] lease zset, KEYS[2] grant zset; ARGV[1] lease id.  A grant that sent nothing
# (the cache answered meanwhile) leaves both at once.
_REFUND = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 0
"""

# KEYS: (lease zset, grant zset) per lease held; ARGV[1] lease ms, then the lease ids in
# the same order.  Requests still on their way keep their places a while longer.
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
local untl = now + lease
for i = 2, #ARGV do
  local leases, grants = KEYS[2 * i - 3], KEYS[2 * i - 2]
  redis.call('ZADD', leases, 'XX', untl, ARGV[i])
  -- Only a request still on its way (scored in the future): one that ended while this
  -- renewal was under way counts from its end, and re-scored it would hold a place in
  -- the window for a whole lease (a registry allowing two a second crawled).
  local score = tonumber(redis.call('ZSCORE', grants, ARGV[i]) or '0')
  if score > now then redis.call('ZADD', grants, 'XX', untl, ARGV[i]) end
  -- The sets themselves must outlive what they hold.
  redis.call('PEXPIRE', leases, lease * 2)
  local ttl = redis.call('PTTL', grants)
  if ttl >= 0 and ttl < lease * 2 then redis.call('PEXPIRE', grants, lease * 2) end
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


class FleetGrant:
    """A place in the fleet's window for one request.  ``granted`` is False when the
    wait ended because the answer reached the shared cache meanwhile (``answered``):
    nothing may be sent then.  :meth:`refund` gives the place back unused."""

    def __init__(self, limiter: RedisLimiter | None, keys: list[str], lease: str) -> None:
        self._limiter, self._keys, self._lease = limiter, keys, lease
        self.granted = limiter is not None
        self.refunded = False
        self._arrived = False

    def arrived(self) -> None:
        """The answer has begun to arrive: the request counts in the window from now
        (the lease stays until it ends)."""
        if self._limiter is None or self.refunded or self._arrived:
            return
        self._arrived = True
        with contextlib.suppress(Exception):
            self._limiter._release(keys=[self._keys[1], self._keys[3]], args=[self._lease, 0])

    def refund(self) -> None:
        if self._limiter is None or self.refunded:
            return
        self.refunded = True
        with contextlib.suppress(Exception):
            self._limiter._refund(keys=[self._keys[1], self._keys[3]], args=[self._lease])


class SharedLimiter(Protocol):
    """What :class:`~refcheck.net.http.HttpClient` asks before and after each request."""

    def hold(self, host: str, answered: Callable[[], bool] | None = None,
             ) -> contextlib.AbstractContextManager[FleetGrant]: ...

    def seen(self, host: str) -> None: ...

    def learn(self, host: str, limit: float, interval: float) -> None: ...

    def pause(self, host: str, seconds: float) -> None: ...


class RedisLimiter:
    """Fleet-wide limits per host in one Redis database (see the module docstring).

    ``rates`` (requests per second) and ``concurrency`` set limits for hosts
    before any of them publishes its own; ``default_concurrency`` applies to every
    other host.  ``slack`` widens every window a little (2 %), for a host that
    rounds the times it counts.
    """

    def __init__(
        self,
        client: Any,
        *,
        rates: dict[str, float] | None = None,
        concurrency: dict[str, int] | None = None,
        default_concurrency: int = 8,
        lease_seconds: float = LEASE,
        slack: float = 1.02,
    ) -> None:
        self.redis = client
        self.rates = {k.lower(): v for k, v in (rates or {}).items()}
        self.concurrency = {k.lower(): v for k, v in (concurrency or {}).items()}
        self.default_concurrency = default_concurrency
        self.lease_ms = int(lease_seconds * 1000)
        self.slack = slack
        self._acquire = client.register_script(_ACQUIRE)
        self._pause = client.register_script(_PAUSE)
        self._release = client.register_script(_RELEASE)
        self._refund = client.register_script(_REFUND)
        self._renew_script = client.register_script(_RENEW)
        self._renewal = Renewal(self._renew)
        self._learnt: dict[str, tuple[int, int]] = {}
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds this process spent waiting for the fleet's limits

    def _keys(self, host: str) -> list[str]:
        return [f"{_PREFIX}{host}:bucket", f"{_PREFIX}{host}:leases", f"{_PREFIX}{host}:pause",
                f"{_PREFIX}{host}:grants"]

    @contextlib.contextmanager
    def hold(self, host: str,
             answered: Callable[[], bool] | None = None) -> Iterator[FleetGrant]:
        """Wait until the fleet may send one more request to ``host``, then hold a lease.

        ``answered`` is asked between waits: once it says the answer is in the shared
        cache (another worker's request brought it), the wait ends without a grant.
        Otherwise a worker that waited for the same answer would spend a place in the
        window on reading the cache: at 2,000 files a third of the registry's places went
        that way, and its requests went at half the rate allowed.
        """
        host = host.lower()
        lease = uuid.uuid4().hex
        keys = self._keys(host)
        args = [lease, self.rates.get(host, 0.0),
                self.concurrency.get(host, self.default_concurrency), self.lease_ms, self.slack]
        while True:
            wait_ms = int(self._acquire(keys=keys, args=args))
            if wait_ms <= 0:
                break
            # Asked before each sleep, the first one included: a request that queued
            # behind others in its own process (HostLimits) often finds its answer
            # there by now.  Asked only after sleeping, each of those requests slept
            # 250 ms first, one after another, and a cluster's tasks learnt the
            # registry's last answers 1.4 s after they came.
            if answered is not None and answered():
                yield FleetGrant(None, keys, lease)
                return
            # Waiting for an answer that may come through the cache: look again soon.
            pause = min(wait_ms, 5000 if answered is None else 250) / 1000
            self.waited += pause
            time.sleep(pause)
        grant = FleetGrant(self, keys, lease)
        held = f"{host}\t{lease}"
        self._renewal.hold(held)
        try:
            yield grant
        finally:
            self._renewal.drop(held)
            if not grant.refunded:
                # A lost connection must not fail the request: the lease expires by itself.
                with contextlib.suppress(Exception):
                    self._release(keys=[keys[1], keys[3]], args=[lease, 1])

    def _renew(self, held: list[str]) -> None:
        keys: list[str] = []
        leases: list[str] = []
        for item in held:
            host, lease = item.split("\t")
            mine = self._keys(host)
            keys += [mine[1], mine[3]]
            leases.append(lease)
        self._renew_script(keys=keys, args=[self.lease_ms, *leases])

    def seen(self, host: str) -> None:
        """A host answered: what it publishes (or nothing) is known from now on."""
        host = host.lower()
        if host in self._seen:
            return
        with contextlib.suppress(Exception):
            self.redis.hset(self._keys(host)[0], "seen", 1)
            self._seen.add(host)

    def learn(self, host: str, limit: float, interval: float) -> None:
        """A host published its limit: every worker keeps to it from now on."""
        if limit <= 0 or interval <= 0:
            return
        host = host.lower()
        count = max(1, int(limit))
        configured = self.rates.get(host)
        if configured is not None and configured < count / interval:
            # The configuration asks for less than the host allows: keep to that.
            count = max(1, int(configured))
            interval = count / configured
        window_ms = round(interval * 1000 * self.slack)
        with self._lock:
            if self._learnt.get(host) == (count, window_ms):
                return
            self._learnt[host] = (count, window_ms)
        with contextlib.suppress(Exception):
            self.redis.hset(self._keys(host)[0], mapping={"limit": count, "window": window_ms})

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
