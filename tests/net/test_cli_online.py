"""The online checks through the real CLI, against loopback servers only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refcheck.cli import main
from tests.net.conftest import Server


def _args(crossref: Server, proxy: Server, tmp_path: Path, *extra: str) -> list[str]:
    return [
        "check",
        "--format", "json",
        "--crossref-url", crossref.base,
        "--doi-resolver", proxy.base,
        "--allow-host", "127.0.0.1",
        "--cache-dir", str(tmp_path / "cache"),
        "--timeout", "2",
        "--select", "RC5,RC6",
        *extra,
    ]


def test_dead_moved_and_transient_links_end_to_end(
    crossref: Server, proxy: Server, web: Server, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    refs = tmp_path / "refs.md"
    refs.write_text(
        "# References\n\n"
        f"1. Dead, A. 2001. Gone Page. Available at: {web.url('/404')} (accessed 01.02.2020).\n"
        f"2. Moved, B. 2002. Old Address. Available at: {web.url('/moved')}.\n"
        f"3. Fine, C. 2003. Good Page. Available at: {web.url('/ok')}.\n",
        encoding="utf-8",
    )
    code = main([*_args(crossref, proxy, tmp_path), str(refs)])
    data = json.loads(capsys.readouterr().out)
    by_code = {f["code"]: f for f in data["findings"]}
    assert code == 1
    assert by_code["RC501"]["status"] == "404" and by_code["RC501"]["line"] == 3
    assert by_code["RC501"]["text"] == web.url("/404")
    assert by_code["RC503"]["suggestion"] == web.url("/ok/new")
    assert by_code["RC503"]["severity"] == "info"
    assert all(f["url"] != web.url("/ok") for f in data["findings"])


def test_transient_outcomes_fail_only_with_strict_links(
    crossref: Server, proxy: Server, web: Server, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    refs = tmp_path / "refs.md"
    refs.write_text(
        "# References\n\n"
        f"1. Busy, A. 2001. Overloaded Server. Available at: {web.url('/503')}.\n",
        encoding="utf-8",
    )
    code = main([*_args(crossref, proxy, tmp_path), str(refs)])
    data = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["severity"], f["transient"]) for f in data["findings"]] == [
        ("RC502", "warning", True)
    ]
    assert code == 0
    code = main([*_args(crossref, proxy, tmp_path, "--strict-links"), str(refs)])
    data = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["severity"]) for f in data["findings"]] == [("RC502", "error")]
    assert code == 1


def test_loopback_refused_without_allow_host(
    crossref: Server, proxy: Server, web: Server, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    refs = tmp_path / "refs.md"
    refs.write_text(
        f"# References\n\n1. Inner, A. 2001. Metadata. Available at: {web.url('/ok')}.\n",
        encoding="utf-8",
    )
    args = [a for a in _args(crossref, proxy, tmp_path) if a not in ("--allow-host", "127.0.0.1")]
    before = web.hits()
    main([*args, "--select", "RC5", str(refs)])
    data = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["status"]) for f in data["findings"]] == [("RC504", "blocked")]
    assert web.hits() == before
