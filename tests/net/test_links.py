"""The HTTP layer against real loopback servers: every link status, the guard, limits."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from refcheck.net.http import HttpClient, HttpConfig
from refcheck.net.outcomes import LinkResult, retry_after

from .conftest import Server


def make(tmp_path: Path, **kw: Any) -> HttpClient:
    options: dict[str, Any] = {
        "timeout": 0.5,
        "backoff": 0.01,
        "max_retry_after": 3.0,
        "allow_hosts": ["127.0.0.1"],
        "cache_dir": str(tmp_path),
    }
    options.update(kw)
    return HttpClient(HttpConfig(**options))


def check(tmp_path: Path, url: str, **kw: Any) -> LinkResult:
    client = make(tmp_path, **kw)
    try:
        return client.check_link(url)
    finally:
        client.close()


@pytest.mark.parametrize(
    ("path", "status", "kind"),
    [
        ("/ok", "200", "ok"),
        ("/404", "404", "dead"),
        ("/410", "410", "dead"),
        ("/403", "403", "transient"),
        ("/500", "500", "transient"),
        ("/503", "503", "transient"),
        ("/flaky", "200", "ok"),  # 503, 503, then 200: retried
        ("/head405", "200", "ok"),  # HEAD refused, GET answers
        ("/head404", "200", "ok"),  # HEAD lies, GET is believed
        ("/temporary", "200", "ok"),
        ("/chain/3", "200", "ok"),
        ("/chain/12", "too-many-redirects", "transient"),
        ("/loop-a", "too-many-redirects", "transient"),
        ("/moved-dead", "404", "dead"),
        ("/429-long", "429", "transient"),  # Retry-After beyond the cap: not waited for
    ],
)
def test_status_classification(
    web: Server, tmp_path: Path, path: str, status: str, kind: str
) -> None:
    result = check(tmp_path, web.url(path))
    assert (result.status, result.kind) == (status, kind)


def test_permanent_redirect_reports_new_address(web: Server, tmp_path: Path) -> None:
    result = check(tmp_path, web.url("/moved"))
    assert result.status == "200"
    assert result.moved_to == web.url("/ok/new")
    assert check(tmp_path, web.url("/moved308")).moved_to == web.url("/ok/new308")
    # A temporary redirect is not a move; a permanent one to a dead page is not either.
    assert check(tmp_path, web.url("/temporary")).moved_to is None
    assert check(tmp_path, web.url("/moved-dead")).moved_to is None


def test_429_honours_retry_after(web: Server, tmp_path: Path) -> None:
    result = check(tmp_path, web.url("/429?after=1&key=a"))
    assert result.status == "200"
    times = web.state[("429-times", "a")]
    assert len(times) == 2 and times[1] - times[0] >= 0.95


def test_retry_after_http_date() -> None:
    assert retry_after("120") == 120.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 60) == 60.0
    assert retry_after("soon") is None and retry_after(None) is None


def test_hang_is_a_timeout_not_a_dead_link(web: Server, tmp_path: Path) -> None:
    started = time.monotonic()
    result = check(tmp_path, web.url("/hang"), timeout=0.3)
    assert (result.status, result.kind) == ("timeout", "transient")
    assert time.monotonic() - started < 3


def test_connection_reset(web: Server, tmp_path: Path) -> None:
    result = check(tmp_path, web.url("/reset"))
    assert (result.status, result.kind) == ("reset", "transient")
    assert web.hits("/reset") == 3  # first try and two retries


def test_connection_refused(tmp_path: Path, closed_port: int) -> None:
    result = check(tmp_path, f"http://127.0.0.1:{closed_port}/")
    assert (result.status, result.kind) == ("refused", "transient")


def test_dns_failures(tmp_path: Path) -> None:
    gone = check(tmp_path, "http://no-such-host.invalid/page")
    assert (gone.status, gone.kind) == ("dns", "dead")
    flaky = check(tmp_path, "http://resolver-down.temporary-failure/page")
    assert (flaky.status, flaky.kind) == ("dns", "transient")


def test_huge_body_is_never_read(web: Server, tmp_path: Path) -> None:
    started = time.monotonic()
    result = check(tmp_path, web.url("/huge"))
    assert result.status == "200"
    assert time.monotonic() - started < 2
    web.release.set()  # stop the writer; it reports how much the socket accepted
    deadline = time.monotonic() + 2
    while "huge-sent" not in web.state and time.monotonic() < deadline:
        time.sleep(0.01)
    assert web.state.get("huge-sent", 0) < 64 * 1024**2


def test_non_http_schemes_are_not_fetched(tmp_path: Path) -> None:
    for url in ("ftp://127.0.0.1/file", "file:///etc/passwd", "gopher://127.0.0.1/"):
        assert check(tmp_path, url).status == "blocked"


# -- the address guard --------------------------------------------------------------------


def test_loopback_is_blocked_by_default(web: Server, tmp_path: Path) -> None:
    result = check(tmp_path, web.url("/ok"), allow_hosts=[])
    assert (result.status, result.kind) == ("blocked", "blocked")
    assert web.hits() == 0  # not a single packet reached the server


def test_allow_private_hosts_permits_loopback(web: Server, tmp_path: Path) -> None:
    assert check(tmp_path, web.url("/ok"), allow_hosts=[], allow_private=True).status == "200"


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/",
        "http://[fd00::1]/",
        "http://instance.metadata.test/",  # a name resolving to 169.254.169.254
        "http://intranet.private.test/",  # a name resolving to 10.1.2.3
        "http://0.0.0.0/",
        "http://224.0.0.1/",
    ],
)
def test_private_targets_blocked_directly_and_after_redirect(
    web: Server, tmp_path: Path, target: str
) -> None:
    assert check(tmp_path, target).status == "blocked"
    via = check(tmp_path, web.url("/redirect?to=" + target))
    assert via.status == "blocked"


def test_redirect_to_other_loopback_host_checked_per_hop(
    web: Server, web2: Server, tmp_path: Path
) -> None:
    target = web2.url("/ok")
    result = check(tmp_path, web.url("/redirect?to=" + target))  # only 127.0.0.1 allowed
    assert result.status == "blocked"
    assert web2.hits() == 0
    allowed = check(
        tmp_path, web.url("/redirect?to=" + target), allow_hosts=["127.0.0.1", "127.0.0.2"]
    )
    assert allowed.status == "200" and web2.hits() >= 1


def test_allow_host_by_network(web2: Server, tmp_path: Path) -> None:
    assert check(tmp_path, web2.url("/ok"), allow_hosts=["127.0.0.0/30"]).status == "200"


# -- cache, concurrency, limits -----------------------------------------------------------


def test_definite_answers_are_cached_transient_ones_not(web: Server, tmp_path: Path) -> None:
    first = make(tmp_path)
    for path in ("/ok", "/moved", "/404", "/500"):
        first.check_link(web.url(path))
    first.close()
    before = {p: web.hits(p) for p in ("/ok", "/moved", "/404", "/500")}
    second = make(tmp_path)
    for path in ("/ok", "/moved", "/404", "/500"):
        second.check_link(web.url(path))
    second.close()
    assert web.hits("/ok") == before["/ok"]
    assert web.hits("/moved") == before["/moved"]
    assert web.hits("/404") == before["/404"]
    assert web.hits("/500") > before["/500"]  # server errors are asked again


def test_no_cache_uses_no_disk(web: Server, tmp_path: Path) -> None:
    client = make(tmp_path / "c", no_cache=True)
    assert client.check_link(web.url("/ok")).status == "200"
    client.close()
    assert not (tmp_path / "c").exists()


def test_session_is_safe_under_threads_and_limits_per_host(
    web: Server, web2: Server, tmp_path: Path
) -> None:
    client = make(tmp_path, per_host_limit=3, allow_hosts=["127.0.0.1", "127.0.0.2"])
    urls = [s.url(f"/concurrency?i={i}") for i in range(30) for s in (web, web2)]
    results: list[LinkResult] = []
    lock = threading.Lock()

    def run(chunk: list[str]) -> None:
        for url in chunk:
            r = client.check_link(url)
            with lock:
                results.append(r)

    threads = [threading.Thread(target=run, args=(urls[i::12],)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    client.close()
    assert len(results) == 60 and all(r.status == "200" for r in results)
    assert web.state["max"] <= 3 and web2.state["max"] <= 3
    assert web.state["max"] >= 2  # the limit is a limit, not serialisation
