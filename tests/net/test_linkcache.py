"""Link hops' own cache path: a warm run sends nothing, entries stay requests-cache's own."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

from refcheck.net.http import HttpClient, HttpConfig
from refcheck.net.outcomes import LinkResult

from .conftest import Server, reply, serve

PATHS = ["/ok", "/404", "/410", "/moved", "/head405", "/head404", "/chain/3", "/temporary",
         *(f"/concurrency?i={i}" for i in range(40))]


def make(tmp_path: Path, **kw: Any) -> HttpClient:
    options: dict[str, Any] = {"timeout": 2.0, "backoff": 0.01, "allow_hosts": ["127.0.0.1"],
                               "cache_dir": str(tmp_path)}
    options.update(kw)
    return HttpClient(HttpConfig(**options))


def run(client: HttpClient, urls: list[str]) -> dict[str, LinkResult]:
    # Many threads at once, as a real run checks links: the writer batches their answers.
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = dict(zip(urls, pool.map(client.check_link, urls), strict=True))
    client.close()
    return results


def test_warm_run_sends_no_request(web: Server, tmp_path: Path) -> None:
    urls = [web.url(p) for p in PATHS]
    cold_client = make(tmp_path)
    cold = run(cold_client, urls)
    assert cold_client.sent > len(urls)  # HEAD fallbacks and redirect hops included
    hits = web.hits()
    warm_client = make(tmp_path)
    warm = run(warm_client, urls)
    assert warm_client.sent == 0 and web.hits() == hits
    assert warm == cold
    assert warm[web.url("/404")].kind == "dead" and warm[web.url("/head404")].status == "200"
    assert warm[web.url("/moved")].moved_to == web.url("/ok/new")


def test_entries_replay_in_read_only_mode(web: Server, tmp_path: Path) -> None:
    # The read-only replay reads through requests-cache's session: the keys must agree.
    urls = [web.url(p) for p in PATHS]
    cold = run(make(tmp_path), urls)
    replay_client = make(tmp_path, read_only=True)
    replay = run(replay_client, urls)
    assert replay == cold and replay_client.not_cached == 0


def test_gone_pages_are_kept_a_day_others_for_the_link_lifetime(
        web: Server, tmp_path: Path) -> None:
    run(make(tmp_path), [web.url("/ok"), web.url("/404")])
    with sqlite3.connect(tmp_path / "http_cache.sqlite") as db:
        spans = sorted(int(e) for (e,) in db.execute("SELECT expires FROM responses"))
    # /404: HEAD and GET, a day; /ok: HEAD, three days (HttpConfig's defaults).
    assert len(spans) == 3
    assert spans[-1] - spans[0] > 36 * 3600 and spans[1] - spans[0] < 60


def test_server_errors_are_not_stored(web: Server, tmp_path: Path) -> None:
    run(make(tmp_path), [web.url("/500")])
    second = make(tmp_path)
    assert run(second, [web.url("/500")])[web.url("/500")].status == "500"
    assert second.sent > 0


def test_an_entry_that_cannot_be_stored_costs_only_itself(
        web: Server, tmp_path: Path, monkeypatch: Any) -> None:
    urls = [web.url(f"/concurrency?i={i}") for i in range(20)]
    client = make(tmp_path)
    responses = client.session.cache.responses
    serialize = responses.serialize

    def failing(value: Any) -> Any:
        if str(getattr(value, "url", "")).endswith("i=3"):
            raise ValueError("cannot serialise")
        return serialize(value)

    monkeypatch.setattr(responses, "serialize", failing)
    closing = ThreadPoolExecutor(max_workers=1).submit(run, client, urls)
    assert all(r.status == "200" for r in closing.result(timeout=20).values())  # no stall
    warm = make(tmp_path)
    run(warm, urls)
    assert warm.sent == 1 and warm.sent_by_host == {"127.0.0.1": 1}


def test_a_cookie_set_on_a_redirect_is_sent_on_the_next_hop(tmp_path: Path) -> None:
    # A cookie wall: /article sets a cookie and redirects to /article/full, which
    # answers 200 with the cookie and 403 without it (a false RC502).
    def handle(h: Any, srv: Server) -> None:
        if h.path == "/article":
            reply(h, 302, headers={"Location": "/article/full", "Set-Cookie": "seen=1; Path=/"})
        else:
            reply(h, 200 if "seen=1" in (h.headers.get("Cookie") or "") else 403)

    server = serve("127.0.0.1", handle)
    try:
        result = run(make(tmp_path), [server.url("/article")])[server.url("/article")]
    finally:
        server.close()
    assert result.status == "200"


def test_an_expired_answer_stands_in_for_a_failure(tmp_path: Path) -> None:
    # stale-if-error, as requests-cache's session does it: an expired 200 beats a 503 or
    # a refused connection, and a fresh definite answer replaces it.
    state = {"status": 200}

    def handle(h: Any, srv: Server) -> None:
        reply(h, state["status"])

    server = serve("127.0.0.1", handle)
    url = server.url("/page")
    try:
        assert run(make(tmp_path, link_ttl=timedelta(0)), [url])[url].status == "200"
        state["status"] = 503
        again = make(tmp_path, link_ttl=timedelta(0), retries=0)
        assert run(again, [url])[url].status == "200" and again.sent == 1
        state["status"] = 404
        gone = make(tmp_path, link_ttl=timedelta(0), failure_ttl=timedelta(0), retries=0)
        assert run(gone, [url])[url].status == "404"
    finally:
        server.close()
    # The host is gone now: the expired 404 answers, where nothing would say "refused".
    assert run(make(tmp_path, retries=0), [url])[url].status == "404"
    assert run(make(tmp_path / "none", retries=0), [url])[url].status == "refused"
