"""The HTML audit report in a real browser: headless Chromium from Debian (``chromium``).

Chromium opens ``report.html`` from a ``file://`` URL with networking
disabled, runs the page's script, and dumps the DOM; the summary numbers
shown must equal the JSON report's, and a fragment such as
``#severity=error`` must filter the findings as shown.  A screenshot is
saved under the test's tmp dir for a person to look at.  CI installs the
browser with ``.ci/install-browser``; no browser is downloaded here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from refcheck.audit import write_reports
from refcheck.config import Settings
from refcheck.engine import run
from refcheck.report import RunResult

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.browser


def _chromium() -> str:
    found = ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
    for candidate in found:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip("chromium not found (install it with .ci/install-browser)")


def _browse(tmp: Path, url: str, *extra: str) -> str:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        f"--user-data-dir={profile}",
        *extra,
        url,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    out = tmp_path_factory.mktemp("audit")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result: RunResult = run(["references"], Settings(offline=True, jobs=1))
    finally:
        os.chdir(cwd)
    write_reports(result, out, "references")
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return out, data


def _stats(dom: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-stat="([^"]+)"[^>]*>(\d+)<', dom)}


def test_summary_in_browser_equals_json(
    report: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    out, data = report
    url = (out / "report.html").as_uri()
    dom = _browse(tmp_path, url, "--dump-dom")
    assert 'data-ready="1"' in dom, "the page's script did not run"
    summary = data["summary"]
    assert isinstance(summary, dict)
    stats = _stats(dom)
    assert stats["references"] == summary["references"]
    assert stats["findings"] == summary["findings"]
    for sev in ("error", "warning", "info"):
        assert stats[f"severity.{sev}"] == summary["by_severity"].get(sev, 0)
    for cat, n in summary["by_category"].items():
        assert stats[f"category.{cat}"] == n
    shown = re.search(r'id="shown">(\d+)<', dom)
    assert shown is not None and int(shown.group(1)) == summary["findings"]
    # The filters are visible once the script ran.
    assert re.search(r'<div class="filters" id="filters"(?! hidden)', dom)

    shot = tmp_path / "report.png"
    _browse(tmp_path, url, f"--screenshot={shot}", "--window-size=1280,2000", "--hide-scrollbars")
    assert shot.exists() and shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")


def _with_verdicts(result: RunResult) -> RunResult:
    """The seeds' run as if online: one verdict per reference, in the contract's shape."""
    from dataclasses import replace

    cycle = ["verified", "discrepancy", "verified", "not-found", "unverifiable", "retracted"]
    verdicts = [{"path": r.path, "line": r.line, "index": r.index, "key": r.key,
                 "verdict": cycle[(i * 7 + len(r.path)) % len(cycle)], "doi": r.doi,
                 "source": None}
                for d in result.documents for i, r in enumerate(d.entries())]
    return replace(result, verdicts=verdicts)


def test_verdicts_in_browser_equal_json(tmp_path: Path) -> None:
    from collections import Counter

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = _with_verdicts(run(["references"], Settings(offline=True, jobs=1)))
    finally:
        os.chdir(cwd)
    out = tmp_path / "audit"
    write_reports(result, out, "references")
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    expected = Counter(str(r["verdict"]) for r in data["references"])
    dom = _browse(tmp_path, (out / "report.html").as_uri(), "--dump-dom")
    assert 'data-ready="1"' in dom
    stats = _stats(dom)
    shown = {k.removeprefix("verdict."): v for k, v in stats.items() if k.startswith("verdict.")}
    assert shown == {k: expected.get(k, 0) for k in shown} and sum(shown.values()) == len(
        data["references"])
    per_file: Counter[str] = Counter()
    for k, v in stats.items():
        if k.startswith("file.") and ".verdict." in k:
            per_file[k.rsplit(".", 1)[1]] += v
    assert {k: v for k, v in per_file.items() if v} == dict(expected)


def test_fragment_filters_findings(report: tuple[Path, dict[str, object]], tmp_path: Path) -> None:
    out, data = report
    findings = data["findings"]
    assert isinstance(findings, list)
    errors = sum(1 for f in findings if f["severity"] == "error")
    structure = sum(1 for f in findings if f["category"] == "structure" and f["severity"] != "info")
    url = (out / "report.html").as_uri()
    dom = _browse(tmp_path, url + "#severity=error", "--dump-dom")
    assert re.search(r'id="shown">(\d+)<', dom).group(1) == str(errors)  # type: ignore[union-attr]
    assert dom.count('class="finding sev-') - dom.count(' hidden"') == errors
    dom = _browse(tmp_path, url + "#severity=error,warning&category=structure", "--dump-dom")
    assert re.search(r'id="shown">(\d+)<', dom).group(1) == str(structure)  # type: ignore[union-attr]
