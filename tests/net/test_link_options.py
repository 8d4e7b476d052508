"""lychee's link options through the CLI: --exclude-url, .refcheckignore, --accept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from refcheck.cli import main
from refcheck.config import ConfigError, Settings
from refcheck.linkfilter import link_filter
from tests.net.conftest import Server


def _args(crossref: Server, proxy: Server, tmp_path: Path, *extra: str) -> list[str]:
    return [
        "check", "--format", "json",
        "--crossref-url", crossref.base, "--doi-resolver", proxy.base,
        "--allow-host", "127.0.0.1", "--cache-dir", str(tmp_path / "cache"),
        "--timeout", "2", "--select", "RC5", *extra,
    ]


def _refs(tmp_path: Path, web: Server) -> Path:
    refs = tmp_path / "refs.md"
    refs.write_text(
        "# References\n\n"
        f"1. Dead, A. 2001. Gone Page. Available at: {web.url('/404')}.\n"
        f"2. Busy, B. 2002. Overloaded. Available at: {web.url('/503')}.\n",
        encoding="utf-8",
    )
    return refs


def _codes(capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str]]:
    return sorted((f["code"], f["status"]) for f in json.loads(capsys.readouterr().out)["findings"])


def test_exclude_url_is_never_fetched_nor_reported(
    crossref: Server, proxy: Server, web: Server, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    refs = _refs(tmp_path, web)
    main([*_args(crossref, proxy, tmp_path, "--exclude-url", r"/40\d$"), str(refs)])
    assert _codes(capsys) == [("RC502", "503")]
    assert web.hits("/404") == 0


def test_ignore_file_in_the_working_directory(
    crossref: Server, proxy: Server, web: Server, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    refs = _refs(tmp_path, web)
    (tmp_path / ".refcheckignore").write_text("# lychee's format\n/503$\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    main([*_args(crossref, proxy, tmp_path), str(refs)])
    assert _codes(capsys) == [("RC501", "404")]
    assert web.hits("/503") == 0


def test_the_ignore_file_is_read_once_per_run(
    crossref: Server, proxy: Server, web: Server, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every link rule asks for every document: the filter is read once per run (reading
    the ignore files each time cost a cluster's task 0.1 s after its last answer)."""
    from refcheck import linkfilter

    (tmp_path / ".refcheckignore").write_text("/503$\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for n in range(5):
        (tmp_path / f"refs{n}.md").write_text(_refs(tmp_path, web).read_text(), "utf-8")
    reads: list[str] = []
    real = linkfilter._ignore_lines
    monkeypatch.setattr(linkfilter, "_ignore_lines",
                        lambda directory: reads.append(directory) or real(directory))
    main([*_args(crossref, proxy, tmp_path), *(str(tmp_path / f"refs{n}.md") for n in range(5))])
    assert _codes(capsys) == [("RC501", "404")] * 5
    assert len(reads) <= 2  # the working directory and --root, once each


def test_accepted_statuses_are_live(
    crossref: Server, proxy: Server, web: Server, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    refs = _refs(tmp_path, web)
    code = main([*_args(crossref, proxy, tmp_path, "--accept", "200,500..503"), str(refs)])
    assert _codes(capsys) == [("RC501", "404")] and code == 1
    code = main([*_args(crossref, proxy, tmp_path, "--accept", "404,503"), str(refs)])
    assert _codes(capsys) == [] and code == 0


def test_bad_patterns_and_statuses_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        link_filter(Settings(exclude_urls=["(unclosed"], root=str(tmp_path)))
    for bad in ("abc", "99", "600", "300..200"):
        code = main(["check", "--offline", "--accept", bad, str(tmp_path)])
        assert code == 2
