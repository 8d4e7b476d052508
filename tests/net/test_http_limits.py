"""Misbehaving servers on loopback: every answer is read within a size cap and a deadline.

Each server is a raw socket in a thread (no HTTP library on the server side,
so it can lie about lengths, trickle bytes or never finish).  Every test
measures its own wall time: a regression shows as a failure, not a hang.
"""

from __future__ import annotations

import socket
import time

import pytest
from rawserver import serving

from refcheck.net.guard import AddressGuard
from refcheck.net.http import HttpClient, HttpConfig


def client(**kw: object) -> HttpClient:
    cfg = HttpConfig(no_cache=True, allow_hosts=["127.0.0.1"], timeout=1.0, retries=0,
                     backoff=0.01)
    for k, v in kw.items():
        setattr(cfg, k, v)
    return HttpClient(cfg)


def send_forever(conn: socket.socket, head: bytes, piece: bytes, pause: float = 0.0) -> None:
    conn.sendall(head)
    while True:
        conn.sendall(piece)
        if pause:
            time.sleep(pause)


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(var, raising=False)


def test_huge_content_length_stops_at_the_cap() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" \
           b"Content-Length: 50000000000\r\n\r\n"
    with serving(lambda c: send_forever(c, head, b"[" * 65536)) as srv:
        http = client(max_body=2 * 1024 * 1024, total_timeout=20.0)
        started = time.monotonic()
        reply = http.get_json(srv.base + "/works")
        elapsed = time.monotonic() - started
        http.close()
    assert reply.status == "too-large"
    assert elapsed < 10


def test_endless_chunked_answer_stops_at_the_cap() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" \
           b"Transfer-Encoding: chunked\r\n\r\n"
    with serving(lambda c: send_forever(c, head, b"1000\r\n" + b" " * 4096 + b"\r\n")) as srv:
        http = client(max_body=1024 * 1024, total_timeout=20.0)
        started = time.monotonic()
        reply = http.get_json(srv.base + "/works")
        elapsed = time.monotonic() - started
        http.close()
    assert reply.status == "too-large"
    assert elapsed < 10


@pytest.mark.parametrize("where", ["body", "headers"])
def test_trickling_server_meets_the_total_deadline(where: str) -> None:
    if where == "body":
        head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
        piece = b"x"
    else:
        head = b"HTTP/1.1 200 OK\r\n"
        piece = b"X"  # one endless header line
    with serving(lambda c: send_forever(c, head, piece, pause=0.1)) as srv:
        # Each byte comes well within the 1 s read timeout; only the total deadline ends it.
        http = client(total_timeout=2.0)
        started = time.monotonic()
        reply = http.get_json(srv.base + "/works")
        elapsed = time.monotonic() - started
        http.close()
    assert reply.status == "timeout"
    assert 1.5 < elapsed < 6


def test_link_check_ignores_a_huge_body() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 50000000000\r\n\r\n"
    with serving(lambda c: send_forever(c, head, b"x" * 65536)) as srv:
        http = client(max_body=1024 * 1024, total_timeout=20.0)
        started = time.monotonic()
        result = http.check_link(srv.base + "/big.pdf")
        http.close()
    assert result.status == "200"
    assert time.monotonic() - started < 10


def test_retries_stop_when_the_host_budget_is_spent() -> None:
    def reset(conn: socket.socket) -> None:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    with serving(reset) as srv:
        http = client(retries=30, backoff=0.2, retry_budget=2.0)
        started = time.monotonic()
        first = http.get_json(srv.base + "/works")
        second = http.get_json(srv.base + "/works")
        elapsed = time.monotonic() - started
        http.close()
    assert first.status in ("reset", "refused")
    assert second.status in ("reset", "refused")
    # 30 retries with doubling back-off would take minutes; the budget is 2 s per host.
    assert elapsed < 8
    assert len(srv.received) < 30


def test_proxy_never_sees_a_refused_target() -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    with serving(lambda c: c.sendall(answer)) as proxy:
        # The proxy's own host is allowed (the user's infrastructure); targets are not.
        http = client(allow_hosts=["127.0.0.3"], proxy=proxy.base)
        metadata = http.check_link("http://169.254.169.254/latest/meta-data/iam/")
        loopback = http.check_link("http://127.0.0.2:8080/admin")
        allowed = http.check_link("http://127.0.0.3:8080/page")
        http.close()
    assert metadata.status == "blocked"
    assert loopback.status == "blocked"
    assert allowed.status == "200"
    # Only the allowed target reached the proxy.
    assert len(proxy.received) == 1
    assert b"127.0.0.3:8080/page" in proxy.received[0]
    assert not any(b"169.254" in r or b"127.0.0.2" in r for r in proxy.received)


def test_allow_private_hosts_opens_exactly_its_ranges() -> None:
    private = AddressGuard.from_settings([], True)
    default = AddressGuard.from_settings([], False)
    for address in ("::1", "127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1",
                    "100.64.0.1", "fd12::1", "::ffff:127.0.0.1", "169.254.10.1", "fe80::1"):
        assert private.address_allowed("h", address), address
        assert not default.address_allowed("h", address), address
    # The cloud metadata addresses inside that space stay shut, and so does what is not
    # loopback, private or link-local.
    for address in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200",
                    "0.0.0.0", "224.0.0.1", "240.0.0.1", "192.0.2.1"):
        assert not private.address_allowed("h", address), address
    listed = AddressGuard.from_settings(["169.254.169.254"], False)
    assert listed.address_allowed("h", "169.254.169.254")
    assert default.address_allowed("h", "93.184.216.34")


def test_fresh_cached_answers_wait_for_no_spacing(tmp_path: object) -> None:
    # The host publishes one request a second: the first pass is spaced by it, the
    # second is answered by the cache at once and sends nothing.
    body = b'{"ok": true}'

    def answer(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"X-Rate-Limit-Limit: 1\r\nX-Rate-Limit-Interval: 1s\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n"
                     b"Connection: close\r\n\r\n" + body)

    with serving(answer) as srv:
        http = client(no_cache=False, cache_dir=str(tmp_path))
        urls = [f"{srv.base}/works/{i}" for i in range(3)]
        started = time.monotonic()
        assert [http.get_json(u).code for u in urls] == [200, 200, 200]
        cold = time.monotonic() - started
        sent = len(srv.received)
        started = time.monotonic()
        assert [http.get_json(u).code for u in urls] == [200, 200, 200]
        warm = time.monotonic() - started
        http.close()
    assert sent == 3 and len(srv.received) == 3  # nothing sent the second time
    assert cold >= 1.0 and warm < 0.5
    assert http.cache_hits == 3
