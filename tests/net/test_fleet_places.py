"""A fleet's places at a host: given back when nothing was sent, lapsing when their
holder dies, kept while it lives (refcheck.net.ratelimit, refcheck.net.renewal,
refcheck.net.doicache's claims).  Redis is a private redis-server (``redis_url``)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from refcheck.net import doicache
from refcheck.net.doicache import RedisStore
from refcheck.net.hostlimits import HostLimits
from refcheck.net.http import HttpClient, HttpConfig
from refcheck.net.ratelimit import RedisLimiter, redis_limiter
from refcheck.net.renewal import Renewal

from .conftest import Server, reply, serve


def _grants(limiter: RedisLimiter, host: str) -> int:
    return int(limiter.redis.zcard(limiter._keys(host)[3]))


def test_a_local_place_given_back_lets_the_next_request_go_at_once() -> None:
    limits = HostLimits(8, {})
    limits.learn("api.example", {"X-Rate-Limit-Limit": "2", "X-Rate-Limit-Interval": "1s"})
    started = time.monotonic()
    for _ in range(5):  # five requests answered by the cache, not sent
        with limits.hold("api.example") as grant:
            grant.refund()
    with limits.hold("api.example"), limits.hold("api.example"):
        pass  # two sent: the window's two places, free still
    assert time.monotonic() - started < 0.3
    with limits.hold("api.example"):
        pass  # the third sent waits for the window
    assert time.monotonic() - started >= 1.0


def test_a_fleet_place_given_back_or_answered_meanwhile_costs_nothing(redis_url: str) -> None:
    pytest.importorskip("redis")
    lim = redis_limiter(redis_url)
    lim.seen("r")
    lim.learn("r", 2, 1.0)
    started = time.monotonic()
    for _ in range(5):
        with lim.hold("r") as grant:
            assert grant.granted
            grant.refund()
    assert _grants(lim, "r") == 0 and time.monotonic() - started < 0.5
    with lim.hold("r"), lim.hold("r"):
        pass
    assert _grants(lim, "r") == 2
    # The window is full: a request whose answer reaches the shared cache while it waits
    # stops waiting without a place (and sends nothing).
    asked: list[float] = []

    def answered() -> bool:
        asked.append(time.monotonic())
        return True

    waited = time.monotonic()
    with lim.hold("r", answered) as grant:
        assert not grant.granted
    assert asked and _grants(lim, "r") == 2
    # Asked before the first sleep: an answer already there costs no poll's wait.
    assert asked[0] - waited < 0.1
    assert time.monotonic() - started < 2.0


def test_a_dead_holders_place_lapses_and_a_live_ones_is_kept(redis_url: str) -> None:
    pytest.importorskip("redis")
    redis = pytest.importorskip("redis")
    conn = redis.Redis.from_url(redis_url)
    live = RedisLimiter(conn, concurrency={"h": 1}, lease_seconds=0.5)
    live._renewal = Renewal(live._renew, period=0.1)
    other = RedisLimiter(conn, concurrency={"h": 1}, lease_seconds=0.5)
    live.seen("h")
    # A live holder keeps its place past the lease: the other waits for the release.
    released: list[float] = []

    def hold_long() -> None:
        with live.hold("h"):
            time.sleep(1.2)
        released.append(time.monotonic())

    thread = threading.Thread(target=hold_long)
    thread.start()
    time.sleep(0.1)
    with other.hold("h"):
        got = time.monotonic()
    thread.join(5)
    assert released and got >= released[0] - 0.05
    # A holder that died renews nothing: its place is free within the lease.
    dead = RedisLimiter(conn, concurrency={"h": 1}, lease_seconds=0.5)
    dead._renewal = Renewal(lambda held: None, period=0.1)
    held = dead.hold("h")
    held.__enter__()  # never left: the process "died" holding it
    started = time.monotonic()
    with other.hold("h"):
        waited = time.monotonic() - started
    assert 0.3 <= waited < 1.5
    assert held is not None  # kept referenced: its generator's cleanup would release it


def test_a_claim_is_kept_while_its_holder_lives_and_lapses_when_it_dies(
        redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("redis")
    monkeypatch.setattr(doicache, "LEASE", 0.5)
    live, dead, other = (RedisStore(redis_url) for _ in range(3))
    live._renewal = Renewal(live._renew, period=0.1)
    dead._renewal = Renewal(lambda held: None, period=0.1)
    assert live._claim("works", ["10.1/a"]) == ["10.1/a"]
    assert dead._claim("works", ["10.1/b"]) == ["10.1/b"]
    time.sleep(1.0)
    # Past the lease: the living holder's claim stands, the dead one's is free to take.
    assert other._claimed("works", ["10.1/a", "10.1/b"]) == ["10.1/a"]
    assert other._claim("works", ["10.1/a", "10.1/b"]) == ["10.1/b"]
    live._unclaim("works", ["10.1/a"])
    assert other._claimed("works", ["10.1/a"]) == []
    for store in (live, dead, other):
        store.close()


@pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")
def test_a_request_answered_by_another_worker_meanwhile_is_not_sent(
        redis_url: str, tmp_path: Path) -> None:
    """Two workers want one registry answer; the host allows one request a second.  The
    first sends; the second, waiting for the window, finds the answer in the shared cache
    and returns it without sending or spending the window's next place."""
    pytest.importorskip("redis")

    on_its_way = threading.Event()

    def registry(h: BaseHTTPRequestHandler, srv: Server) -> None:
        if h.path.startswith("/works"):
            on_its_way.set()
        time.sleep(0.2)
        reply(h, 200, b'{"status": "ok"}', "application/json",
              headers={"X-Rate-Limit-Limit": "1", "X-Rate-Limit-Interval": "1s"})

    srv = serve("127.0.0.1", registry)
    workers = []
    for _ in range(2):
        cfg = HttpConfig(allow_hosts=["127.0.0.1"], cache_backend="redis", redis_url=redis_url,
                         cache_dir=str(tmp_path), timeout=5.0,
                         shared_limiter=redis_limiter(redis_url))
        workers.append(HttpClient(cfg))
    try:
        # The host's limit is known fleet-wide and its one place taken a moment ago.
        warm: Any = workers[0].get_json(srv.url("/other"))
        assert warm.status == "200"
        start = threading.Barrier(2)
        replies: list[Any] = [None, None]

        took = [0.0, 0.0]

        def ask(i: int) -> None:
            start.wait()
            if i == 1:
                # The second asks while the first is on its way (asked side by side,
                # either might have had the window's place first).
                assert on_its_way.wait(10)
            began = time.monotonic()
            replies[i] = workers[i].get_json(srv.url("/works"))
            took[i] = time.monotonic() - began

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert [r.status for r in replies] == ["200", "200"]
        assert srv.hits("/works") == 1
        assert workers[1].sent == 0 and workers[1].cache_hits == 1
        # The second had the answer soon after the first (not a window after it ended).
        assert took[1] < 1.0  # a window after it ended: 1.2 s or more
        limiter = workers[0].cfg.shared_limiter
        assert _grants(limiter, "127.0.0.1") <= 2  # /other and one /works: no third place
    finally:
        for w in workers:
            w.close()
        srv.close()


def test_a_late_renewal_does_not_bring_an_ended_request_back(redis_url: str) -> None:
    """The renewal thread takes its list of places, then renews them: a request that
    ended in between must keep counting from its end, not be put back in flight (where
    it held one of the window's places for a whole lease)."""
    pytest.importorskip("redis")
    lim = redis_limiter(redis_url)
    lim.seen("r")
    lim.learn("r", 2, 0.5)
    ids: list[str] = []
    original = lim._renewal.hold

    def remember(item: str) -> None:
        ids.append(item)
        original(item)

    lim._renewal.hold = remember  # type: ignore[method-assign]
    with lim.hold("r"):
        pass
    lim._renew(ids)  # a snapshot taken while it was on its way, renewed after it ended
    scores = [s for _, s in lim.redis.zrange(lim._keys("r")[3], 0, -1, withscores=True)]
    seconds, micros = lim.redis.time()
    assert scores and all(s <= seconds * 1000 + micros // 1000 for s in scores)
    started = time.monotonic()
    with lim.hold("r"), lim.hold("r"):
        pass  # the window's two places: one taken by the ended request until 0.5 s
    assert time.monotonic() - started < 1.0


def test_a_request_counts_from_its_answers_arrival_not_its_end(redis_url: str) -> None:
    """Once the status line is in, the request has reached the host: the window counts
    from then, not from when the body has been read and stored (busy workers took up to
    80 ms more, every window of a run)."""
    pytest.importorskip("redis")
    local = HostLimits(8, {})
    local.learn("r", {"X-Rate-Limit-Limit": "1", "X-Rate-Limit-Interval": "0.5s"})
    fleet = redis_limiter(redis_url)
    fleet.seen("r")
    fleet.learn("r", 1, 0.5)
    for hold in (local.hold, fleet.hold):
        started = time.monotonic()
        with hold("r") as grant:
            grant.arrived()
            time.sleep(0.3)  # reading and storing the body
        with hold("r"):
            waited = time.monotonic() - started
        # Counted from its end, the next would have waited till 0.3 + 0.5 s.
        assert 0.5 <= waited < 0.75, hold
    # A request that ended without an answer (no status line) counts from its end.
    started = time.monotonic()
    with fleet.hold("r"):
        time.sleep(0.3)
    with fleet.hold("r"):
        pass
    assert time.monotonic() - started >= 0.8


def test_the_arrival_hook_counts_a_sent_request_once(tmp_path: Path) -> None:
    def slow_body(h: BaseHTTPRequestHandler, srv: Server) -> None:
        reply(h, 200, b'{"status": "ok"}', "application/json")

    srv = serve("127.0.0.1", slow_body)
    client = HttpClient(HttpConfig(allow_hosts=["127.0.0.1"], cache_dir=str(tmp_path)))
    counted: list[bool] = []
    real = HostLimits._ended_at

    def spy(self: HostLimits, entry: list[float]) -> None:
        counted.append(entry[0] == float("inf"))
        real(self, entry)

    HostLimits._ended_at = spy  # type: ignore[method-assign]
    try:
        for cache in (True, False):  # through the cache's session and the plain one
            counted.clear()
            response = client.send("GET", srv.url(f"/works?cache={cache}"), cache=cache)
            assert not isinstance(response, BaseException) and response.status_code == 200
            # Counted at the status line; after it (requests-cache calls the hook again
            # on what it stored, and the request ends), it counted already.
            assert len(counted) >= 2 and counted[0] and not any(counted[1:]), cache
    finally:
        HostLimits._ended_at = real  # type: ignore[method-assign]
        client.close()
        srv.close()


@pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")
@pytest.mark.parametrize("shared", [False, True], ids=["threads", "workers"])
def test_one_request_is_sent_for_one_answer(shared: bool, redis_url: str,
                                            tmp_path: Path) -> None:
    """Threads of one process, or workers sharing Redis, that want one answer at once send
    one request; the others read its answer from the cache.  (Two tasks searching for one
    work had taken both places of the registry's window.)"""
    if shared:
        pytest.importorskip("redis")

    def slow(h: BaseHTTPRequestHandler, srv: Server) -> None:
        time.sleep(0.3)
        reply(h, 200, b'{"status": "ok"}', "application/json")

    srv = serve("127.0.0.1", slow)
    extra: dict[str, Any] = {"cache_backend": "redis", "redis_url": redis_url} if shared else {}
    clients = [HttpClient(HttpConfig(allow_hosts=["127.0.0.1"], cache_dir=str(tmp_path),
                                     timeout=5.0, **extra))
               for _ in range(2 if shared else 1)]
    replies: list[Any] = [None] * 6
    start = threading.Barrier(len(replies))

    def ask(i: int) -> None:
        start.wait()
        replies[i] = clients[i % len(clients)].get_json(srv.url("/works?query=one"))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(replies))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert [r.status for r in replies] == ["200"] * len(replies)
        assert [r.data for r in replies] == [{"status": "ok"}] * len(replies)
        assert srv.hits("/works") == 1
        assert sum(c.sent for c in clients) == 1
        assert sum(c.cache_hits for c in clients) == len(replies) - 1
    finally:
        for c in clients:
            c.close()
        srv.close()
