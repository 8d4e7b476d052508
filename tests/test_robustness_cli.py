"""Broken configuration and hostile environments: one line on stderr and exit 2, never a traceback.

Issue 16 listed each of these as a traceback (or a silent acceptance) of
the release before; each is one case here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from refcheck.cli import main
from refcheck.config import ConfigError
from refcheck.net.http import HttpClient, HttpConfig

ENTRY = "@article{k1,\n  author = {Smith, John},\n  title = {A Study},\n  year = {2001},\n}\n"


def one_line_error(err: str) -> bool:
    lines = [line for line in err.splitlines()
             if line.strip() and "network rules skipped" not in line]
    return len(lines) == 1 and lines[0].startswith("refcheck: error:") and "Traceback" not in err


@pytest.fixture
def refs(tmp_path: Path) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(ENTRY, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('cache-backend = "mysql"', "cache-backend"),
        ("jobs = -3", "jobs"),
        ("timeout = nan", "timeout"),
        ("timeout = inf", "timeout"),
        ('input-format = "docbook"', "input-format"),
        ("[rules.RC999]\nx = 1", "unknown rule"),
        ("[rules.RC203]\nbogus = 1", "no option 'bogus'"),
        ('[rules.RC203]\nprose = "yes"', "must be bool"),
        ('[severity]\nRC999 = "error"', "unknown rule"),
    ],
)
def test_bad_config_values_are_refused(tmp_path: Path, refs: Path, body: str, says: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "refcheck.toml"
    config.write_text(body + "\n", encoding="utf-8")
    assert main(["check", "--offline", "--config", str(config), str(refs)]) == 2
    err = capsys.readouterr().err
    assert one_line_error(err) and says in err


def test_known_rule_options_are_accepted(tmp_path: Path, refs: Path) -> None:
    config = tmp_path / "refcheck.toml"
    config.write_text("[rules.RC203]\nprose = true\n[rules.missing-space]\nprose = false\n",
                      encoding="utf-8")
    assert main(["check", "--offline", "--config", str(config), str(refs)]) in (0, 1)


def test_input_format_pdf_fails_on_what_fails(tmp_path: Path, refs: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "refcheck.toml"
    config.write_text('input-format = "pdf"\n', encoding="utf-8")
    code = main(["check", "--offline", "--config", str(config), str(refs)])
    err = capsys.readouterr().err
    # "pdf" is a format now: a .bib read as PDF is refused for not being one.
    assert code == 2 and one_line_error(err) and "PDF" in err


@pytest.mark.parametrize(
    "content", [bytes(range(256)) * 4, b'[tool.refcheck]\nmailto = "J\xfcrgen"\n'])
def test_config_that_is_not_utf8(tmp_path: Path, refs: Path, content: bytes,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_bytes(content)
    assert main(["check", "--offline", "--config", str(config), str(refs)]) == 2
    assert one_line_error(capsys.readouterr().err)


def test_pyproject_found_by_discovery_not_utf8(tmp_path: Path, refs: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.refcheck]\nmailto = "J\xfcrgen"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--offline", "refs.bib"]) == 2
    assert one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_timeout_must_be_finite_and_positive(refs: Path, value: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--timeout", value, str(refs)]) == 2
    assert one_line_error(capsys.readouterr().err)


def test_negative_jobs_option(refs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--offline", "--jobs", "-3", str(refs)]) == 2
    assert one_line_error(capsys.readouterr().err)


def test_cache_dir_that_is_a_file(tmp_path: Path) -> None:
    afile = tmp_path / "cache"
    afile.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="is a file"):
        HttpClient(HttpConfig(cache_dir=str(afile)))


def test_cache_dir_unwritable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    # Root ignores permission bits: make the check itself say no.
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    with pytest.raises(ConfigError, match="not writable"):
        HttpClient(HttpConfig(cache_dir=str(tmp_path / "c")))


def test_redis_backend_without_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ConfigError, match="redis package"):
        HttpClient(HttpConfig(cache_backend="redis"))


def test_cache_dir_file_from_the_command_line(tmp_path: Path, refs: Path) -> None:
    afile = tmp_path / "cache"
    afile.write_text("", encoding="utf-8")
    refs.write_text(ENTRY.replace("year", "url = {http://127.0.0.1:9/x},\n  year"),
                    encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "refcheck", "check", "--cache-dir", str(afile), "--timeout", "1",
         "--allow-host", "127.0.0.1", "--sources", "crossref", "--crossref-url",
         "http://127.0.0.1:9", str(refs)],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and one_line_error(done.stderr), done.stderr


def test_path_component_too_long(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--offline", str(tmp_path / ("a" * 300 + ".bib"))]) == 2
    assert one_line_error(capsys.readouterr().err)


@pytest.mark.parametrize("update", [False, True])
def test_baseline_into_missing_directory(tmp_path: Path, refs: Path, update: bool,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    args = ["check", "--offline", "--baseline", str(tmp_path / "nodir" / "b.json"), str(refs)]
    assert main(args + (["--update-baseline"] if update else [])) == 2
    assert one_line_error(capsys.readouterr().err)


def test_stdout_full(refs: Path) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "refcheck", "check", "--offline", str(refs)],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert done.returncode == 2 and one_line_error(done.stderr), done.stderr


def test_stdout_closed(refs: Path) -> None:
    done = subprocess.run(
        ["bash", "-c", f'exec "{sys.executable}" -m refcheck check --offline "{refs}" >&-'],
        stderr=subprocess.PIPE, text=True, timeout=60)
    assert done.returncode == 2 and one_line_error(done.stderr), done.stderr


def test_broken_pipe_is_quiet(refs: Path) -> None:
    # Far more output than a pipe holds, so the reader's leaving is seen mid-write.
    refs.write_text("".join(ENTRY.replace("k1", f"k{n}") for n in range(3000)),
                    encoding="utf-8")
    script = (f'"{sys.executable}" -m refcheck parse "{refs}" | head -c 10 >/dev/null; '
              'echo "${PIPESTATUS[0]}"')
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "0"
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
