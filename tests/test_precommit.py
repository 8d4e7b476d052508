"""The pre-commit hook, exercised the way users get it: ``pre-commit try-repo``.

The working tree is copied into a git repository of its own and committed,
so that uncommitted changes are what gets tested, deterministically.  The
copy lives at a fixed place under pytest's cache directory and is committed
with fixed dates and author, so an unchanged tree gives the same commit and
pre-commit (with ``PRE_COMMIT_HOME`` there too) reuses the virtualenv it
built the first time instead of reinstalling refcheck on every run.

The expected findings are not written here: refcheck is first run
in-process on the same file, and the hook's output must show them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]

from refcheck.cli import main
from refcheck.parsers import EXTENSIONS

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
# Generous: the first run builds a virtualenv and installs refcheck's dependencies.
TIMEOUT = 600

_IGNORE = shutil.ignore_patterns(
    ".git",
    "__pycache__",
    "*.pyc",
    "*.egg-info",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".venv",
    "venv",
    "build",
    "dist",
    "out",
    ".tox",
)
_FIXED_IDENTITY = {
    "GIT_AUTHOR_NAME": "refcheck tests",
    "GIT_AUTHOR_EMAIL": "tests@refcheck.invalid",
    "GIT_COMMITTER_NAME": "refcheck tests",
    "GIT_COMMITTER_EMAIL": "tests@refcheck.invalid",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+0000",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+0000",
}

MALFORMED = """\
@article{Smith2020,
  author = {Smith, John and Doe, Jane},
  title = {A Study of Reference Lists},
  journal = {Journal of Bibliographic Studies},
  volume = {12},
  number = {3},
  pages = {45--67},
  year = {2020},
  doi = {10.1234 /jbs.2020.045}
}
"""
# A real entry from tests/data/shared/corpus/clean.bib (mne-python's bibliography).
CLEAN = """\
@article{LinEtAl2006,
  author = {Lin, Fa-Hsuan and Belliveau, John W. and Dale, Anders M. and Hämäläinen, Matti S.},
  doi = {10.1002/hbm.20155},
  journal = {Human Brain Mapping},
  number = {1},
  pages = {1-13},
  title = {Distributed Current Estimates Using Cortical Orientation Constraints},
  volume = {27},
  year = {2006}
}
"""


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, **_FIXED_IDENTITY}
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )


def _commit_all(repo: Path) -> None:
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--no-verify", "-m", "snapshot")


def _rules_available() -> str | None:
    try:
        from refcheck.rules import all_rules

        all_rules()
    except ImportError as exc:
        return f"the rule registry does not load yet: {exc}"
    return None


@pytest.fixture(scope="session")
def hook_repo(request: pytest.FixtureRequest) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = Path(str(request.config.cache.mkdir("refcheck-pre-commit")))
    repo = base / "hook-repo"
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(ROOT, repo, ignore=_IGNORE)
    _commit_all(repo)
    return repo


@pytest.fixture(scope="session")
def pre_commit_env(request: pytest.FixtureRequest) -> dict[str, str]:
    base = Path(str(request.config.cache.mkdir("refcheck-pre-commit")))
    env = {**os.environ, **_FIXED_IDENTITY, "PRE_COMMIT_HOME": str(base / "home")}
    # The hook must not reach the network even if a test machine has it.
    env["REFCHECK_OFFLINE"] = "1"
    env.pop("PRE_COMMIT", None)
    return env


def _user_repo(tmp_path: Path, name: str, content: str) -> Path:
    repo = tmp_path / "project"
    repo.mkdir(parents=True)
    (repo / name).write_text(content, encoding="utf-8")
    _commit_all(repo)
    return repo


def _try_repo(
    hook_repo: Path, user_repo: Path, env: dict[str, str], name: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *PRE_COMMIT,
            "try-repo",
            str(hook_repo),
            "refcheck",
            "--files",
            name,
            "--verbose",
            "--color",
            "never",
        ],
        cwd=user_repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def _refcheck_json(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, list[dict[str, object]]]:
    out = tmp_path / "report.json"
    with monkeypatch.context() as m:
        # Relative paths, as pre-commit passes them from the repository root.
        m.chdir(path.parent)
        status = main(["check", "--offline", "--format", "json", "--output", str(out), path.name])
    findings: list[dict[str, object]] = json.loads(out.read_text(encoding="utf-8"))["findings"]
    return status, findings


def test_manifest_files_pattern_matches_supported_extensions() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "refcheck"
    assert hook["entry"] == "refcheck check --offline"
    assert hook["language"] == "python"
    assert hook["require_serial"] is False
    files = re.compile(hook["files"])
    for ext in EXTENSIONS:
        assert files.search(f"refs/x{ext}"), ext
        assert files.search(f"refs/X{ext.upper()}"), ext
    for other in ("setup.py", "x.bib.orig", "notes.rst", "x.sty", "bib"):
        assert not files.search(other), other


def test_manifest_and_config_validate() -> None:
    for command, name in (
        ("validate-manifest", ".pre-commit-hooks.yaml"),
        ("validate-config", ".pre-commit-config.yaml"),
    ):
        done = subprocess.run(
            [*PRE_COMMIT, command, str(ROOT / name)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_hook_fails_on_malformed_doi_and_passes_clean_file(
    hook_repo: Path,
    pre_commit_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reason = _rules_available()
    if reason:
        pytest.skip(reason)

    bad = _user_repo(tmp_path / "bad", "refs.bib", MALFORMED)
    status, findings = _refcheck_json(bad / "refs.bib", tmp_path, monkeypatch)
    doi_line = MALFORMED.splitlines().index("  doi = {10.1234 /jbs.2020.045}") + 1
    on_doi = [
        f
        for f in findings
        if f["line"] == doi_line
        and f["category"] in ("syntax", "doi")
        and f["severity"] in ("warning", "error")
    ]
    assert status == 1 and on_doi, findings

    done = _try_repo(hook_repo, bad, pre_commit_env, "refs.bib")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert re.search(r"^refcheck\.+Failed$", output, re.MULTILINE), output
    assert "- hook id: refcheck" in output
    assert "- exit code: 1" in output
    for f in on_doi:
        assert f"refs.bib:{f['line']}:{f['column']}: {f['code']} " in output, output

    clean = _user_repo(tmp_path / "clean", "clean.bib", CLEAN)
    status, findings = _refcheck_json(clean / "clean.bib", tmp_path, monkeypatch)
    assert status == 0, findings
    done = _try_repo(hook_repo, clean, pre_commit_env, "clean.bib")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert re.search(r"^refcheck\.+Passed$", output, re.MULTILINE), output
