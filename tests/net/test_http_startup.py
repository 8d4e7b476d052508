"""What the HTTP client costs before and around each request (issue 19)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time

import pytest

from refcheck.net.hostlimits import HostLimits
from refcheck.net.http import HttpClient, HttpConfig

_UNUSED = ("boto3", "pymongo", "redis", "yaml")


@pytest.mark.skipif(not any(importlib.util.find_spec(m) for m in _UNUSED),
                    reason="none of requests-cache's optional storage libraries is installed")
def test_unused_cache_backends_are_not_imported() -> None:
    code = ("import sys, refcheck.net.http as h; "
            f"print(sorted(m for m in {_UNUSED!r} if m in sys.modules)); "
            "from requests_cache.backends.redis import RedisCache; print('redis ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    loaded, *rest = out.stdout.splitlines()
    assert loaded == "[]"
    if importlib.util.find_spec("redis"):  # hidden only for the first import, not after
        assert rest == ["redis ok"]


def _client() -> HttpClient:
    return HttpClient(HttpConfig(no_cache=True))


def test_no_proxy_or_netrc_in_the_environment_skips_the_per_request_lookups(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "NETRC"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/some/bundle.pem")
    client = _client()
    assert client.session.trust_env is False and client.plain.trust_env is False
    # What requests would have read from the environment still applies.
    assert client.session.verify == client.plain.verify == "/some/bundle.pem"


def test_a_proxy_in_the_environment_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 16: only a proxy named with --proxy is used (tests/test_proxy.py).
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    client = _client()
    assert client.session.trust_env is False and client.plain.trust_env is False
    assert not client.session.proxies and not client.plain.proxies


def test_a_burst_before_the_limit_was_known_counts_against_it() -> None:
    limits = HostLimits(8, {})
    starts = []
    for _ in range(3):  # sent at once: nothing has told the limit yet
        with limits.hold("api.example"):
            starts.append(time.monotonic())
    limits.learn("api.example", {"X-Rate-Limit-Limit": "4", "X-Rate-Limit-Interval": "0.4s"})
    for _ in range(6):
        with limits.hold("api.example"):
            starts.append(time.monotonic())
    # Never five starts within one published window (spacing alone would let the fourth
    # and fifth follow the burst at once).
    assert all(b - a >= 0.4 for a, b in zip(starts, starts[4:], strict=False))


def test_published_limit_counts_each_request_from_its_end() -> None:
    limits = HostLimits(8, {})
    limits.learn("api.example", {"X-Rate-Limit-Limit": "10", "X-Rate-Limit-Interval": "1s"})
    starts, ends = [], []
    for i in range(11):
        with limits.hold("api.example"):
            starts.append(time.monotonic())
            if i == 0:
                time.sleep(0.3)  # a request whose thread was slow to send it
        ends.append(time.monotonic())
    # Ten may leave together (no even spacing on top of the window)...
    assert starts[9] - starts[1] < 0.2
    # ...and the eleventh only one window (and 2 %) after the first one *ended*: however
    # late the first was sent, the two never share one of the host's windows.
    assert starts[10] - ends[0] >= 1.02 - 0.005
