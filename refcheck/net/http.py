"""The one HTTP layer: a cached, guarded, polite, bounded session.

Everything refcheck sends goes through :class:`HttpClient`: registry lookups
(Crossref, the DOI proxy) and link checks.  It owns one requests-cache
``CachedSession`` (SQLite in the user cache directory, Redis by config, or
memory with ``--no-cache``), the address guard, timeouts, retries with
exponential backoff and jitter, ``Retry-After`` and ``X-Rate-Limit-*``
handling, and a per-host concurrency limit.  Link checks follow redirects one
hop at a time, ask with HEAD first and never read a body: a 10 GB response
costs one set of headers.

Results are typed (a timeout is not a dead link; :mod:`refcheck.net.outcomes`) and
only definite answers are cached: registry records for weeks, link answers for days,
404/410 for a day, and nothing for timeouts, 429 or 5xx.  One answer is asked for
once at a time: the process's threads and, with Redis, the fleet's workers that want
it meanwhile wait for it and read it from the cache.

Read-only cache mode (``--cache-read-only``, :attr:`HttpConfig.read_only`)
replays a cache filled by earlier runs: every request is answered from the
cache (expired entries included, as stale-if-error would) and nothing is ever
sent.  A request the cache cannot answer ends in
:class:`~refcheck.net.outcomes.NotCachedError`,
status ``uncached``, which callers treat as "not checked" — never as a dead
link or a missing work — and which :attr:`HttpClient.not_cached` counts so the
run can say so once.
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from refcheck import __version__
from refcheck.config import ConfigError
from refcheck.net.bounded import budget
from refcheck.net.doicache import open_store
from refcheck.net.guard import SCHEMES, AddressGuard, pool_classes
from refcheck.net.hostlimits import Grant, HostLimits
from refcheck.net.linkcache import LinkCache
from refcheck.net.outcomes import (
    LinkResult,
    NotCachedError,
    ProxiedTargetBlockedError,
    Reply,
    classify_exception,
    retry_after,
)

if TYPE_CHECKING:
    from refcheck.net.ratelimit import FleetGrant


@contextmanager
def _hidden(names: tuple[str, ...]) -> Iterator[None]:
    """Make ``import name`` fail for modules not yet loaded, for the block's length."""
    import sys

    hidden = [n for n in names if n not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in hidden:
            sys.modules.pop(name, None)


# requests_cache's package imports every storage backend whose library is installed
# (boto3 for DynamoDB, pymongo, redis) and every serializer's (yaml, bson): 0.5-0.8 s of
# each run's start-up where they are present.  refcheck stores in SQLite or memory, and
# imports the Redis backend from its own module when a fleet asks for it, so the others
# are kept out of that first import (they stay importable afterwards).
with _hidden(("boto3", "botocore", "pymongo", "gridfs", "bson", "redis", "yaml")):
    import requests_cache

PROJECT_URL = "https://github.com/refcheck/refcheck"
_REDIRECTS = (301, 302, 303, 307, 308)
_PERMANENT = (301, 308)
# Servers that refuse HEAD (or answer it wrongly) get a GET.
_HEAD_FALLBACK = (400, 403, 404, 405, 410, 501)
# Request parameters and headers that carry credentials: kept out of the cache.
SECRET_PARAMS = ("api_key", "apikey", "access_token", "Authorization", "Proxy-Authorization",
                 "X-API-Key")
_CACHEABLE = (200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 410)


@dataclass
class HttpConfig:
    timeout: float = 15.0
    retries: int = 2  # extra attempts after the first, on connection errors, 429 and 5xx
    backoff: float = 0.5  # seconds; doubled each attempt, plus jitter
    max_retry_after: float = 30.0  # a longer Retry-After is not waited for
    max_redirects: int = 10
    # Threads checking links at once: enough to fill 10 hosts' 8 slots each.
    global_limit: int = 80
    per_host_limit: int = 8
    host_limits: dict[str, int] = field(default_factory=dict)  # host -> concurrency
    mailto: str | None = None
    allow_hosts: list[str] = field(default_factory=list)
    allow_private: bool = False
    # Every request through this proxy (--proxy); None: none, whatever the environment says.
    proxy: str | None = None
    cache_dir: str | None = None
    no_cache: bool = False
    cache_backend: str = "sqlite"
    redis_url: str | None = None
    read_only: bool = False  # answer from the cache only (offline replay)
    # Limits shared with other processes (refcheck.net.ratelimit.RedisLimiter): a fleet
    # of workers that together must stay within each host's limits.
    shared_limiter: Any = None
    registry_ttl: timedelta = timedelta(days=30)
    link_ttl: timedelta = timedelta(days=3)
    failure_ttl: timedelta = timedelta(days=1)
    # Bounds on one request (every attempt): the bytes of an answer, and the seconds
    # from sending it to its last byte (None: twice the timeout, at least 10 s).
    max_body: int = 32 * 1024 * 1024
    total_timeout: float | None = None
    # Seconds of failed attempts and back-off a host may cost the whole run before
    # its requests stop being retried (None: four times the timeout, at least 10 s).
    retry_budget: float | None = None

    @property
    def request_deadline(self) -> float:
        if self.total_timeout is not None:
            return self.total_timeout
        return max(10.0, 2 * self.timeout)

    @property
    def host_retry_budget(self) -> float:
        if self.retry_budget is not None:
            return self.retry_budget
        return max(10.0, 4 * self.timeout)

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.mailto}" if self.mailto else ""
        return f"refcheck/{__version__} (+{PROJECT_URL}{contact})"


def cache_key(request: Any, **kwargs: Any) -> str:
    """requests-cache's key, with credentials dropped from the URL instead of redacted.

    requests-cache replaces an ignored parameter's value with ``REDACTED``, so a
    request with a key and one without would be two entries; dropping it lets a
    run with a key, another key or none (a CI runner and a laptop sharing one
    Redis) use the same answers.
    """
    import copy
    from urllib.parse import parse_qsl, urlencode, urlunsplit

    from requests_cache.cache_keys import create_key

    url = getattr(request, "url", None)
    if isinstance(url, str) and "?" in url:
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if k not in SECRET_PARAMS]
        if len(kept) != len(pairs):
            request = copy.copy(request)
            request.url = urlunsplit(parts._replace(query=urlencode(kept)))
    key: str = create_key(request, **kwargs)
    return key


def default_cache_dir() -> str:
    import platformdirs

    return platformdirs.user_cache_dir("refcheck")


def _backend(cfg: HttpConfig) -> Any:
    if cfg.no_cache:
        from requests_cache.backends.base import BaseCache

        return BaseCache()  # memory: dedupes within a run only
    if cfg.cache_backend == "redis":
        # Optional dependencies: only teams sharing one cache between runners need them.
        try:
            from redis import Redis  # type: ignore[import-not-found,unused-ignore]
            from requests_cache.backends.redis import RedisCache
        except ImportError as exc:
            raise ConfigError(
                "cache-backend = \"redis\" needs the redis package "
                "(pip install 'refcheck[redis]')") from exc
        try:
            return RedisCache(
                connection=Redis.from_url(cfg.redis_url or "redis://localhost:6379/0"))
        except ValueError as exc:  # a malformed URL
            raise ConfigError(f"redis-url: {exc}") from exc
    import sqlite3

    from requests_cache.backends.sqlite import SQLiteCache

    directory = cfg.cache_dir or default_cache_dir()
    try:
        os.makedirs(directory, exist_ok=True)
        if not os.access(directory, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, "not writable")
        return SQLiteCache(os.path.join(directory, "http_cache.sqlite"), wal=True)
    except (OSError, sqlite3.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if isinstance(exc, FileExistsError) or os.path.isfile(directory):
            reason = "it is a file, not a directory"
        raise ConfigError(f"cache directory {directory}: {reason} "
                          "(use --cache-dir DIR or --no-cache)") from exc


def _arrival(grant: Grant, fleet: FleetGrant | None) -> Callable[..., None]:
    """A response hook (requests calls it once the status line and headers are in, before
    the body is read): the request has reached the host, and its place in the host's
    window counts from now, not from when its body has been read and stored."""
    def arrived(response: requests.Response, *_: Any, **__: Any) -> None:
        if not getattr(response, "from_cache", False):
            grant.arrived()
            if fleet is not None:
                fleet.arrived()
    return arrived


class HttpClient:
    """The shared session and the policies around it; safe to use from many threads."""

    def __init__(self, cfg: HttpConfig) -> None:
        self.cfg = cfg
        self.guard = AddressGuard.from_settings(cfg.allow_hosts, cfg.allow_private)
        self.session = requests_cache.CachedSession(
            backend=_backend(cfg),
            allowable_codes=_CACHEABLE,
            # POST only carries read-only registry queries with a JSON body (Semantic
            # Scholar's batch lookup); the body is part of the cache key.
            allowable_methods=("GET", "HEAD", "POST"),
            stale_if_error=True,
            expire_after=cfg.link_ttl,
            # API keys (OpenAlex, E-utilities) are neither part of a cache key nor stored.
            ignored_parameters=SECRET_PARAMS,
            key_fn=cache_key,
        )
        # A proxy is used only when the user names one (--proxy): the guard vets the
        # address a socket connects to, which through a proxy is the proxy's, and the
        # proxy resolves the target's name again (see _proxy_refusal).  The proxy named
        # is the user's own infrastructure: its host is allowed.
        proxy_host = urlsplit(cfg.proxy).hostname if cfg.proxy else None
        if proxy_host:
            self.guard = AddressGuard(self.guard.allow_hosts | {proxy_host},
                                      self.guard.allow_private)
        adapter = HTTPAdapter(pool_connections=64, pool_maxsize=max(4, cfg.global_limit),
                              max_retries=0)
        adapter.poolmanager.pool_classes_by_scheme = pool_classes(self.guard)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = cfg.user_agent
        # requests-cache reads the whole body of whatever it may store (even with
        # expire_after=DO_NOT_CACHE), so uncached GETs go through a plain session that
        # shares the guarded connection pools and never touches the body.
        self.plain = requests.Session()
        self.plain.mount("http://", adapter)
        self.plain.mount("https://", adapter)
        self.plain.headers["User-Agent"] = cfg.user_agent
        # Neither proxy variables nor ~/.netrc are read (credentials for whatever host a
        # bibliography names); requests would also look for them on every request.
        self.session.trust_env = False
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:  # what requests would have read from the environment
            self.session.verify = self.plain.verify = bundle
        self.plain.trust_env = False
        if cfg.proxy:
            self.session.proxies = self.plain.proxies = {"http": cfg.proxy, "https": cfg.proxy}
        self.limits = HostLimits(cfg.per_host_limit, cfg.host_limits)
        self._count_lock = threading.Lock()
        self.sent = 0  # requests that reached the network (not answered by the cache)
        self.sent_by_host: dict[str, int] = {}
        self.not_cached = 0  # read-only mode: requests the cache could not answer
        self._proxy_for: dict[tuple[str, str], str | None] = {}
        self.cache_hits = 0  # requests answered by the cache
        # Registry answers per identifier, so batches of different sets share them.
        self.records = open_store(no_cache=cfg.no_cache, backend=cfg.cache_backend,
                                  redis_url=cfg.redis_url,
                                  directory=cfg.cache_dir or default_cache_dir(),
                                  read_only=cfg.read_only)
        # Link hops look up, send and store on their own path (see refcheck.net.linkcache);
        # read-only replay keeps the session's, which also serves expired answers.
        self.links = None if cfg.read_only else LinkCache(
            self.session, self.plain, stored=_CACHEABLE, link_ttl=cfg.link_ttl,
            failure_ttl=cfg.failure_ttl)

    def _fleet_slot(self, host: str, answered: Callable[[], bool] | None,
                    ) -> contextlib.AbstractContextManager[Any]:
        shared = self.cfg.shared_limiter
        return contextlib.nullcontext() if shared is None else shared.hold(host, answered)

    def _fleet_learn(self, host: str, response: requests.Response) -> None:
        """Tell the other workers what this host published or asked for."""
        shared = self.cfg.shared_limiter
        if shared is None:
            return
        headers = response.headers
        with contextlib.suppress(ValueError, TypeError):
            limit = headers.get("X-Rate-Limit-Limit")
            interval = headers.get("X-Rate-Limit-Interval")
            if limit and interval:
                shared.learn(host, float(limit), float(str(interval).strip().rstrip("s")))
        shared.seen(host)
        if response.status_code == 429 or response.status_code >= 500:
            wait = retry_after(headers.get("Retry-After"))
            if wait is None and response.status_code == 429:
                wait = self.cfg.backoff
            if wait is not None:
                shared.pause(host, min(wait, self.cfg.max_retry_after))

    def close(self) -> None:
        if self.links is not None:
            self.links.close()  # before the session's backend closes: queued answers
        self.records.close()
        self.plain.close()
        self.session.close()  # type: ignore[no-untyped-call]

    # -- sending -------------------------------------------------------------------------

    def _count(self, host: str) -> None:
        with self._count_lock:
            self.sent += 1
            self.sent_by_host[host] = self.sent_by_host.get(host, 0) + 1

    def _count_hit(self) -> None:
        with self._count_lock:
            self.cache_hits += 1

    def _sleep_backoff(self, attempt: int, wait: float | None = None) -> None:
        delay = wait if wait is not None else self.cfg.backoff * (2**attempt)
        time.sleep(delay + random.uniform(0, self.cfg.backoff / 2))

    def send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        ttl: timedelta | None = None,
        cache: bool = True,
        headers: dict[str, str] | None = None,
        max_bytes: int | None = None,
        seconds: float | None = None,
        json_body: Any = None,
        prepared: requests.PreparedRequest | None = None,
    ) -> requests.Response | BaseException:
        """One request with retries; the response (body not read) or the final exception.

        Each attempt's answer is read within ``max_bytes`` (default
        ``cfg.max_body``) and ``seconds`` from sending to its last byte
        (default ``cfg.request_deadline``), also when the caller reads a
        streamed body later.  Retries stop for good once the host has cost the
        run ``cfg.host_retry_budget`` seconds of failed attempts and back-off.
        ``prepared``: this request, built already (uncached sends only; the link
        cache builds it once for its key too).
        """
        if self.cfg.read_only:
            return self._from_cache(method, url, params, headers, json_body)
        host = (urlsplit(url).hostname or "").lower()
        refused = self._proxy_refusal(url)
        if refused is not None:
            return refused
        limit = self.cfg.max_body if max_bytes is None else max_bytes
        deadline = self.cfg.request_deadline if seconds is None else seconds
        cached = cache and not self.cfg.no_cache
        if cached:
            # A fresh answer in the cache sends nothing, so it waits for no host slot,
            # spacing or fleet token: only requests that reach the network are limited.
            fresh = self._cached(method, url, params, headers, json_body, fresh=True)
            if fresh is not None:
                self._count_hit()
                return fresh
            # One request at a time for one answer, among this process's threads and (the
            # store being Redis) the fleet's workers: the others wait for it and read the
            # cache.  Sent side by side, two tasks searching for one work took both places
            # of the registry's window (10 of 98 requests of a run of 2,000 files).
            key = self._cache_key(method, url, params, headers, json_body)
            with self.records.claim("request", [key], read=False) as claim:
                if claim.mine:
                    return self._send(method, url, params, headers, json_body, ttl, cache,
                                      limit, deadline, prepared, host)
            early = self._cached(method, url, params, headers, json_body, fresh=True)
            if early is not None:
                self._count_hit()
                return early
        return self._send(method, url, params, headers, json_body, ttl, cache, limit,
                          deadline, prepared, host)

    def _send(self, method: str, url: str, params: dict[str, str] | None,
              headers: dict[str, str] | None, json_body: Any, ttl: timedelta | None,
              cache: bool, limit: int, deadline: float,
              prepared: requests.PreparedRequest | None, host: str,
              ) -> requests.Response | BaseException:
        """:meth:`send`'s attempts, once the cache could not answer."""
        cached = cache and not self.cfg.no_cache
        brought: list[requests.Response] = []

        def answered() -> bool:
            # Another worker's request may bring this answer while this one waits: kept
            # for the ungranted wait below, not read from the cache again.
            early = self._cached(method, url, params, headers, json_body, fresh=True)
            if early is not None:
                brought.append(early)
            return early is not None

        attempt = 0
        while True:
            wait: float | None = None
            started = time.monotonic()
            with self.limits.hold(host) as grant, \
                    self._fleet_slot(host, answered if cached else None) as fleet, \
                    budget(deadline, limit, self.cfg.timeout):
                if fleet is not None and not fleet.granted:
                    # The wait ended because ``answered`` found the answer: nothing is sent.
                    grant.refund()
                    self._count_hit()
                    return brought[-1]
                try:
                    kwargs: dict[str, Any] = {
                        "params": params,
                        "headers": headers,
                        "allow_redirects": False,
                        "stream": True,
                        "timeout": (self.cfg.timeout, self.cfg.timeout),
                    }
                    if json_body is not None:
                        kwargs["json"] = json_body
                    hooks = {"response": [_arrival(grant, fleet)]}
                    if not cache and prepared is not None:
                        del kwargs["params"], kwargs["headers"]
                        sent = prepared.copy()
                        sent.hooks = hooks
                        response = self.plain.send(sent, **kwargs)
                    elif not cache:
                        response = self.plain.request(method, url, hooks=hooks, **kwargs)
                    else:
                        if ttl is not None:
                            kwargs["expire_after"] = ttl
                        response = self.session.request(method, url, hooks=hooks, **kwargs)
                # requests-cache reads a body it may store through urllib3 itself, so
                # urllib3's errors (a body past the cap, a deadline) come out unwrapped.
                except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                    self._count(host)
                    status, _definite, _ = classify_exception(exc)
                    if status not in ("refused", "reset") or attempt >= self.cfg.retries:
                        return exc
                    if not self._may_retry(host, started, attempt, None):
                        return exc
                else:
                    if not getattr(response, "from_cache", False):
                        self._count(host)
                        self.limits.learn(host, response.headers)
                        self._fleet_learn(host, response)
                    else:
                        # Brought meanwhile by another thread's request: nothing was
                        # sent, so this place in the host's window is another's.
                        grant.refund()
                        if fleet is not None:
                            fleet.refund()
                        self._count_hit()
                    code = response.status_code
                    if code != 429 and code < 500:
                        return response
                    if attempt >= self.cfg.retries:
                        return response
                    wait = retry_after(response.headers.get("Retry-After"))
                    if wait is not None and wait > self.cfg.max_retry_after:
                        return response
                    if not self._may_retry(host, started, attempt, wait):
                        return response
                    response.close()
            self._sleep_backoff(attempt, wait)
            attempt += 1

    def _may_retry(self, host: str, started: float, attempt: int, wait: float | None) -> bool:
        """Charge this failed attempt and the coming back-off to the host's budget."""
        pause = wait if wait is not None else self.cfg.backoff * (2**attempt)
        cost = time.monotonic() - started + pause
        return self.limits.may_retry(host, cost, self.cfg.host_retry_budget)

    def _proxy_refusal(self, url: str) -> ProxiedTargetBlockedError | None:
        """Through a proxy, the target itself must pass the guard (see the error's docstring)."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        key = (parts.scheme.lower(), host.lower())
        if key not in self._proxy_for:
            self._proxy_for[key] = requests.utils.select_proxy(url, self.session.proxies)
        if not self._proxy_for[key]:
            return None
        try:
            infos = socket.getaddrinfo(host, parts.port or 443, 0, socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            # Not resolvable here, so not vetted: the proxy is not asked either.
            return ProxiedTargetBlockedError(
                f"refused to send {host} to the proxy: its address cannot be checked here")
        addresses = sorted({str(i[4][0]) for i in infos})
        bad = [a for a in addresses if not self.guard.address_allowed(host, a)]
        if bad:
            # Every address must pass: the proxy may connect to any of them.
            return ProxiedTargetBlockedError(
                f"refused to connect to {host} ({', '.join(bad[:3])}): not a public address")
        return None

    def _cached(self, method: str, url: str, params: dict[str, str] | None,
                headers: dict[str, str] | None, json_body: Any = None, *,
                fresh: bool = False) -> requests.Response | None:
        """The cache's answer, or None; never sends.  ``fresh``: only one not expired
        (otherwise stale ones too, as read-only replay wants)."""
        try:
            response = self.session.request(method, url, params=params, headers=headers,
                                            json=json_body,
                                            only_if_cached=True, allow_redirects=False,
                                            stream=True,
                                            timeout=(self.cfg.timeout, self.cfg.timeout))
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError):
            return None
        # requests-cache answers a miss with a synthetic 504; real 5xx are never cached.
        if not getattr(response, "from_cache", False) or response.status_code == 504 or (
                fresh and getattr(response, "is_expired", True)):
            response.close()
            return None
        return response

    def _cache_key(self, method: str, url: str, params: dict[str, str] | None,
                   headers: dict[str, str] | None, json_body: Any) -> str:
        """The key the session stores this request's answer under (:func:`cache_key`):
        the claim that sends it once names the same answer its waiters read."""
        prepared = self.session.prepare_request(requests.Request(
            method, url, params=params, headers=headers, json=json_body))
        key: str = self.session.cache.create_key(prepared)
        return key

    def _from_cache(self, method: str, url: str, params: dict[str, str] | None,
                    headers: dict[str, str] | None,
                    json_body: Any = None) -> requests.Response | NotCachedError:
        """Read-only mode: the cached answer (stale ones too), or NotCachedError."""
        response = self._cached(method, url, params, headers, json_body)
        if response is None:
            with self._count_lock:
                self.not_cached += 1
            return NotCachedError(f"{method} {url} is not in the cache")
        return response

    def _keep_briefly(self, response: requests.Response) -> None:
        """Cache a 404/410 for a day instead of the success lifetime."""
        if getattr(response, "from_cache", False) or self.cfg.no_cache or self.cfg.read_only:
            return
        # A cache write failing must never fail a check.
        with contextlib.suppress(Exception):
            self.session.cache.save_response(response, expires=_now_utc() + self.cfg.failure_ttl)

    def get_json(
        self, url: str, params: dict[str, str] | None = None, ttl: timedelta | None = None
    ) -> Reply:
        """A registry GET: the JSON body (or None) with its status."""
        outcome = self.send("GET", url, params=params, ttl=ttl or self.cfg.registry_ttl,
                            headers={"Accept": "application/json"})
        return self.json_reply(outcome)

    def json_reply(
        self, outcome: requests.Response | BaseException, keep_missing_briefly: bool = True
    ) -> Reply:
        """What :meth:`send` gave, as a registry's JSON answer: the body (or None), its status.

        ``keep_missing_briefly`` caches a 404/410 for a short while only (a DOI
        just registered appears soon), as every registry but a keyed batch API wants.
        """
        if isinstance(outcome, BaseException):
            return Reply(classify_exception(outcome)[0])
        with outcome:
            try:
                data = outcome.json()
            except ValueError:
                data = None
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                # The body broke off, grew past the cap or missed the deadline.
                return Reply(classify_exception(exc)[0])
            if keep_missing_briefly and outcome.status_code in (404, 410):
                self._keep_briefly(outcome)
            return Reply(str(outcome.status_code), data, dict(outcome.headers))

    # -- links ---------------------------------------------------------------------------

    def _hop(self, url: str) -> requests.Response | BaseException:
        outcome = self._link_request("HEAD", url)
        if isinstance(outcome, BaseException) or outcome.status_code not in _HEAD_FALLBACK:
            return outcome
        outcome.close()
        # HEAD refused or answered "gone": ask with GET before believing it.
        return self._link_request("GET", url)

    def _link_request(self, method: str, url: str) -> requests.Response | BaseException:
        """One hop's answer: from the cache when fresh, else sent; its body is never read."""
        links = self.links
        if links is None:  # read-only replay: the cached answer, stale ones too, or none
            return self._from_cache(method, url, None, None)
        outcome, hit = links.fetch(
            method, url, lambda prepared: self.send(method, url, cache=False, prepared=prepared))
        if hit:
            self._count_hit()
        return outcome

    def check_link(self, url: str) -> LinkResult:
        current = url
        seen = {url}
        moved_to: str | None = None
        permanent = True
        for _ in range(self.cfg.max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme.lower() not in SCHEMES or not parts.hostname:
                return LinkResult(url, "blocked", current, detail="only http(s) URLs are fetched")
            if self.cfg.read_only and not self._literal_allowed(parts.hostname):
                # Online, the guard refuses this address when connecting; replaying the
                # cache connects nowhere, so the same verdict is given here.
                return LinkResult(url, "blocked", current,
                                  detail=f"refused to connect to {parts.hostname} "
                                         f"({parts.hostname}): not a public address")
            outcome = self._hop(current)
            if isinstance(outcome, BaseException):
                status, definite, detail = classify_exception(outcome)
                return LinkResult(url, status, current, detail=detail, definite_dns=definite)
            with outcome:  # stored with a day's lifetime for 404/410 by the link cache
                code = outcome.status_code
                location = outcome.headers.get("Location")
            if code in _REDIRECTS and location:
                nxt = urljoin(current, location.strip())
                if nxt in seen:
                    return LinkResult(url, "too-many-redirects", nxt, detail="redirect loop")
                seen.add(nxt)
                permanent = permanent and code in _PERMANENT
                if permanent:
                    moved_to = nxt
                current = nxt
                continue
            ok = 200 <= code < 300
            return LinkResult(url, str(code), current, moved_to if ok else None,
                              detail=_describe(code))
        return LinkResult(url, "too-many-redirects", current,
                          detail=f"more than {self.cfg.max_redirects} redirects")


    def _literal_allowed(self, host: str) -> bool:
        """False only for an IP literal the address guard refuses (names are not resolved)."""
        import ipaddress

        literal = host.strip("[]")
        try:
            ipaddress.ip_address(literal.split("%", 1)[0])
        except ValueError:
            return True
        return self.guard.address_allowed(host, literal)


def _describe(code: int) -> str:
    if code == 403:
        return "HTTP 403 (forbidden; often a site blocking automated checks)"
    if code == 429:
        return "HTTP 429 (rate limited; still limited after retries)"
    if code >= 500:
        return f"HTTP {code} (server error after retries)"
    return f"HTTP {code}"


def _now_utc() -> Any:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)
