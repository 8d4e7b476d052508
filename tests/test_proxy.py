"""Proxies (issue 16): used only when named with --proxy, and never shown a refused target.

A stand-in proxy on loopback records every request it is asked to forward and
answers 200 to each; a stand-in web server beside it records what reaches it
directly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rawserver import RawServer, answer_ok, serving

from refcheck.cli import main
from refcheck.net.http import HttpClient, HttpConfig


@contextmanager
def recording() -> Iterator[RawServer]:
    """A stand-in proxy or web server answering 200 to everything, keeping the heads."""
    with serving(answer_ok) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _proxy_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Any proxy a developer's shell sets is left out; the tests set their own.
    for var in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.upper(), raising=False)
    yield


def _client(**kw: object) -> HttpClient:
    cfg = HttpConfig(no_cache=True, timeout=2.0, retries=0, backoff=0.01)
    for k, v in kw.items():
        setattr(cfg, k, v)
    return HttpClient(cfg)


def test_proxy_variables_of_the_environment_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    with recording() as proxy, recording() as web:
        monkeypatch.setenv("http_proxy", proxy.base)
        monkeypatch.setenv("HTTP_PROXY", proxy.base)
        http = _client(allow_hosts=["127.0.0.1"])
        result = http.check_link(web.base + "/page")
        metadata = http.check_link("http://169.254.169.254/latest/meta-data/iam/")
        http.close()
    assert result.status == "200"
    assert len(web.received) == 1
    assert web.received[0].split(b"\r\n")[0].split(b" ")[1] == b"/page"  # asked directly
    assert metadata.status == "blocked"
    assert proxy.received == []  # neither the allowed target nor the refused one


def test_a_named_proxy_gets_allowed_targets_only() -> None:
    with recording() as proxy:
        # 127.0.0.5 is allowed, 127.0.0.6 is not: nothing listens on either, so a 200
        # can only have come from the proxy.
        http = _client(allow_hosts=["127.0.0.5"], proxy=proxy.base)
        allowed = http.check_link("http://127.0.0.5:9/page")
        refused = http.check_link("http://127.0.0.6:9/admin")
        metadata = http.check_link("http://169.254.169.254/latest/meta-data/iam/")
        http.close()
    assert allowed.status == "200"
    assert refused.status == "blocked" and metadata.status == "blocked"
    assert len(proxy.received) == 1
    # A proxy is asked for the absolute URL.
    assert b"http://127.0.0.5:9/page" in proxy.received[0].split(b"\r\n")[0]


def test_a_target_that_does_not_resolve_here_is_not_handed_to_the_proxy() -> None:
    with recording() as proxy:
        http = _client(proxy=proxy.base)
        result = http.check_link("http://no-such-host.invalid/page")
        http.close()
    assert result.status == "blocked"
    assert proxy.received == []


def test_proxy_option_from_the_command_line(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    refs = tmp_path / "refs.bib"
    refs.write_text("@misc{a, title = {A page}, url = {http://127.0.0.5:9/page}, year = {2020}}\n"
                    "@misc{b, title = {Metadata}, url = {http://169.254.169.254/latest/},"
                    " year = {2020}}\n", encoding="utf-8")
    with recording() as proxy:
        code = main(["check", "--select", "RC501,RC502,RC503,RC504", "--no-cache",
                     "--proxy", proxy.base, "--allow-host", "127.0.0.5", "--timeout", "2",
                     "--format", "json", str(refs)])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert code == 1
    # The metadata address is refused before the proxy; the allowed page came back 200.
    assert [(f["reference"]["key"], f["status"]) for f in findings] == [("b", "blocked")]
    assert [r.split(b"\r\n")[0].split(b" ")[1] for r in proxy.received] == \
        [b"http://127.0.0.5:9/page"]
